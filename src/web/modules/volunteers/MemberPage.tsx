import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  App,
  Button,
  Card,
  Flex,
  Form,
  Input,
  List,
  Modal,
  Popconfirm,
  Result,
  Segmented,
  Select,
  Space,
  Statistic,
  Tag,
  Typography,
} from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { ApiError, api, apiUpload } from "../../app/api.ts";
import { ErrorState, PageLoading } from "../../app/states.tsx";
import { formatTime } from "../../app/time.ts";
import {
  hours,
  SPECIALTIES,
  type VolBoard,
  type VolCallOut,
  type VolItem,
  type VolLedger,
  type VolMe,
  type VolRequest,
  type VolTask,
  type VolWish,
} from "./common.ts";
import { MyTeams } from "./Teams.tsx";

/** 志愿任务, the member's phone page (where a volunteer lands): register, then tasks, wishes and "me" (hours, points, redeem, ranking). */
export default function MemberPage() {
  const { t } = useTranslation();
  const me = useQuery({
    queryKey: ["vol", "me"],
    queryFn: () => api<VolMe>("/api/volunteers/me"),
    staleTime: 0,
  });
  const [tab, setTab] = useState<"tasks" | "wishes" | "mine">("tasks");
  if (me.isLoading) return <PageLoading />;
  if (me.error) return <ErrorState error={me.error} />;
  const m = me.data!.member;
  return (
    <Flex vertical gap={12} style={{ maxWidth: 640 }}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t("tasks.title")}
        </Typography.Title>
        {/* Medicine deliveries 共享药箱 are claimed by volunteers too; they have no menu, so the way is here. */}
        <Link to="/mutual-aid/medicine">{t("mutualAid.nav.medicine")}</Link>
      </Flex>
      {!m || m.state === "rejected" ? (
        <RegisterForm rejected={m?.rejectReason ?? null} />
      ) : m.state === "pending" ? (
        <Result
          status="info"
          title={t("volunteers.register.pending")}
          subTitle={`${m.name} · ${m.communityName}`}
        />
      ) : (
        <>
          <CallOuts />
          <Segmented
            block
            size="large"
            value={tab}
            onChange={(v) => setTab(v as typeof tab)}
            options={(["tasks", "wishes", "mine"] as const).map((k) => ({
              value: k,
              label: t(`volunteers.tabs.${k}`),
            }))}
          />
          {tab === "tasks" && <Tasks />}
          {tab === "wishes" && <Wishes />}
          {tab === "mine" && <Mine me={me.data!} />}
        </>
      )}
    </Flex>
  );
}

function useAct() {
  const { message } = App.useApp();
  const qc = useQueryClient();
  return async <T,>(fn: () => Promise<T>, ok?: (r: T) => string) => {
    try {
      const r = await fn();
      if (ok) message.success(ok(r));
      await qc.invalidateQueries({ queryKey: ["vol"] });
      return r;
    } catch (e) {
      message.error(e instanceof ApiError ? e.message : String(e));
      return undefined;
    }
  };
}

