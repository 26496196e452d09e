import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  App,
  Button,
  Card,
  DatePicker,
  Empty,
  Flex,
  Form,
  Input,
  InputNumber,
  List,
  Modal,
  Segmented,
  Space,
  Switch,
  Tag,
  Typography,
} from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, qs } from "../../app/api.ts";
import { useAuth } from "../../app/auth.tsx";
import { ErrorState, PageLoading } from "../../app/states.tsx";
import { formatTime } from "../../app/time.ts";
import {
  EXPIRY_COLORS,
  type MaBox,
  type MaBoxDetail,
  type MaPoint,
  type MaRequest,
  type MaStock,
  minutesLeft,
  ResidentPicker,
  SlaTag,
} from "./common.tsx";
import { PointsMap } from "./PointsMap.tsx";

/** 共享药箱: medicine requests on their one-hour clock, the boxes' stock and expiry, and a search across boxes. */
export default function MedicinePage() {
  const { t } = useTranslation();
  const [tab, setTab] = useState<"requests" | "boxes" | "search" | "points">("requests");
  return (
    <Flex vertical gap={12} style={{ maxWidth: 760 }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t("mutualAid.medicine.title")}
      </Typography.Title>
      <Segmented
        block
        value={tab}
        onChange={(v) => setTab(v as typeof tab)}
        options={(["requests", "boxes", "search", "points"] as const).map((k) => ({
          value: k,
          label: t(`mutualAid.medicine.tabs.${k}`),
        }))}
      />
      {tab === "requests" && <Requests />}
      {tab === "boxes" && <Boxes />}
      {tab === "search" && <Search />}
      {tab === "points" && <Points />}
    </Flex>
  );
}

/** The service points of the caller's area on the map, then as a list with their state. */
function Points() {
  const { t } = useTranslation();
  const list = useQuery({
    queryKey: ["ma", "points"],
    queryFn: () => api<{ items: MaPoint[] }>("/api/mutual-aid/points"),
  });
  if (list.isLoading) return <PageLoading />;
  if (list.error) return <ErrorState error={list.error} />;
  const items = list.data!.items;
  if (items.length === 0) return <Empty description={t("mutualAid.points.empty")} />;
  return (
    <Flex vertical gap={12}>
      <Typography.Title level={5} style={{ margin: 0 }}>
        {t("mutualAid.points.mapTitle")}
      </Typography.Title>
      <PointsMap points={items.filter((p) => p.active)} height={420} />
      <List
        size="small"
        bordered
        dataSource={items}
        renderItem={(p) => (
          <List.Item>
            <Space wrap>
              <Tag>{p.kindLabel}</Tag>
              <span>{p.name}</span>
              <Typography.Text type="secondary">
                {p.unitName} · {p.hours}
              </Typography.Text>
              {!p.active && <Tag color="default">停用</Tag>}
            </Space>
          </List.Item>
        )}
      />
    </Flex>
  );
}

