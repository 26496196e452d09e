import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  App,
  Button,
  Card,
  Empty,
  Flex,
  Form,
  Image,
  Input,
  InputNumber,
  List,
  Radio,
  Result,
  Segmented,
  Select,
  Space,
  Switch,
  Tag,
  Typography,
} from "antd";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { ApiError } from "../../app/api.ts";
import { PageLoading } from "../../app/states.tsx";
import { formatTime } from "../../app/time.ts";
import {
  type AppEvent,
  type AppMe,
  type AppMine,
  type AppStock,
  appApi,
  appUpload,
  setResidentCsrf,
} from "./api.ts";

/** The resident's phone app: sign in with a code, report a problem, find medicine, sign up for events, follow and rate. */
export default function ResidentApp() {
  const { t } = useTranslation();
  const me = useQuery({
    queryKey: ["app", "me"],
    queryFn: async () => {
      try {
        const m = await appApi<AppMe>("/api/app/me");
        setResidentCsrf(m.csrfToken);
        return m;
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      }
    },
    staleTime: 0,
    retry: false,
  });
  return (
    <div style={{ maxWidth: 560, margin: "0 auto", padding: 12, minHeight: "100vh", background: "#f5f7fa" }}>
      <Flex justify="space-between" align="center" style={{ marginBottom: 12 }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t("mutualAid.app.title")}
        </Typography.Title>
        <Link to="/service-points">{t("mutualAid.app.publicPoints")}</Link>
      </Flex>
      {me.isLoading ? <PageLoading /> : me.data ? <Home me={me.data} /> : <SignIn />}
    </div>
  );
}

function SignIn() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [phone, setPhone] = useState("");
  const [code, setCode] = useState("");
  const [wait, setWait] = useState(0);
  useEffect(() => {
    if (wait <= 0) return;
    const timer = setTimeout(() => setWait(wait - 1), 1000);
    return () => clearTimeout(timer);
  }, [wait]);
  const send = useMutation({
    mutationFn: () => appApi<{ message: string }>("/api/app/code", { method: "POST", body: { phone } }),
    onSuccess: (r) => {
      message.success(r.message);
      setWait(60);
    },
    onError: (e: Error) => message.error(e.message),
  });
  const login = useMutation({
    mutationFn: () =>
      appApi<{ csrfToken: string }>("/api/app/sign-in", { method: "POST", body: { phone, code } }),
    onSuccess: (r) => {
      setResidentCsrf(r.csrfToken);
      qc.invalidateQueries({ queryKey: ["app"] });
    },
    onError: (e: Error) => message.error(e.message),
  });
  return (
    <Card title={t("mutualAid.app.signIn")}>
      <Flex vertical gap={12}>
        <label htmlFor="app-phone">{t("mutualAid.app.phone")}</label>
        <Input
          id="app-phone"
          inputMode="tel"
          maxLength={13}
          value={phone}
          onChange={(e) => setPhone(e.target.value.trim())}
          size="large"
        />
        <label htmlFor="app-code">{t("mutualAid.app.code")}</label>
        <Space.Compact style={{ width: "100%" }}>
          <Input
            id="app-code"
            inputMode="numeric"
            maxLength={6}
            value={code}
            onChange={(e) => setCode(e.target.value.trim())}
            size="large"
          />
          <Button
            size="large"
            disabled={wait > 0 || phone.length < 11}
            loading={send.isPending}
            onClick={() => send.mutate()}
          >
            {wait > 0 ? t("mutualAid.app.resend", { s: wait }) : t("mutualAid.app.getCode")}
          </Button>
        </Space.Compact>
        <Button
          type="primary"
          size="large"
          block
          disabled={code.length !== 6}
          loading={login.isPending}
          onClick={() => login.mutate()}
        >
          {t("mutualAid.app.login")}
        </Button>
      </Flex>
    </Card>
  );
}

type Tab = "report" | "wish" | "medicine" | "events" | "mine";