function RegisterForm({ rejected }: { rejected: string | null }) {
  const { t } = useTranslation();
  const act = useAct();
  const [form] = Form.useForm();
  const kind = Form.useWatch("kind", form);
  const submit = useMutation({
    mutationFn: (v: Record<string, unknown>) =>
      act(() =>
        api("/api/volunteers/me/registration", {
          method: "POST",
          body: {
            ...Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined && x !== "")),
            skills: String(v.skills ?? "")
              .split(/[,，、\s]+/)
              .filter(Boolean),
            specialties: v.specialties ?? [],
          },
        }),
      ),
  });
  return (
    <Card title={t("volunteers.register.title")}>
      {rejected && (
        <Typography.Paragraph type="danger">
          {t("volunteers.register.rejected", { reason: rejected })}
        </Typography.Paragraph>
      )}
      <Typography.Paragraph type="secondary">{t("volunteers.register.intro")}</Typography.Paragraph>
      <Form
        form={form}
        layout="vertical"
        initialValues={{ kind: "party_member" }}
        onFinish={(v) => submit.mutate(v)}
      >
        <Form.Item name="kind" label={t("volunteers.register.kind")}>
          <Select
            size="large"
            options={(["party_member", "volunteer", "resident_volunteer"] as const).map((k) => ({
              value: k,
              label: t(`volunteers.kind.${k}`),
            }))}
          />
        </Form.Item>
        <Form.Item name="name" label={t("volunteers.register.name")} rules={[{ required: true }]}>
          <Input size="large" />
        </Form.Item>
        <Form.Item name="idNumber" label={t("volunteers.register.idNumber")} rules={[{ required: true }]}>
          <Input size="large" inputMode="text" maxLength={18} />
        </Form.Item>
        <Form.Item name="phone" label={t("volunteers.register.phone")}>
          <Input size="large" inputMode="tel" maxLength={11} />
        </Form.Item>
        {kind === "party_member" && (
          <>
            <Form.Item name="workUnit" label={t("volunteers.register.workUnit")} rules={[{ required: true }]}>
              <Input size="large" />
            </Form.Item>
            <Form.Item name="partyBranch" label={t("volunteers.register.partyBranch")}>
              <Input size="large" />
            </Form.Item>
          </>
        )}
        <Form.Item name="skills" label={t("volunteers.register.skills")}>
          <Input size="large" />
        </Form.Item>
        <Form.Item name="specialties" label={t("volunteers.register.specialties")}>
          <Select
            mode="multiple"
            size="large"
            options={SPECIALTIES.map((s) => ({ value: s, label: t(`volunteers.specialty.${s}`) }))}
          />
        </Form.Item>
        <Form.Item name="availability" label={t("volunteers.register.availability")}>
          <Input size="large" placeholder="工作日晚上、周末" />
        </Form.Item>
        <Button type="primary" size="large" block htmlType="submit" loading={submit.isPending}>
          {t("volunteers.register.submit")}
        </Button>
      </Form>
    </Card>
  );
}

function CallOuts() {
  const { t } = useTranslation();
  const act = useAct();
  const q = useQuery({
    queryKey: ["vol", "callouts"],
    queryFn: () => api<{ items: VolCallOut[] }>("/api/volunteers/callouts"),
    refetchInterval: 15_000,
  });
  return (
    <>
      {(q.data?.items ?? []).map((c) => (
        <Card key={c.id} size="small" style={{ borderColor: "#ff4d4f" }} data-testid="callout">
          <Flex justify="space-between" align="center" gap={8}>
            <div>
              <Typography.Text strong type="danger">
                集结号：{c.title}
              </Typography.Text>
              <div>{c.body}</div>
              <Typography.Text type="secondary">
                {t("volunteers.callout.count", { n: c.responders })}
              </Typography.Text>
            </div>
            <Button
              type="primary"
              danger
              size="large"
              disabled={c.mine}
              onClick={() => act(() => api(`/api/volunteers/callouts/${c.id}/respond`, { method: "POST" }))}
            >
              {c.mine ? t("volunteers.callout.responded") : t("volunteers.callout.respond")}
            </Button>
          </Flex>
        </Card>
      ))}
    </>
  );
}