function Requests() {
  const { t } = useTranslation();
  const { can, me } = useAuth();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [filing, setFiling] = useState(false);
  const list = useQuery({
    queryKey: ["ma", "requests"],
    queryFn: () => api<{ items: MaRequest[] }>("/api/mutual-aid/requests"),
    refetchInterval: 30_000,
  });
  const act = useMutation({
    mutationFn: ({ id, action }: { id: number; action: string }) =>
      api(`/api/mutual-aid/requests/${id}/${action}`, { method: "POST" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["ma"] }),
    onError: (e: Error) => message.error(e.message),
  });
  if (list.isLoading) return <PageLoading />;
  if (list.error) return <ErrorState error={list.error} />;
  const items = list.data!.items;
  return (
    <Flex vertical gap={12}>
      {can("medicine.request") && (
        <Button type="primary" onClick={() => setFiling(true)}>
          {t("mutualAid.medicine.newRequest")}
        </Button>
      )}
      {filing && <NewRequest onClose={() => setFiling(false)} />}
      {items.length === 0 ? (
        <Empty description={t("mutualAid.medicine.empty")} />
      ) : (
        items.map((r) => {
          const left = minutesLeft(r.dueAt);
          const mine = r.claimedBy === me?.id;
          const buttons = [
            r.prescription &&
              !r.approvedAt &&
              ["requested", "matched"].includes(r.state) &&
              can("medicine.approve") &&
              "approve",
            r.state === "requested" && can("medicine.request") && "match",
            r.state === "matched" && (!r.prescription || r.approvedAt) && can("medicine.deliver") && "claim",
            r.state === "claimed" && mine && "deliver",
            r.state === "delivered" && can("medicine.request") && "confirm",
          ].filter((b): b is string => !!b);
          return (
            <Card
              key={r.id}
              size="small"
              data-testid={`ma-request-${r.id}`}
              title={
                <Space wrap>
                  <span>
                    {r.medicineName} ×{r.quantity}
                  </span>
                  <Tag>{r.stateLabel}</Tag>
                  {r.prescription && <Tag color="purple">{t("mutualAid.medicine.prescription")}</Tag>}
                </Space>
              }
              extra={<SlaTag sla={r.sla} label={r.slaLabel} />}
            >
              <Flex vertical gap={4}>
                <Typography.Text>
                  {r.residentName} · {r.address}
                </Typography.Text>
                {r.note && <Typography.Text type="secondary">{r.note}</Typography.Text>}
                {r.servicePointName && (
                  <Typography.Text type="secondary">
                    {t("mutualAid.medicine.box")}：{r.boxName}（{r.servicePointName}）
                    {r.batch ? ` · ${r.batch}` : ""}
                  </Typography.Text>
                )}
                {r.claimedByName && (
                  <Typography.Text type="secondary">
                    {t("mutualAid.medicine.claimedBy")}：{r.claimedByName}
                  </Typography.Text>
                )}
                <Typography.Text type={left < 0 && !r.deliveredAt ? "danger" : "secondary"}>
                  {r.deliveredAt
                    ? `${t("mutualAid.medicine.deliveredAt")} ${formatTime(r.deliveredAt)} · ${t(r.onTime ? "mutualAid.medicine.onTime" : "mutualAid.medicine.late")}`
                    : `${t("mutualAid.medicine.due")} ${formatTime(r.dueAt)}（${left >= 0 ? `剩 ${left} 分钟` : `${t("mutualAid.medicine.overdue")} ${-left} 分钟`}）`}
                </Typography.Text>
                {buttons.length > 0 && (
                  <Space wrap>
                    {buttons.map((b) => (
                      <Button
                        key={b}
                        type={b === "claim" || b === "deliver" ? "primary" : "default"}
                        loading={act.isPending && act.variables?.id === r.id && act.variables.action === b}
                        onClick={() => act.mutate({ id: r.id, action: b })}
                      >
                        {t(`mutualAid.medicine.actions.${b}`)}
                      </Button>
                    ))}
                  </Space>
                )}
              </Flex>
            </Card>
          );
        })
      )}
    </Flex>
  );
}