function Home({ me }: { me: AppMe }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [tab, setTab] = useState<Tab>("report");
  const logout = useMutation({
    mutationFn: () => appApi("/api/app/sign-out", { method: "POST" }),
    onSettled: () => qc.setQueryData(["app", "me"], null),
  });
  return (
    <Flex vertical gap={12}>
      <Flex justify="space-between" align="center">
        <Typography.Text>
          {t("mutualAid.app.hello", { name: me.displayName })} · {me.communityName}
        </Typography.Text>
        <Button size="small" onClick={() => logout.mutate()}>
          {t("mutualAid.app.logout")}
        </Button>
      </Flex>
      <Segmented
        block
        size="large"
        value={tab}
        onChange={(v) => setTab(v as Tab)}
        options={(["report", "wish", "medicine", "events", "mine"] as const).map((k) => ({
          value: k,
          label: t(`mutualAid.app.tabs.${k}`),
        }))}
      />
      {tab === "report" && <Report me={me} onDone={() => setTab("mine")} />}
      {tab === "wish" && <Wish onDone={() => setTab("mine")} />}
      {tab === "medicine" && <Medicine onDone={() => setTab("mine")} />}
      {tab === "events" && <Events />}
      {tab === "mine" && <Mine />}
      {tab === "mine" && <OptOut initial={me.optedOut} />}
    </Flex>
  );
}