function Tasks() {
  const { t } = useTranslation();
  const act = useAct();
  const q = useQuery({
    queryKey: ["vol", "tasks"],
    queryFn: () => api<{ items: VolTask[] }>("/api/volunteers/tasks"),
  });
  const [scan, setScan] = useState<{ step: "in" | "out"; task: VolTask } | null>(null);
  const [token, setToken] = useState("");
  if (q.isLoading) return <PageLoading />;
  if (q.error) return <ErrorState error={q.error} />;
  const items = q.data!.items;
  if (!items.length) return <Typography.Text type="secondary">{t("volunteers.task.none")}</Typography.Text>;
  return (
    <Flex vertical gap={8}>
      {items.map((x) => (
        <Card
          key={x.id}
          size="small"
          data-testid="task-card"
          title={x.title}
          extra={<Tag>{t(`volunteers.taskKind.${x.kind}`)}</Tag>}
        >
          <div>{x.place}</div>
          <Typography.Text type="secondary">
            {formatTime(String(x.startsAt))} – {formatTime(String(x.endsAt))}
          </Typography.Text>
          <Flex gap={6} wrap style={{ margin: "6px 0" }}>
            <Tag color="blue">
              {t("volunteers.task.places", { claimed: x.claimed, capacity: x.capacity })}
            </Tag>
            {x.waitlisted > 0 && <Tag>{t("volunteers.task.waitlist", { n: x.waitlisted })}</Tag>}
            {x.requiredSkills.map((s) => (
              <Tag key={s}>{s}</Tag>
            ))}
            {x.myState && x.myState !== "cancelled" && (
              <Tag color={x.myState === "claimed" ? "green" : "orange"}>
                {t(`volunteers.claimState.${x.myState}`)}
              </Tag>
            )}
            {x.myMinutes !== null && x.myCheckOutAt && (
              <Tag color="purple">{t("volunteers.task.minutes", { n: x.myMinutes })}</Tag>
            )}
            {x.myCheckOutAt && (
              <Tag color={x.myConfirmed ? "green" : "gold"}>
                {x.myConfirmed ? t("volunteers.task.confirmed") : t("volunteers.task.awaiting")}
              </Tag>
            )}
          </Flex>
          <Space wrap>
            {(!x.myState || x.myState === "cancelled") && (
              <Button
                type="primary"
                size="large"
                onClick={() =>
                  act(
                    () => api<{ state: string }>(`/api/volunteers/tasks/${x.id}/claim`, { method: "POST" }),
                    (r) =>
                      r.state === "claimed"
                        ? t("volunteers.task.claimedOk")
                        : t("volunteers.task.waitlistedOk"),
                  )
                }
              >
                {t("volunteers.task.claim")}
              </Button>
            )}
            {x.myState === "claimed" && !x.myCheckInAt && (
              <Button type="primary" size="large" onClick={() => setScan({ step: "in", task: x })}>
                {t("volunteers.task.checkIn")}
              </Button>
            )}
            {x.myState === "claimed" && x.myCheckInAt && !x.myCheckOutAt && (
              <Button type="primary" size="large" onClick={() => setScan({ step: "out", task: x })}>
                {t("volunteers.task.checkOut")}
              </Button>
            )}
            {(x.myState === "claimed" || x.myState === "waitlisted") && !x.myCheckInAt && (
              <Popconfirm
                title={t("volunteers.task.cancel")}
                onConfirm={() => act(() => api(`/api/volunteers/tasks/${x.id}/cancel`, { method: "POST" }))}
              >
                <Button size="large">{t("volunteers.task.cancel")}</Button>
              </Popconfirm>
            )}
          </Space>
        </Card>
      ))}
      <Modal
        open={!!scan}
        title={
          scan
            ? `${scan.step === "in" ? t("volunteers.task.checkIn") : t("volunteers.task.checkOut")} · ${scan.task.title}`
            : ""
        }
        onCancel={() => setScan(null)}
        okText={scan?.step === "in" ? t("volunteers.task.checkIn") : t("volunteers.task.checkOut")}
        onOk={async () => {
          if (!scan) return;
          const r = await act(
            () =>
              api<{ minutes: number | null }>(`/api/volunteers/check-${scan.step}`, {
                method: "POST",
                body: { token: token.trim() },
              }),
            (r) =>
              scan.step === "in"
                ? t("volunteers.task.checkedIn")
                : t("volunteers.task.checkedOut", { n: r.minutes ?? 0 }),
          );
          if (r) {
            setScan(null);
            setToken("");
          }
        }}
      >
        <Typography.Paragraph type="secondary">{t("volunteers.task.tokenHint")}</Typography.Paragraph>
        <Input
          size="large"
          aria-label={t("volunteers.task.token")}
          placeholder={t("volunteers.task.token")}
          value={token}
          onChange={(e) => setToken(e.target.value)}
        />
      </Modal>
    </Flex>
  );
}