function NewRequest({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm();
  const create = useMutation({
    mutationFn: (body: { residentId: number; medicineName: string; quantity: number; note?: string }) =>
      api<MaRequest>("/api/mutual-aid/requests", { method: "POST", body }),
    onSuccess: () => {
      message.success(t("mutualAid.medicine.created"));
      qc.invalidateQueries({ queryKey: ["ma"] });
      onClose();
    },
    onError: (e: Error) => message.error(e.message),
  });
  return (
    <Card size="small" title={t("mutualAid.medicine.newRequest")}>
      <Form form={form} layout="vertical" onFinish={(v) => create.mutate(v)} initialValues={{ quantity: 1 }}>
        <Form.Item name="residentId" label={t("mutualAid.medicine.resident")} rules={[{ required: true }]}>
          <ResidentPicker />
        </Form.Item>
        <Form.Item
          name="medicineName"
          label={t("mutualAid.medicine.medicineName")}
          rules={[{ required: true, min: 2 }]}
        >
          <Input maxLength={40} />
        </Form.Item>
        <Form.Item name="quantity" label={t("mutualAid.medicine.quantity")} rules={[{ required: true }]}>
          <InputNumber min={1} max={100} />
        </Form.Item>
        <Form.Item name="note" label={t("mutualAid.medicine.note")}>
          <Input.TextArea maxLength={300} rows={2} />
        </Form.Item>
        <Space>
          <Button type="primary" htmlType="submit" loading={create.isPending}>
            {t("mutualAid.medicine.submit")}
          </Button>
          <Button onClick={onClose}>{t("mutualAid.cancel")}</Button>
        </Space>
      </Form>
    </Card>
  );
}

function Boxes() {
  const { t } = useTranslation();
  const [open, setOpen] = useState<number | null>(null);
  const boxes = useQuery({
    queryKey: ["ma", "boxes"],
    queryFn: () => api<{ items: MaBox[] }>("/api/mutual-aid/boxes"),
  });
  const warnings = useQuery({
    queryKey: ["ma", "expiring"],
    queryFn: () => api<{ items: MaStock[] }>("/api/mutual-aid/stock/expiring"),
  });
  if (open) return <BoxDetail id={open} onBack={() => setOpen(null)} />;
  if (boxes.isLoading) return <PageLoading />;
  if (boxes.error) return <ErrorState error={boxes.error} />;
  return (
    <Flex vertical gap={12}>
      <List
        bordered
        dataSource={boxes.data!.items}
        locale={{ emptyText: t("mutualAid.medicine.empty") }}
        renderItem={(b) => (
          <List.Item
            actions={[
              <Button key="o" type="link" onClick={() => setOpen(b.id)}>
                {t("mutualAid.medicine.open")}
              </Button>,
            ]}
          >
            <List.Item.Meta
              title={b.name}
              description={
                <Space wrap size={4}>
                  <span>
                    {t("mutualAid.medicine.units")} {b.units}
                  </span>
                  {b.expiring > 0 && (
                    <Tag color="orange">
                      {t("mutualAid.medicine.expiring")} {b.expiring}
                    </Tag>
                  )}
                  {b.expired > 0 && (
                    <Tag color="red">
                      {t("mutualAid.medicine.expired")} {b.expired}
                    </Tag>
                  )}
                </Space>
              }
            />
          </List.Item>
        )}
      />
      <Card size="small" title={t("mutualAid.medicine.warnings")}>
        <StockList items={warnings.data?.items ?? []} />
      </Card>
    </Flex>
  );
}

function StockList({ items, onDispense }: { items: MaStock[]; onDispense?: (s: MaStock) => void }) {
  const { t } = useTranslation();
  return (
    <List
      size="small"
      dataSource={items}
      locale={{ emptyText: t("mutualAid.medicine.noStock") }}
      renderItem={(s) => (
        <List.Item
          actions={
            onDispense && s.expiry !== "expired"
              ? [
                  <Button key="d" size="small" onClick={() => onDispense(s)}>
                    {t("mutualAid.medicine.dispense")}
                  </Button>,
                ]
              : []
          }
        >
          <List.Item.Meta
            title={
              <Space wrap size={4}>
                <span>{s.medicineName}</span>
                <Typography.Text type="secondary">{s.spec}</Typography.Text>
                {s.prescription && <Tag color="purple">{t("mutualAid.medicine.prescription")}</Tag>}
              </Space>
            }
            description={
              <Space wrap size={4}>
                {s.servicePointName && <span>{s.servicePointName}</span>}
                <span>
                  {t("mutualAid.medicine.batch")} {s.batch}
                </span>
                <span>
                  {t("mutualAid.medicine.expiresOn")} {s.expiresOn}
                </span>
                <Tag color={EXPIRY_COLORS[s.expiry]}>{s.expiryLabel}</Tag>
                <span>
                  {t("mutualAid.medicine.stock")} {s.quantity}
                </span>
              </Space>
            }
          />
        </List.Item>
      )}
    />
  );
}

function BoxDetail({ id, onBack }: { id: number; onBack: () => void }) {
  const { t } = useTranslation();
  const { can } = useAuth();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [donating, setDonating] = useState(false);
  const [dispensing, setDispensing] = useState<MaStock | null>(null);
  const [qty, setQty] = useState(1);
  const detail = useQuery({
    queryKey: ["ma", "box", id],
    queryFn: () => api<MaBoxDetail>(`/api/mutual-aid/boxes/${id}`),
  });
  const refresh = () => qc.invalidateQueries({ queryKey: ["ma"] });
  const dispose = useMutation({
    mutationFn: () =>
      api<{ batches: number; units: number }>(`/api/mutual-aid/boxes/${id}/dispose-expired`, {
        method: "POST",
      }),
    onSuccess: (r) => {
      message.success(t("mutualAid.medicine.disposed", r));
      refresh();
    },
    onError: (e: Error) => message.error(e.message),
  });
  const dispense = useMutation({
    mutationFn: ({ stockId, quantity }: { stockId: number; quantity: number }) =>
      api(`/api/mutual-aid/stock/${stockId}/dispense`, { method: "POST", body: { quantity } }),
    onSuccess: () => {
      setDispensing(null);
      refresh();
    },
    onError: (e: Error) => message.error(e.message),
  });
  const donate = useMutation({
    mutationFn: (v: {
      medicineName: string;
      spec: string;
      batch: string;
      expiresOn: { format(f: string): string };
      quantity: number;
      prescription?: boolean;
    }) =>
      api(`/api/mutual-aid/boxes/${id}/donations`, {
        method: "POST",
        body: { ...v, expiresOn: v.expiresOn.format("YYYY-MM-DD"), prescription: !!v.prescription },
      }),
    onSuccess: () => {
      setDonating(false);
      refresh();
    },
    onError: (e: Error) => message.error(e.message),
  });
  if (detail.isLoading) return <PageLoading />;
  if (detail.error) return <ErrorState error={detail.error} />;
  const d = detail.data!;
  const stock = d.stock.map((s) => ({ ...s, boxName: d.box.name, servicePointName: null }));
  return (
    <Flex vertical gap={12}>
      <Space wrap>
        <Button onClick={onBack}>{t("mutualAid.medicine.back")}</Button>
        {can("medicine.stock") && (
          <Button onClick={() => setDonating(true)}>{t("mutualAid.medicine.donate")}</Button>
        )}
        {can("medicine.stock") && d.box.expired > 0 && (
          <Button danger loading={dispose.isPending} onClick={() => dispose.mutate()}>
            {t("mutualAid.medicine.dispose")}
          </Button>
        )}
      </Space>
      <Typography.Title level={4} style={{ margin: 0 }}>
        {d.box.name}
      </Typography.Title>
      <Typography.Text type="secondary">{d.box.address}</Typography.Text>
      <StockList
        items={stock}
        onDispense={
          can("medicine.stock")
            ? (s) => {
                setQty(1);
                setDispensing(s);
              }
            : undefined
        }
      />
      <Card size="small" title={t("mutualAid.medicine.movements")}>
        <List
          size="small"
          dataSource={d.movements}
          renderItem={(m) => (
            <List.Item>
              {formatTime(m.createdAt)} · {t(`mutualAid.medicine.movementKind.${m.kind}`)} · {m.medicineName}{" "}
              ×{m.quantity} · {m.actorName}
            </List.Item>
          )}
        />
      </Card>
      <Modal
        open={!!dispensing}
        title={`${t("mutualAid.medicine.dispense")}：${dispensing?.medicineName ?? ""}`}
        onCancel={() => setDispensing(null)}
        onOk={() => dispensing && dispense.mutate({ stockId: dispensing.id, quantity: qty })}
        confirmLoading={dispense.isPending}
      >
        <label htmlFor="ma-dispense-qty">{t("mutualAid.medicine.dispenseQty")}</label>
        <InputNumber
          id="ma-dispense-qty"
          min={1}
          max={1000}
          value={qty}
          onChange={(v) => setQty(v ?? 1)}
          style={{ marginInlineStart: 8 }}
        />
      </Modal>
      <Modal
        open={donating}
        title={t("mutualAid.medicine.donate")}
        footer={null}
        onCancel={() => setDonating(false)}
        destroyOnHidden
      >
        <Form layout="vertical" onFinish={(v) => donate.mutate(v)} initialValues={{ quantity: 10 }}>
          <Form.Item
            name="medicineName"
            label={t("mutualAid.medicine.medicineName")}
            rules={[{ required: true, min: 2 }]}
          >
            <Input maxLength={40} />
          </Form.Item>
          <Form.Item name="spec" label={t("mutualAid.medicine.spec")} rules={[{ required: true }]}>
            <Input maxLength={40} />
          </Form.Item>
          <Form.Item name="batch" label={t("mutualAid.medicine.batch")} rules={[{ required: true }]}>
            <Input maxLength={40} />
          </Form.Item>
          <Form.Item name="expiresOn" label={t("mutualAid.medicine.expiresOn")} rules={[{ required: true }]}>
            <DatePicker style={{ width: "100%" }} />
          </Form.Item>
          <Form.Item name="quantity" label={t("mutualAid.medicine.quantity")} rules={[{ required: true }]}>
            <InputNumber min={1} max={10000} />
          </Form.Item>
          <Form.Item name="prescription" label={t("mutualAid.medicine.prescription")} valuePropName="checked">
            <Switch />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={donate.isPending}>
            {t("mutualAid.medicine.submit")}
          </Button>
        </Form>
      </Modal>
    </Flex>
  );
}

function Search() {
  const { t } = useTranslation();
  const [q, setQ] = useState("");
  const found = useQuery({
    queryKey: ["ma", "search", q],
    queryFn: () => api<{ items: MaStock[] }>(`/api/mutual-aid/medicines${qs({ q })}`),
    enabled: q !== "",
  });
  return (
    <Flex vertical gap={12}>
      <Input.Search
        placeholder={t("mutualAid.medicine.searchPlaceholder")}
        enterButton
        allowClear
        onSearch={(v) => setQ(v.trim())}
        aria-label={t("mutualAid.medicine.tabs.search")}
      />
      {q && (found.isLoading ? <PageLoading /> : <StockList items={found.data?.items ?? []} />)}
    </Flex>
  );
}