function Report({ me, onDone }: { me: AppMe; onDone: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm();
  const [photo, setPhoto] = useState<File | null>(null);
  const [point, setPoint] = useState<{ lat: number; long: number; accuracy?: number } | null>(null);
  const submit = useMutation({
    mutationFn: async (v: { categoryCode: string; description: string; buildingId?: number }) => {
      const r = await appApi<{ id: number; number: string }>("/api/app/reports", {
        method: "POST",
        body: { ...v, ...(point ? { checkIn: point } : {}) },
      });
      if (photo)
        await appUpload(
          `/api/app/reports/${r.id}/photos?filename=${encodeURIComponent(photo.name || "photo")}`,
          photo,
        );
      return r;
    },
    onSuccess: (r) => {
      message.success(t("mutualAid.app.reported", { number: r.number }));
      form.resetFields();
      setPhoto(null);
      qc.invalidateQueries({ queryKey: ["app", "mine"] });
      onDone();
    },
    onError: (e: Error) => message.error(e.message),
  });
  const locate = () =>
    navigator.geolocation?.getCurrentPosition(
      (p) => setPoint({ lat: p.coords.latitude, long: p.coords.longitude, accuracy: p.coords.accuracy }),
      () => message.warning("无法获取定位，请选择楼栋"),
    );
  return (
    <Card>
      <Form
        form={form}
        layout="vertical"
        initialValues={{ buildingId: me.homeBuildingId ?? undefined }}
        onFinish={(v) => submit.mutate(v)}
      >
        <Form.Item
          name="categoryCode"
          label={t("mutualAid.app.category")}
          rules={[{ required: true, message: t("mutualAid.app.category") }]}
        >
          <Select size="large" options={me.categories.map((c) => ({ value: c.code, label: c.name }))} />
        </Form.Item>
        <Form.Item
          name="description"
          label={t("mutualAid.app.description")}
          rules={[{ required: true, min: 2 }]}
        >
          <Input.TextArea rows={3} maxLength={1000} placeholder={t("mutualAid.app.descriptionPlaceholder")} />
        </Form.Item>
        <Form.Item name="buildingId" label={t("mutualAid.app.building")}>
          <Select
            size="large"
            showSearch
            optionFilterProp="label"
            allowClear
            options={me.buildings.map((b) => ({ value: b.id, label: b.address }))}
          />
        </Form.Item>
        <Space wrap style={{ marginBottom: 16 }}>
          <Button onClick={locate}>
            {point ? t("mutualAid.app.located") : t("mutualAid.app.useLocation")}
          </Button>
          <label
            className="ant-btn ant-btn-default"
            style={{ display: "inline-flex", alignItems: "center", cursor: "pointer" }}
          >
            {photo ? photo.name : t("mutualAid.app.addPhoto")}
            <input
              type="file"
              accept="image/*"
              capture="environment"
              aria-label={t("mutualAid.app.photo")}
              style={{ display: "none" }}
              onChange={(e) => setPhoto(e.target.files?.[0] ?? null)}
            />
          </label>
        </Space>
        <Button type="primary" size="large" block htmlType="submit" loading={submit.isPending}>
          {t("mutualAid.app.submitReport")}
        </Button>
      </Form>
    </Card>
  );
}

function Wish({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm();
  const make = useMutation({
    mutationFn: (v: { title: string; detail: string }) =>
      appApi<{ id: number }>("/api/app/wishes", { method: "POST", body: v }),
    onSuccess: () => {
      message.success(t("mutualAid.app.wish.made"));
      form.resetFields();
      qc.invalidateQueries({ queryKey: ["app", "mine"] });
      onDone();
    },
    onError: (e: Error) => message.error(e.message),
  });
  return (
    <Card>
      <Typography.Paragraph type="secondary">{t("mutualAid.app.wish.intro")}</Typography.Paragraph>
      <Form form={form} layout="vertical" onFinish={(v) => make.mutate(v)}>
        <Form.Item
          name="title"
          label={t("mutualAid.app.wish.title")}
          rules={[{ required: true, min: 2, max: 40 }]}
        >
          <Input size="large" maxLength={40} placeholder={t("mutualAid.app.wish.titlePlaceholder")} />
        </Form.Item>
        <Form.Item
          name="detail"
          label={t("mutualAid.app.wish.detail")}
          rules={[{ required: true, min: 2, max: 500 }]}
        >
          <Input.TextArea rows={3} maxLength={500} placeholder={t("mutualAid.app.wish.detailPlaceholder")} />
        </Form.Item>
        <Button type="primary" size="large" block htmlType="submit" loading={make.isPending}>
          {t("mutualAid.app.wish.submit")}
        </Button>
      </Form>
    </Card>
  );
}

function WishCard({ w }: { w: AppMine["wishes"][number] }) {
  const { t } = useTranslation();
  const done = w.state === "fulfilled" || w.state === "confirmed";
  return (
    <Card
      size="small"
      data-testid={`app-wish-${w.id}`}
      title={w.title}
      extra={<Tag color={done ? "green" : w.state === "rejected" ? "red" : "blue"}>{w.stateLabel}</Tag>}
    >
      <Flex vertical gap={6}>
        <Typography.Text>{w.detail}</Typography.Text>
        <Typography.Text type="secondary">{formatTime(w.createdAt)}</Typography.Text>
        {w.claimedBy && (
          <Typography.Text type="secondary">
            {t("mutualAid.app.wish.claimedBy")}：{w.claimedBy}
          </Typography.Text>
        )}
        {w.rejectReason && (
          <Typography.Text type="danger">
            {t("mutualAid.app.wish.rejected")}：{w.rejectReason}
          </Typography.Text>
        )}
        {w.fulfilNote && (
          <Typography.Text>
            {t("mutualAid.app.wish.note")}：{w.fulfilNote}
          </Typography.Text>
        )}
        {w.hasPhoto && (
          <Image
            width={96}
            height={96}
            style={{ objectFit: "cover" }}
            src={`/api/app/wishes/${w.id}/photo`}
            alt={`圆梦照片 ${w.id}`}
          />
        )}
      </Flex>
    </Card>
  );
}

function Medicine({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [q, setQ] = useState("");
  const [qty, setQty] = useState(1);
  const found = useQuery({
    queryKey: ["app", "medicines", q],
    queryFn: () => appApi<{ items: AppStock[] }>(`/api/app/medicines?q=${encodeURIComponent(q)}`),
    enabled: q !== "",
  });
  const ask = useMutation({
    mutationFn: () =>
      appApi("/api/app/medicine-requests", {
        method: "POST",
        body: { medicineName: found.data?.items[0]?.medicineName ?? q, quantity: qty },
      }),
    onSuccess: () => {
      message.success(t("mutualAid.app.requested"));
      qc.invalidateQueries({ queryKey: ["app", "mine"] });
      onDone();
    },
    onError: (e: Error) => message.error(e.message),
  });
  return (
    <Card title={t("mutualAid.app.findMedicine")}>
      <Flex vertical gap={12}>
        <Input.Search
          size="large"
          enterButton
          placeholder={t("mutualAid.medicine.searchPlaceholder")}
          onSearch={(v) => setQ(v.trim())}
          aria-label={t("mutualAid.medicine.medicineName")}
        />
        {q && found.data && (
          <>
            <Typography.Text type={found.data.items.length ? "success" : "secondary"}>
              {found.data.items.length ? t("mutualAid.app.available") : t("mutualAid.app.none")}
            </Typography.Text>
            <List
              size="small"
              dataSource={found.data.items.slice(0, 5)}
              renderItem={(s) => (
                <List.Item>
                  {s.medicineName} · {s.spec} · {s.servicePointName}
                </List.Item>
              )}
            />
            <Space>
              <label htmlFor="app-qty">{t("mutualAid.medicine.quantity")}</label>
              <InputNumber id="app-qty" min={1} max={10} value={qty} onChange={(v) => setQty(v ?? 1)} />
              <Button type="primary" loading={ask.isPending} onClick={() => ask.mutate()}>
                {t("mutualAid.app.requestMedicine")}
              </Button>
            </Space>
          </>
        )}
      </Flex>
    </Card>
  );
}

function Events() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const list = useQuery({
    queryKey: ["app", "events"],
    queryFn: () => appApi<{ items: AppEvent[] }>("/api/app/events"),
  });
  const act = useMutation({
    mutationFn: ({ id, action }: { id: number; action: "signup" | "cancel" }) =>
      appApi<{ state: string }>(`/api/app/events/${id}/${action}`, { method: "POST" }),
    onSuccess: (r) => {
      if (r.state === "waitlisted") message.info(t("mutualAid.events.waitlistedMsg"));
      else if (r.state === "confirmed") message.success(t("mutualAid.events.signedUp"));
      qc.invalidateQueries({ queryKey: ["app"] });
    },
    onError: (e: Error) => message.error(e.message),
  });
  if (list.isLoading) return <PageLoading />;
  const items = list.data?.items ?? [];
  if (items.length === 0) return <Empty description={t("mutualAid.events.empty")} />;
  return (
    <Flex vertical gap={12}>
      {items.map((e) => {
        const left = e.capacity - e.taken;
        const mine = e.myState && e.myState !== "cancelled" ? e.myState : null;
        return (
          <Card key={e.id} size="small" title={e.title} extra={<Tag color="blue">{e.kindLabel}</Tag>}>
            <Flex vertical gap={6}>
              <Typography.Text type="secondary">
                {formatTime(e.startsAt)} · {e.place}
              </Typography.Text>
              <Typography.Text>
                {left > 0 ? t("mutualAid.app.left", { n: left }) : t("mutualAid.app.full")}
              </Typography.Text>
              {mine ? (
                <Space>
                  <Tag color={mine === "confirmed" ? "green" : "orange"}>
                    {t(`mutualAid.events.state.${mine}`)}
                  </Tag>
                  <Button size="small" onClick={() => act.mutate({ id: e.id, action: "cancel" })}>
                    {t("mutualAid.app.cancel")}
                  </Button>
                </Space>
              ) : (
                <Button type="primary" onClick={() => act.mutate({ id: e.id, action: "signup" })}>
                  {t("mutualAid.app.signUp")}
                </Button>
              )}
            </Flex>
          </Card>
        );
      })}
    </Flex>
  );
}

function Mine() {
  const { t } = useTranslation();
  const mine = useQuery({
    queryKey: ["app", "mine"],
    queryFn: () => appApi<AppMine>("/api/app/mine"),
    staleTime: 0,
  });
  if (mine.isLoading) return <PageLoading />;
  const m = mine.data;
  if (!m) return null;
  return (
    <Flex vertical gap={12}>
      <Typography.Title level={5} style={{ margin: 0 }}>
        {t("mutualAid.app.mine.orders")}
      </Typography.Title>
      {m.orders.length === 0 && <Empty description={t("mutualAid.app.mine.empty")} />}
      {m.orders.map((o) => (
        <OrderCard key={o.id} o={o} />
      ))}
      <Typography.Title level={5} style={{ margin: 0 }}>
        {t("mutualAid.app.mine.wishes")}
      </Typography.Title>
      {m.wishes.length === 0 && <Empty description={t("mutualAid.app.mine.empty")} />}
      {m.wishes.map((w) => (
        <WishCard key={w.id} w={w} />
      ))}
      <Typography.Title level={5} style={{ margin: 0 }}>
        {t("mutualAid.app.mine.medicine")}
      </Typography.Title>
      {m.medicine.length === 0 && <Empty description={t("mutualAid.app.mine.empty")} />}
      {m.medicine.map((r) => (
        <MedicineCard key={r.id} r={r} />
      ))}
      <Typography.Title level={5} style={{ margin: 0 }}>
        {t("mutualAid.app.mine.events")}
      </Typography.Title>
      {m.events.length === 0 && <Empty description={t("mutualAid.app.mine.empty")} />}
      {m.events.map((e) => (
        <Card key={e.id} size="small">
          <Space wrap>
            <span>{e.title}</span>
            <Tag color={e.myState === "confirmed" ? "green" : "orange"}>
              {t(`mutualAid.events.state.${e.myState}`)}
            </Tag>
            <Typography.Text type="secondary">{formatTime(e.startsAt)}</Typography.Text>
          </Space>
        </Card>
      ))}
    </Flex>
  );
}

function OrderCard({ o }: { o: AppMine["orders"][number] }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const rate = useMutation({
    mutationFn: (v: { solved: boolean; satisfaction: string; comment?: string }) =>
      appApi(`/api/app/reports/${o.id}/rating`, { method: "POST", body: v }),
    onSuccess: () => {
      message.success(t("mutualAid.app.rated"));
      qc.invalidateQueries({ queryKey: ["app", "mine"] });
    },
    onError: (e: Error) => message.error(e.message),
  });
  return (
    <Card
      size="small"
      data-testid={`app-order-${o.number}`}
      title={`${o.category} · ${o.number}`}
      extra={<Tag color="blue">{o.stateLabel}</Tag>}
    >
      <Flex vertical gap={6}>
        <Typography.Text>{o.description}</Typography.Text>
        <Typography.Text type="secondary">{formatTime(o.createdAt)}</Typography.Text>
        {o.reply && (
          <Typography.Text>
            {t("mutualAid.app.reply")}：{o.reply}
          </Typography.Text>
        )}
        {o.photos.length > 0 && (
          <Image.PreviewGroup>
            <Space wrap>
              {o.photos.map((p) => (
                <Image
                  key={p.id}
                  width={72}
                  height={72}
                  style={{ objectFit: "cover" }}
                  src={`/api/app/photos/${p.id}`}
                  alt={`照片 ${p.id}`}
                />
              ))}
            </Space>
          </Image.PreviewGroup>
        )}
        {o.rated && <Tag color="green">{t("mutualAid.app.rated")}</Tag>}
        {o.canRate && (
          <Form
            layout="vertical"
            initialValues={{ solved: true, satisfaction: "satisfied" }}
            onFinish={(v) => rate.mutate(v)}
          >
            <Form.Item name="solved" label={t("mutualAid.app.solved")} valuePropName="checked">
              <Switch />
            </Form.Item>
            <Form.Item name="satisfaction" label={t("mutualAid.app.rate")}>
              <Radio.Group
                options={(["satisfied", "basically_satisfied", "unsatisfied"] as const).map((k) => ({
                  value: k,
                  label: t(`mutualAid.app.satisfaction.${k}`),
                }))}
              />
            </Form.Item>
            <Form.Item name="comment" label={t("mutualAid.app.comment")}>
              <Input.TextArea rows={2} maxLength={500} />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={rate.isPending}>
              {t("mutualAid.app.rate")}
            </Button>
          </Form>
        )}
      </Flex>
    </Card>
  );
}

function MedicineCard({ r }: { r: AppMine["medicine"][number] }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const confirm = useMutation({
    mutationFn: () => appApi(`/api/app/medicine-requests/${r.id}/confirm`, { method: "POST" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["app", "mine"] }),
    onError: (e: Error) => message.error(e.message),
  });
  return (
    <Card
      size="small"
      title={`${r.medicineName} ×${r.quantity}`}
      extra={<Tag color="blue">{r.stateLabel}</Tag>}
    >
      <Flex vertical gap={4}>
        {r.servicePointName && <Typography.Text type="secondary">{r.servicePointName}</Typography.Text>}
        {r.claimedByName && (
          <Typography.Text type="secondary">
            {t("mutualAid.medicine.claimedBy")}：{r.claimedByName}
          </Typography.Text>
        )}
        <Typography.Text type="secondary">
          {r.deliveredAt
            ? `${t("mutualAid.medicine.deliveredAt")} ${formatTime(r.deliveredAt)}`
            : `${t("mutualAid.medicine.due")} ${formatTime(r.dueAt)}`}
        </Typography.Text>
        {r.state === "delivered" && (
          <Button type="primary" loading={confirm.isPending} onClick={() => confirm.mutate()}>
            {t("mutualAid.app.received")}
          </Button>
        )}
        {r.state === "confirmed" && (
          <Result status="success" title={t("mutualAid.medicine.done")} style={{ padding: 8 }} />
        )}
      </Flex>
    </Card>
  );
}

function OptOut({ initial }: { initial: boolean }) {
  const { t } = useTranslation();
  const [on, setOn] = useState(initial);
  const set = useMutation({
    mutationFn: (optOut: boolean) =>
      appApi<{ optedOut: boolean }>("/api/app/opt-out", { method: "POST", body: { optOut } }),
    onSuccess: (r) => setOn(r.optedOut),
  });
  return (
    <Card size="small">
      <Space>
        <Switch id="app-opt-out" checked={on} loading={set.isPending} onChange={(v) => set.mutate(v)} />
        <label htmlFor="app-opt-out">{t("mutualAid.app.optOut")}</label>
      </Space>
    </Card>
  );
}