function Wishes() {
  const { t } = useTranslation();
  const act = useAct();
  const q = useQuery({
    queryKey: ["vol", "wishes"],
    queryFn: () => api<{ items: VolWish[] }>("/api/volunteers/wishes"),
  });
  const [note, setNote] = useState("");
  if (q.isLoading) return <PageLoading />;
  if (q.error) return <ErrorState error={q.error} />;
  const items = q.data!.items;
  if (!items.length) return <Typography.Text type="secondary">{t("volunteers.wish.none")}</Typography.Text>;
  return (
    <Flex vertical gap={8}>
      {items.map((w) => (
        <Card
          key={w.id}
          size="small"
          title={w.title}
          data-testid="wish-card"
          extra={
            <Tag color={w.ageDays > 14 ? "red" : w.ageDays > 7 ? "orange" : "default"}>
              {t("volunteers.wish.age", { n: w.ageDays })}
            </Tag>
          }
        >
          <Typography.Paragraph style={{ marginBottom: 4 }}>{w.text}</Typography.Paragraph>
          <Typography.Text type="secondary">{w.place}</Typography.Text>{" "}
          <Tag>{t(`volunteers.wishState.${w.state}`)}</Tag>
          <div style={{ marginTop: 8 }}>
            {w.state === "published" && (
              <Button
                type="primary"
                size="large"
                onClick={() => act(() => api(`/api/volunteers/wishes/${w.id}/claim`, { method: "POST" }))}
              >
                {t("volunteers.wish.claim")}
              </Button>
            )}
            {w.mine && w.state === "claimed" && (
              <Flex vertical gap={6}>
                <Input
                  placeholder={t("volunteers.wish.note")}
                  value={note}
                  onChange={(e) => setNote(e.target.value)}
                />
                <label
                  className="ant-btn ant-btn-primary ant-btn-lg"
                  style={{ display: "inline-flex", alignItems: "center", cursor: "pointer" }}
                >
                  {t("volunteers.wish.fulfil")}
                  <input
                    type="file"
                    accept="image/*"
                    data-testid="wish-photo"
                    style={{ display: "none" }}
                    onChange={(e) => {
                      const f = e.target.files?.[0];
                      if (f)
                        void act(() =>
                          apiUpload(
                            `/api/volunteers/wishes/${w.id}/fulfil${note ? `?note=${encodeURIComponent(note)}` : ""}`,
                            f,
                          ),
                        );
                    }}
                  />
                </label>
              </Flex>
            )}
          </div>
        </Card>
      ))}
    </Flex>
  );
}

function Mine({ me }: { me: VolMe }) {
  const { t } = useTranslation();
  const act = useAct();
  const { modal } = App.useApp();
  const ledger = useQuery({
    queryKey: ["vol", "ledger"],
    queryFn: () => api<VolLedger>("/api/volunteers/ledger"),
  });
  const items = useQuery({
    queryKey: ["vol", "catalogue"],
    queryFn: () => api<{ items: VolItem[] }>("/api/volunteers/catalogue"),
  });
  const [period, setPeriod] = useState<"month" | "quarter">("month");
  const [by, setBy] = useState<"points" | "hours" | "tasks">("points");
  // The top 10 shown; the first 200 read so the member also finds their own place (我的排名).
  const board = useQuery({
    queryKey: ["vol", "board", period, by],
    queryFn: () => api<VolBoard>(`/api/volunteers/leaderboard?period=${period}&by=${by}&limit=200`),
  });
  const mine = board.data?.items.find((b) => b.memberId === me.member?.id);
  const requests = useQuery({
    queryKey: ["vol", "requests"],
    queryFn: () => api<{ items: VolRequest[] }>("/api/volunteers/requests"),
  });
  const balance = ledger.data?.balance ?? me.balance;
  return (
    <Flex vertical gap={12}>
      <Card size="small">
        <Flex justify="space-around" wrap gap={12}>
          <Statistic title={t("volunteers.me.balance")} value={balance} data-testid="balance" />
          <Statistic title={t("volunteers.me.hours")} value={hours(ledger.data?.minutes ?? me.minutes)} />
          <Statistic title={t("volunteers.me.earned")} value={ledger.data?.earned ?? me.earned} />
        </Flex>
      </Card>
      <MyTeams />
      <Card size="small" title={t("volunteers.me.redeem")}>
        <List
          dataSource={items.data?.items ?? []}
          renderItem={(i) => (
            <List.Item
              actions={[
                <Button
                  key="x"
                  type="primary"
                  disabled={i.stock <= 0 || i.cost > balance}
                  onClick={() =>
                    act(
                      () =>
                        api<{ voucherCode: string }>("/api/volunteers/redemptions", {
                          method: "POST",
                          body: { itemId: i.id },
                        }),
                      (r) => {
                        modal.success({ title: t("volunteers.me.voucher", { code: r.voucherCode }) });
                        return t("volunteers.me.voucher", { code: r.voucherCode });
                      },
                    )
                  }
                >
                  {t("volunteers.me.exchange")}
                </Button>,
              ]}
            >
              <List.Item.Meta
                title={i.name}
                description={
                  <>
                    <Tag color="green">{t(`volunteers.itemKind.${i.kind}`)}</Tag>
                    {t("volunteers.me.cost", { n: i.cost })} · {t("volunteers.me.stock", { n: i.stock })}
                  </>
                }
              />
            </List.Item>
          )}
        />
      </Card>
      {(requests.data?.items.length ?? 0) > 0 && (
        <Card size="small" title={t("volunteers.me.requests")}>
          <List
            dataSource={requests.data!.items}
            renderItem={(r) => (
              <List.Item
                actions={
                  r.state === "dispatched"
                    ? [
                        <Button
                          key="a"
                          type="primary"
                          onClick={() =>
                            act(() =>
                              api(`/api/volunteers/requests/${r.id}/respond`, {
                                method: "POST",
                                body: { accept: true },
                              }),
                            )
                          }
                        >
                          {t("volunteers.request.accept")}
                        </Button>,
                        <Button
                          key="d"
                          onClick={() =>
                            act(() =>
                              api(`/api/volunteers/requests/${r.id}/respond`, {
                                method: "POST",
                                body: { accept: false },
                              }),
                            )
                          }
                        >
                          {t("volunteers.request.decline")}
                        </Button>,
                      ]
                    : r.state === "taken"
                      ? [
                          <Button
                            key="f"
                            type="primary"
                            onClick={() =>
                              act(() =>
                                api(`/api/volunteers/requests/${r.id}/finish`, { method: "POST", body: {} }),
                              )
                            }
                          >
                            {t("volunteers.request.finish")}
                          </Button>,
                        ]
                      : []
                }
              >
                <List.Item.Meta
                  title={`${t(`volunteers.specialty.${r.specialty}`)} · ${r.unitName}`}
                  description={
                    <>
                      {r.description} <Tag>{t(`volunteers.requestState.${r.state}`)}</Tag>
                    </>
                  }
                />
              </List.Item>
            )}
          />
        </Card>
      )}
      <Card
        size="small"
        title={t("volunteers.me.ranking")}
        extra={
          <Segmented
            size="small"
            value={period}
            onChange={(v) => setPeriod(v as "month" | "quarter")}
            options={[
              { value: "month", label: t("volunteers.desk.month") },
              { value: "quarter", label: t("volunteers.desk.quarter") },
            ]}
          />
        }
      >
        <Flex vertical gap={8}>
          <Segmented
            block
            value={by}
            onChange={(v) => setBy(v as "points" | "hours" | "tasks")}
            options={[
              { value: "points", label: t("volunteers.desk.byPoints") },
              { value: "hours", label: t("volunteers.desk.byHours") },
              { value: "tasks", label: t("volunteers.desk.byTasks") },
            ]}
          />
          <Typography.Text strong data-testid="my-rank">
            {mine ? t("volunteers.me.myRank", { n: mine.rank }) : t("volunteers.me.unranked")}
          </Typography.Text>
          <List
            size="small"
            dataSource={(board.data?.items ?? []).slice(0, 10)}
            renderItem={(b) => (
              <List.Item extra={`${b.points} 分 · ${b.hours} 小时 · ${b.tasks} 次`}>
                <Typography.Text strong={b.memberId === me.member?.id}>
                  {b.rank}. {b.name}
                </Typography.Text>
              </List.Item>
            )}
          />
        </Flex>
      </Card>
      <Card size="small" title={t("volunteers.me.ledger")}>
        <List
          size="small"
          dataSource={ledger.data?.entries ?? []}
          renderItem={(e) => (
            <List.Item
              extra={
                <Typography.Text type={e.amount < 0 ? "danger" : "success"}>
                  {e.amount > 0 ? `+${e.amount}` : e.amount}
                </Typography.Text>
              }
            >
              <div>
                <div>{e.memo}</div>
                <Typography.Text type="secondary">{formatTime(String(e.at))}</Typography.Text>
              </div>
            </List.Item>
          )}
        />
      </Card>
    </Flex>
  );
}
