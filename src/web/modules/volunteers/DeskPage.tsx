import { useQuery } from "@tanstack/react-query";
import {
  App,
  Button,
  Card,
  Drawer,
  Flex,
  Form,
  Input,
  InputNumber,
  List,
  Modal,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
  Typography,
} from "antd";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../app/api.ts";
import { useAuth, useMe } from "../../app/auth.tsx";
import { formatTime } from "../../app/time.ts";
import { OrgTreeSelect } from "../workOrders/OrgTreeSelect.tsx";
import { useActThen } from "./act.ts";
import {
  hours,
  SPECIALTIES,
  type VolBoard,
  type VolCallOut,
  type VolMember,
  type VolMemberLedger,
  type VolRedemption,
  type VolRequest,
  type VolTask,
  type VolTaskDetail,
  type VolWish,
} from "./common.ts";
import { RulesTab } from "./RulesForm.tsx";
import { TeamsTab } from "./Teams.tsx";

/**
 * The community's desk: registrations, tasks (with QR and hours), wishes, redemptions, 点单, 集结号, ranking; for a
 * community and above also its teams and party branches (Teams.tsx) and its points rules (RulesForm.tsx).
 */
export default function DeskPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const me = useMe();
  const manage = can("volunteer.manage");
  const tabs = [
    { key: "members", label: t("volunteers.desk.members"), children: <Members manage={manage} /> },
    { key: "tasks", label: t("volunteers.desk.tasks"), children: <Tasks manage={manage} /> },
    {
      key: "wishes",
      label: t("volunteers.desk.wishes"),
      children: <Wishes manage={manage} post={can("wish.post")} />,
    },
    {
      key: "requests",
      label: t("volunteers.desk.requests"),
      children: <Requests manage={manage} post={can("wish.post")} />,
    },
    {
      key: "redemptions",
      label: t("volunteers.desk.redemptions"),
      children: <Redemptions manage={manage} />,
    },
    { key: "callouts", label: t("volunteers.desk.callouts"), children: <CallOuts manage={manage} /> },
    { key: "ranking", label: t("volunteers.desk.ranking"), children: <Ranking manage={manage} /> },
    // Teams and rules belong to a community: a grid's staff (below it) have neither.
    ...(me.org.kind === "grid" || me.org.kind === "micro_grid"
      ? []
      : [
          { key: "teams", label: t("volunteers.teams.tab"), children: <TeamsTab /> },
          { key: "rules", label: t("volunteers.rules.tab"), children: <RulesTab /> },
        ]),
  ];
  return (
    <Flex vertical gap={12}>
      <Typography.Title level={2} style={{ margin: 0 }}>
        {t("volunteers.desk.title")}
      </Typography.Title>
      <Tabs items={tabs} destroyOnHidden />
    </Flex>
  );
}

const useAct = () => useActThen("vold");

function Members({ manage }: { manage: boolean }) {
  const { t } = useTranslation();
  const act = useAct();
  // A community's roll runs to hundreds: found by name or work unit.
  const [search, setSearch] = useState("");
  const q = useQuery({
    queryKey: ["vold", "members", search],
    queryFn: () =>
      api<{ items: VolMember[] }>(
        `/api/volunteers/members${search ? `?q=${encodeURIComponent(search)}` : ""}`,
      ),
  });
  const [rejecting, setRejecting] = useState<VolMember | null>(null);
  const [reason, setReason] = useState("");
  const [ledgerOf, setLedgerOf] = useState<number | null>(null);
  return (
    <>
      <Input.Search
        allowClear
        placeholder={t("volunteers.desk.searchMembers")}
        aria-label={t("volunteers.desk.searchMembers")}
        style={{ maxWidth: 320, marginBottom: 12 }}
        onSearch={(v) => setSearch(v.trim())}
      />
      <Table
        rowKey="id"
        size="small"
        loading={q.isLoading}
        dataSource={q.data?.items ?? []}
        pagination={{ pageSize: 20 }}
        scroll={{ x: "max-content" }}
        columns={[
          { title: t("volunteers.register.name"), dataIndex: "name" },
          {
            title: t("volunteers.register.kind"),
            dataIndex: "kind",
            render: (k: string) => t(`volunteers.kind.${k}`),
          },
          { title: t("volunteers.register.workUnit"), dataIndex: "workUnit" },
          { title: t("volunteers.register.phone"), dataIndex: "phone" },
          {
            title: t("volunteers.register.skills"),
            dataIndex: "skills",
            render: (s: string[]) => s.join("、"),
          },
          {
            title: t("volunteers.register.specialties"),
            dataIndex: "specialties",
            render: (s: string[]) => s.map((x) => <Tag key={x}>{t(`volunteers.specialty.${x}`)}</Tag>),
          },
          {
            title: t("volunteers.me.balance"),
            dataIndex: "balance",
            render: (b: number, m: VolMember) =>
              m.state === "confirmed" ? (
                <Button size="small" type="link" onClick={() => setLedgerOf(m.id)}>
                  {b} · {t("volunteers.desk.ledger")}
                </Button>
              ) : (
                b
              ),
          },
          {
            title: "",
            key: "state",
            render: (_: unknown, m: VolMember) =>
              m.state === "pending" && manage ? (
                <Space>
                  <Button
                    type="primary"
                    size="small"
                    onClick={() =>
                      act(
                        () =>
                          api(`/api/volunteers/members/${m.id}/decision`, {
                            method: "POST",
                            body: { decision: "confirm" },
                          }),
                        `已确认 ${m.name}`,
                      )
                    }
                  >
                    {t("volunteers.desk.confirm")}
                  </Button>
                  <Button size="small" danger onClick={() => setRejecting(m)}>
                    {t("volunteers.desk.reject")}
                  </Button>
                </Space>
              ) : (
                <Tag color={m.state === "confirmed" ? "green" : m.state === "pending" ? "gold" : "red"}>
                  {t(`volunteers.memberState.${m.state}`)}
                </Tag>
              ),
          },
        ]}
      />
      <Modal
        open={!!rejecting}
        title={`${t("volunteers.desk.reject")} · ${rejecting?.name ?? ""}`}
        onCancel={() => setRejecting(null)}
        onOk={async () => {
          if (
            rejecting &&
            (await act(() =>
              api(`/api/volunteers/members/${rejecting.id}/decision`, {
                method: "POST",
                body: { decision: "reject", reason },
              }),
            ))
          )
            setRejecting(null);
        }}
      >
        <Input.TextArea
          placeholder={t("volunteers.desk.reason")}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
      </Modal>
      <MemberLedger id={ledgerOf} manage={manage} onClose={() => setLedgerOf(null)} />
    </>
  );
}

/**
 * A member's points ledger at the desk: balance, hours, last entries; an award not yet reversed can be reversed with
 * a required reason (hours recorded by mistake). The server takes back points, hours and the task in one balanced
 * transaction and refuses (409) when the member has spent the points since.
 */
function MemberLedger({ id, manage, onClose }: { id: number | null; manage: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const act = useAct();
  const q = useQuery({
    queryKey: ["vold", "ledger", id],
    queryFn: () => api<VolMemberLedger>(`/api/volunteers/members/${id}/ledger`),
    enabled: id !== null,
  });
  const [reversing, setReversing] = useState<VolMemberLedger["entries"][number] | null>(null);
  const d = q.data;
  return (
    <Drawer
      open={id !== null}
      onClose={onClose}
      width={Math.min(640, window.innerWidth)}
      title={d ? `${d.member.name} · ${t("volunteers.desk.ledger")}` : t("volunteers.desk.ledger")}
    >
      {d && (
        <Flex vertical gap={12}>
          <Space size="large" wrap>
            <span>
              {t("volunteers.me.balance")} <Typography.Text strong>{d.balance}</Typography.Text>
            </span>
            <span>
              {t("volunteers.me.earned")} <Typography.Text strong>{d.earned}</Typography.Text>
            </span>
            <span>
              {t("volunteers.me.hours")} <Typography.Text strong>{hours(d.minutes)}</Typography.Text>
            </span>
          </Space>
          <List
            size="small"
            dataSource={d.entries}
            renderItem={(e) => (
              <List.Item
                data-testid="ledger-entry"
                actions={[
                  e.reversed ? (
                    <Tag key="r">{t("volunteers.desk.reversed")}</Tag>
                  ) : e.kind === "award" && manage ? (
                    <Button key="r" size="small" danger onClick={() => setReversing(e)}>
                      {t("volunteers.desk.reverseAward")}
                    </Button>
                  ) : null,
                ].filter(Boolean)}
              >
                <List.Item.Meta
                  title={e.memo}
                  description={`${formatTime(String(e.at))}${e.minutes ? ` · ${hours(e.minutes)} 小时` : ""}`}
                />
                <Typography.Text strong type={e.amount < 0 ? "danger" : "success"}>
                  {e.amount > 0 ? `+${e.amount}` : e.amount}
                </Typography.Text>
              </List.Item>
            )}
          />
        </Flex>
      )}
      <ReasonModal
        open={!!reversing}
        title={t("volunteers.desk.reverseAwardTitle", { memo: reversing?.memo ?? "" })}
        okText={t("volunteers.desk.reverseAward")}
        hint={t("volunteers.desk.reverseHint")}
        onCancel={() => setReversing(null)}
        onOk={async (reason) => {
          if (
            reversing &&
            (await act(
              () =>
                api(`/api/volunteers/awards/${reversing.transactionId}/reverse`, {
                  method: "POST",
                  body: { reason },
                }),
              t("volunteers.desk.reversed"),
            ))
          )
            setReversing(null);
        }}
      />
    </Drawer>
  );
}

function Tasks({ manage }: { manage: boolean }) {
  const { t } = useTranslation();
  const me = useMe();
  const act = useAct();
  const [form] = Form.useForm();
  const q = useQuery({
    queryKey: ["vold", "tasks"],
    queryFn: () => api<{ items: VolTask[] }>("/api/volunteers/tasks?all=true"),
  });
  const [open, setOpen] = useState<number | null>(null);
  return (
    <Flex vertical gap={12}>
      {manage && (
        <Card size="small" title={t("volunteers.desk.publish")}>
          <Form
            form={form}
            layout="inline"
            initialValues={{ kind: "task", capacity: 10 }}
            onFinish={async (v) => {
              const ok = await act(() =>
                api("/api/volunteers/tasks", {
                  method: "POST",
                  body: {
                    kind: v.kind,
                    title: v.title,
                    place: v.place,
                    orgUnitId: me.org.id,
                    startsAt: new Date(v.startsAt).toISOString(),
                    endsAt: new Date(v.endsAt).toISOString(),
                    capacity: v.capacity,
                    requiredSkills: [],
                  },
                }),
              );
              if (ok) form.resetFields(["title", "place"]);
            }}
          >
            <Form.Item name="kind">
              <Select
                style={{ width: 90 }}
                options={(["task", "post"] as const).map((k) => ({
                  value: k,
                  label: t(`volunteers.taskKind.${k}`),
                }))}
              />
            </Form.Item>
            <Form.Item name="title" rules={[{ required: true }]}>
              <Input placeholder={t("volunteers.desk.title_")} aria-label={t("volunteers.desk.title_")} />
            </Form.Item>
            <Form.Item name="place" rules={[{ required: true }]}>
              <Input placeholder={t("volunteers.desk.place")} aria-label={t("volunteers.desk.place")} />
            </Form.Item>
            <Form.Item name="startsAt" label={t("volunteers.desk.startsAt")} rules={[{ required: true }]}>
              <Input type="datetime-local" aria-label={t("volunteers.desk.startsAt")} />
            </Form.Item>
            <Form.Item name="endsAt" label={t("volunteers.desk.endsAt")} rules={[{ required: true }]}>
              <Input type="datetime-local" aria-label={t("volunteers.desk.endsAt")} />
            </Form.Item>
            <Form.Item name="capacity" label={t("volunteers.desk.capacity")}>
              <InputNumber min={1} max={1000} />
            </Form.Item>
            <Button type="primary" htmlType="submit">
              {t("volunteers.desk.publish")}
            </Button>
          </Form>
        </Card>
      )}
      <Table
        rowKey="id"
        size="small"
        loading={q.isLoading}
        dataSource={q.data?.items ?? []}
        onRow={(r) => ({ onClick: () => setOpen(r.id), style: { cursor: "pointer" } })}
        columns={[
          { title: t("volunteers.desk.title_"), dataIndex: "title" },
          { title: t("volunteers.desk.place"), dataIndex: "place" },
          {
            title: t("volunteers.desk.startsAt"),
            dataIndex: "startsAt",
            render: (v: string) => formatTime(v),
          },
          { title: t("volunteers.desk.endsAt"), dataIndex: "endsAt", render: (v: string) => formatTime(v) },
          {
            title: t("volunteers.desk.capacity"),
            key: "c",
            render: (_: unknown, r: VolTask) =>
              `${r.claimed}/${r.capacity}${r.waitlisted ? ` +${r.waitlisted}` : ""}`,
          },
          { title: "", dataIndex: "state" },
        ]}
      />
      <TaskDrawer id={open} onClose={() => setOpen(null)} manage={manage} />
    </Flex>
  );
}

function TaskDrawer({ id, onClose, manage }: { id: number | null; onClose: () => void; manage: boolean }) {
  const { t } = useTranslation();
  const act = useAct();
  const q = useQuery({
    queryKey: ["vold", "task", id],
    queryFn: () => api<VolTaskDetail>(`/api/volunteers/tasks/${id}`),
    enabled: id !== null,
    refetchInterval: 10_000,
  });
  const d = q.data;
  // The publisher confirms the minutes the phone measured, or corrects them (at most the task's slot).
  const [confirming, setConfirming] = useState<VolTaskDetail["claims"][number] | null>(null);
  const [minutes, setMinutes] = useState<number | null>(null);
  return (
    <Drawer
      open={id !== null}
      onClose={onClose}
      width={Math.min(640, window.innerWidth)}
      title={d?.task.title}
    >
      {d && (
        <Flex vertical gap={12}>
          <div>
            {d.task.place} · {formatTime(String(d.task.startsAt))} – {formatTime(String(d.task.endsAt))}
          </div>
          {d.qrToken && (
            <Card size="small" title={t("volunteers.desk.qr")}>
              <Typography.Text copyable code data-testid="qr-token" style={{ fontSize: 18 }}>
                {d.qrToken}
              </Typography.Text>
            </Card>
          )}
          <Table
            rowKey="id"
            size="small"
            pagination={false}
            dataSource={d.claims}
            columns={[
              { title: t("volunteers.register.name"), dataIndex: "name" },
              { title: "", dataIndex: "state", render: (s: string) => t(`volunteers.claimState.${s}`) },
              {
                title: t("volunteers.task.checkIn"),
                dataIndex: "checkInAt",
                render: (v: string | null) => formatTime(v),
              },
              {
                title: t("volunteers.task.checkOut"),
                dataIndex: "checkOutAt",
                render: (v: string | null) => formatTime(v),
              },
              { title: "分钟", dataIndex: "minutes" },
              {
                title: "",
                key: "a",
                render: (_: unknown, c: VolTaskDetail["claims"][number]) =>
                  c.confirmedAt ? (
                    <Tag color="green">{t("volunteers.task.confirmed")}</Tag>
                  ) : c.checkOutAt && manage ? (
                    <Button
                      type="primary"
                      size="small"
                      onClick={() => {
                        setMinutes(c.minutes ?? 0);
                        setConfirming(c);
                      }}
                    >
                      {t("volunteers.desk.confirmHours")}
                    </Button>
                  ) : null,
              },
            ]}
          />
          {manage && (
            <Button onClick={() => act(() => api(`/api/volunteers/tasks/${id}/close`, { method: "POST" }))}>
              {t("volunteers.desk.close")}
            </Button>
          )}
        </Flex>
      )}
      <Modal
        open={!!confirming}
        title={`${t("volunteers.desk.confirmHours")} · ${confirming?.name ?? ""}`}
        okButtonProps={{ disabled: minutes === null }}
        onCancel={() => setConfirming(null)}
        onOk={async () => {
          if (
            confirming &&
            (await act(
              () =>
                api(`/api/volunteers/claims/${confirming.id}/confirm`, {
                  method: "POST",
                  body: minutes === confirming.minutes ? {} : { minutes },
                }),
              "时长已确认，积分已发放",
            ))
          )
            setConfirming(null);
        }}
      >
        <Flex vertical gap={8}>
          <Typography.Text type="secondary">{t("volunteers.desk.confirmHint")}</Typography.Text>
          <InputNumber
            aria-label={t("volunteers.desk.confirmMinutes")}
            addonAfter="分钟"
            min={0}
            max={1440}
            value={minutes}
            onChange={(v) => setMinutes(v)}
          />
        </Flex>
      </Modal>
    </Drawer>
  );
}

function Wishes({ manage, post }: { manage: boolean; post: boolean }) {
  const { t } = useTranslation();
  const me = useMe();
  const act = useAct();
  const [form] = Form.useForm();
  const q = useQuery({
    queryKey: ["vold", "wishes"],
    queryFn: () => api<{ items: VolWish[] }>("/api/volunteers/wishes"),
  });
  return (
    <Flex vertical gap={12}>
      {post && (
        <Card size="small" title={t("volunteers.desk.postWish")}>
          <Form
            form={form}
            layout="vertical"
            onFinish={async (v) => {
              if (
                await act(() =>
                  api("/api/volunteers/wishes", {
                    method: "POST",
                    body: { orgUnitId: me.org.id, title: v.title, detail: v.detail },
                  }),
                )
              )
                form.resetFields();
            }}
          >
            <Form.Item name="title" label={t("volunteers.desk.wishTitle")} rules={[{ required: true }]}>
              <Input />
            </Form.Item>
            <Form.Item name="detail" label={t("volunteers.desk.wishDetail")} rules={[{ required: true }]}>
              <Input.TextArea rows={2} />
            </Form.Item>
            <Button type="primary" htmlType="submit">
              {t("volunteers.desk.postWish")}
            </Button>
          </Form>
        </Card>
      )}
      <Table
        rowKey="id"
        size="small"
        loading={q.isLoading}
        dataSource={q.data?.items ?? []}
        columns={[
          { title: t("volunteers.desk.wishTitle"), dataIndex: "title" },
          { title: t("volunteers.desk.description"), dataIndex: "text" },
          { title: "", dataIndex: "place" },
          { title: "", dataIndex: "ageDays", render: (n: number) => t("volunteers.wish.age", { n }) },
          { title: "", dataIndex: "memberName" },
          {
            title: "",
            dataIndex: "state",
            render: (s: string) => <Tag>{t(`volunteers.wishState.${s}`)}</Tag>,
          },
          {
            title: "",
            key: "a",
            render: (_: unknown, w: VolWish) => (
              <Space>
                {w.hasPhoto && (
                  <a href={`/api/volunteers/wishes/${w.id}/photo`} target="_blank" rel="noreferrer">
                    {t("volunteers.wish.photo")}
                  </a>
                )}
                {manage && w.state === "pending" && (
                  <Button
                    size="small"
                    type="primary"
                    onClick={() =>
                      act(() =>
                        api(`/api/volunteers/wishes/${w.id}/review`, {
                          method: "POST",
                          body: { decision: "publish" },
                        }),
                      )
                    }
                  >
                    {t("volunteers.desk.publishWish")}
                  </Button>
                )}
                {post && w.state === "fulfilled" && (
                  <Button
                    size="small"
                    type="primary"
                    onClick={() =>
                      act(() => api(`/api/volunteers/wishes/${w.id}/confirm`, { method: "POST" }))
                    }
                  >
                    {t("volunteers.desk.confirmWish")}
                  </Button>
                )}
              </Space>
            ),
          },
        ]}
      />
    </Flex>
  );
}

function Requests({ manage, post }: { manage: boolean; post: boolean }) {
  const { t } = useTranslation();
  const me = useMe();
  const act = useAct();
  const q = useQuery({
    queryKey: ["vold", "requests"],
    queryFn: () => api<{ items: VolRequest[] }>("/api/volunteers/requests"),
  });
  const [dispatching, setDispatching] = useState<VolRequest | null>(null);
  const experts = useQuery({
    queryKey: ["vold", "experts", dispatching?.specialty],
    queryFn: () =>
      api<{ items: { id: number; name: string; workUnit: string | null }[] }>(
        `/api/volunteers/experts?specialty=${dispatching!.specialty}`,
      ),
    enabled: !!dispatching,
  });
  const [memberId, setMemberId] = useState<number>();
  const [form] = Form.useForm();
  return (
    <Flex vertical gap={12}>
      {post && (
        <Form
          form={form}
          layout="inline"
          onFinish={async (v) => {
            if (
              await act(() =>
                api("/api/volunteers/requests", {
                  method: "POST",
                  body: { orgUnitId: me.org.id, specialty: v.specialty, description: v.description },
                }),
              )
            )
              form.resetFields();
          }}
        >
          <Form.Item name="specialty" rules={[{ required: true }]}>
            <Select
              style={{ width: 120 }}
              placeholder={t("volunteers.desk.specialty")}
              options={SPECIALTIES.map((s) => ({ value: s, label: t(`volunteers.specialty.${s}`) }))}
            />
          </Form.Item>
          <Form.Item name="description" rules={[{ required: true }]}>
            <Input style={{ width: 320 }} placeholder={t("volunteers.desk.description")} />
          </Form.Item>
          <Button type="primary" htmlType="submit">
            {t("volunteers.desk.newRequest")}
          </Button>
        </Form>
      )}
      <Table
        rowKey="id"
        size="small"
        dataSource={q.data?.items ?? []}
        columns={[
          {
            title: t("volunteers.desk.specialty"),
            dataIndex: "specialty",
            render: (s: string) => t(`volunteers.specialty.${s}`),
          },
          { title: t("volunteers.desk.description"), dataIndex: "description" },
          { title: "", dataIndex: "unitName" },
          { title: "", dataIndex: "memberName" },
          {
            title: "",
            dataIndex: "state",
            render: (s: string) => <Tag>{t(`volunteers.requestState.${s}`)}</Tag>,
          },
          {
            title: "",
            key: "a",
            render: (_: unknown, r: VolRequest) =>
              r.state === "requested" && post ? (
                <Button
                  size="small"
                  onClick={() =>
                    act(() => api(`/api/volunteers/requests/${r.id}/accept`, { method: "POST", body: {} }))
                  }
                >
                  {t("volunteers.desk.acceptRequest")}
                </Button>
              ) : r.state === "accepted" && manage ? (
                <Button size="small" type="primary" onClick={() => setDispatching(r)}>
                  {t("volunteers.desk.dispatch")}
                </Button>
              ) : r.state === "done" && post ? (
                <Button
                  size="small"
                  onClick={() =>
                    act(() =>
                      api(`/api/volunteers/requests/${r.id}/rate`, { method: "POST", body: { rating: 5 } }),
                    )
                  }
                >
                  {t("volunteers.desk.rate")} ★★★★★
                </Button>
              ) : null,
          },
        ]}
      />
      <Modal
        open={!!dispatching}
        title={t("volunteers.desk.dispatch")}
        onCancel={() => setDispatching(null)}
        onOk={async () => {
          if (
            dispatching &&
            (await act(() =>
              api(`/api/volunteers/requests/${dispatching.id}/dispatch`, {
                method: "POST",
                body: { memberId },
              }),
            ))
          )
            setDispatching(null);
        }}
      >
        <Select
          style={{ width: "100%" }}
          // Up to a hundred experts of one specialty: found by name.
          showSearch
          optionFilterProp="label"
          aria-label={t("volunteers.desk.dispatch")}
          value={memberId}
          onChange={setMemberId}
          options={(experts.data?.items ?? []).map((e) => ({
            value: e.id,
            label: `${e.name}${e.workUnit ? ` · ${e.workUnit}` : ""}`,
          }))}
        />
      </Modal>
    </Flex>
  );
}

function Redemptions({ manage }: { manage: boolean }) {
  const { t } = useTranslation();
  const act = useAct();
  const [reversing, setReversing] = useState<VolRedemption | null>(null);
  const q = useQuery({
    queryKey: ["vold", "redemptions"],
    queryFn: () => api<{ items: VolRedemption[] }>("/api/volunteers/redemptions"),
  });
  return (
    <>
      <Table
        rowKey="id"
        size="small"
        dataSource={q.data?.items ?? []}
        columns={[
          { title: "", dataIndex: "at", render: (v: string) => formatTime(v) },
          { title: t("volunteers.register.name"), dataIndex: "member" },
          { title: t("volunteers.desk.name"), dataIndex: "item" },
          { title: t("volunteers.desk.cost"), dataIndex: "points" },
          { title: "券码", dataIndex: "voucherCode" },
          {
            title: "",
            key: "a",
            render: (_: unknown, r: VolRedemption) =>
              r.state === "reversed" ? (
                <Tag>{r.reverseReason}</Tag>
              ) : manage ? (
                <Button size="small" danger onClick={() => setReversing(r)}>
                  {t("volunteers.desk.reverse")}
                </Button>
              ) : null,
          },
        ]}
      />
      <ReasonModal
        open={!!reversing}
        title={`${t("volunteers.desk.reverse")} · ${reversing?.member ?? ""} · ${reversing?.item ?? ""}`}
        okText={t("volunteers.desk.reverse")}
        hint={t("volunteers.desk.reverseRedemptionHint")}
        onCancel={() => setReversing(null)}
        onOk={async (reason) => {
          if (
            reversing &&
            (await act(() =>
              api(`/api/volunteers/redemptions/${reversing.id}/reverse`, {
                method: "POST",
                body: { reason },
              }),
            ))
          )
            setReversing(null);
        }}
      />
    </>
  );
}

function CallOuts({ manage }: { manage: boolean }) {
  const { t } = useTranslation();
  const me = useMe();
  const act = useAct();
  const q = useQuery({
    queryKey: ["vold", "callouts"],
    queryFn: () => api<{ items: VolCallOut[] }>("/api/volunteers/callouts"),
    refetchInterval: 5_000,
  });
  const [form] = Form.useForm();
  return (
    <Flex vertical gap={12}>
      {manage && (
        <Form
          form={form}
          layout="inline"
          onFinish={async (v) => {
            if (
              await act(() =>
                api("/api/volunteers/callouts", {
                  method: "POST",
                  body: { orgUnitId: me.org.id, title: v.title, body: v.body },
                }),
              )
            )
              form.resetFields();
          }}
        >
          <Form.Item name="title" rules={[{ required: true }]}>
            <Input placeholder={t("volunteers.desk.calloutTitle")} />
          </Form.Item>
          <Form.Item name="body" rules={[{ required: true }]}>
            <Input style={{ width: 360 }} placeholder={t("volunteers.desk.calloutBody")} />
          </Form.Item>
          <Button type="primary" danger htmlType="submit">
            {t("volunteers.desk.sound")}
          </Button>
        </Form>
      )}
      {(q.data?.items ?? []).map((c) => (
        <Card key={c.id} size="small" title={c.title} extra={formatTime(String(c.createdAt))}>
          {c.body}
          <div>
            <Typography.Text strong style={{ fontSize: 20 }}>
              {t("volunteers.callout.count", { n: c.responders })}
            </Typography.Text>{" "}
            / {c.sent}
          </div>
        </Card>
      ))}
    </Flex>
  );
}

/** Last twelve months (Asia/Shanghai), newest first: the month or the quarter it lies in is ranked. */
function recentMonths(): string[] {
  const now = new Date(Date.now() + 8 * 3600_000);
  return Array.from({ length: 12 }, (_, i) => {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1));
    return d.toISOString().slice(0, 7);
  });
}

function Ranking({ manage }: { manage: boolean }) {
  const { t } = useTranslation();
  const me = useMe();
  const act = useAct();
  const { modal } = App.useApp();
  const [period, setPeriod] = useState<"month" | "quarter">("month");
  const [by, setBy] = useState<"points" | "hours" | "tasks">("points");
  const months = recentMonths();
  const [at, setAt] = useState(months[0]);
  // A street or the district ranks its whole subtree, or one street / community of it (社区、街道、全区).
  const [org, setOrg] = useState<number | null>(null);
  const [unit, setUnit] = useState("");
  // The ranking's own search: ties share a rank, so a member with one service can sit on a later page.
  const [find, setFind] = useState("");
  const q = useQuery({
    queryKey: ["vold", "board", period, by, at, org],
    queryFn: () =>
      api<VolBoard>(
        `/api/volunteers/leaderboard?period=${period}&by=${by}&at=${at}&limit=100${org ? `&org=${org}` : ""}`,
      ),
  });
  const label = (m: string) =>
    period === "month" ? m : `${m.slice(0, 4)} 年第 ${Math.floor((Number(m.slice(5)) - 1) / 3) + 1} 季度`;
  return (
    <Flex vertical gap={12}>
      <Space wrap>
        <Select
          value={period}
          onChange={(p) => {
            setPeriod(p);
            setAt(months[0]);
          }}
          options={[
            { value: "month", label: t("volunteers.desk.month") },
            { value: "quarter", label: t("volunteers.desk.quarter") },
          ]}
        />
        <Select
          value={at}
          onChange={setAt}
          style={{ minWidth: 150 }}
          options={months
            .filter((m) => period === "month" || months.find((x) => label(x) === label(m)) === m)
            .map((m) => ({ value: m, label: label(m) }))}
        />
        {me.org.kind !== "community" && me.org.kind !== "grid" && (
          <div style={{ minWidth: 200 }}>
            <OrgTreeSelect
              kinds={["street", "community"]}
              value={org}
              onChange={setOrg}
              placeholder={`${t("volunteers.desk.scope")}：${me.org.name}`}
            />
          </div>
        )}
        <Select
          value={by}
          onChange={setBy}
          options={[
            { value: "points", label: t("volunteers.desk.byPoints") },
            { value: "hours", label: t("volunteers.desk.byHours") },
            { value: "tasks", label: t("volunteers.desk.byTasks") },
          ]}
        />
        <Input
          placeholder={t("volunteers.desk.workUnit")}
          value={unit}
          onChange={(e) => setUnit(e.target.value)}
        />
        <Button
          disabled={unit.trim().length < 2}
          href={`/api/volunteers/reports/work-unit?workUnit=${encodeURIComponent(unit.trim())}&period=${period}&at=${at}`}
        >
          {t("volunteers.desk.report")}
        </Button>
        {manage && (
          <Button
            onClick={async () => {
              const r = await act(
                () =>
                  api<{ quarter: string; below: number; sent: number; alreadyReminded: number }>(
                    "/api/volunteers/reminders",
                    { method: "POST", body: { at } },
                  ),
                t("volunteers.desk.reminded"),
              );
              if (r) modal.info({ title: t("volunteers.desk.remindResult", r) });
            }}
          >
            {t("volunteers.desk.remind")}
          </Button>
        )}
      </Space>
      <Input.Search
        allowClear
        style={{ maxWidth: 280 }}
        placeholder={t("volunteers.desk.findName")}
        value={find}
        onChange={(e) => setFind(e.target.value)}
      />
      <Table
        rowKey="memberId"
        size="small"
        loading={q.isLoading}
        dataSource={(q.data?.items ?? []).filter((i) => {
          const s = find.trim().toLowerCase();
          return !s || i.name.includes(s) || (/^[a-z]+$/.test(s) && (i.initials ?? "").startsWith(s));
        })}
        columns={[
          { title: "#", dataIndex: "rank" },
          { title: t("volunteers.register.name"), dataIndex: "name" },
          { title: t("volunteers.register.workUnit"), dataIndex: "workUnit" },
          { title: t("volunteers.desk.points"), dataIndex: "points" },
          { title: t("volunteers.me.hours"), dataIndex: "minutes", render: (m: number) => hours(m) },
          { title: t("volunteers.desk.tasksCount"), dataIndex: "tasks" },
        ]}
      />
    </Flex>
  );
}

/**
 * A reversal's confirmation (an award's, a redemption's): the reason is required (two characters or more) and
 * the dialog keeps it, empty each time it opens.
 */
function ReasonModal(props: {
  open: boolean;
  title: string;
  okText: string;
  hint: string;
  onCancel: () => void;
  onOk: (reason: string) => Promise<void>;
}) {
  const { t } = useTranslation();
  const [reason, setReason] = useState("");
  useEffect(() => {
    if (props.open) setReason("");
  }, [props.open]);
  return (
    <Modal
      open={props.open}
      title={props.title}
      okText={props.okText}
      okButtonProps={{ danger: true, disabled: reason.trim().length < 2 }}
      onCancel={props.onCancel}
      onOk={() => props.onOk(reason.trim())}
    >
      <Flex vertical gap={8}>
        <Typography.Text type="secondary">{props.hint}</Typography.Text>
        <Input.TextArea
          placeholder={t("volunteers.desk.reverseReason")}
          value={reason}
          maxLength={200}
          onChange={(e) => setReason(e.target.value)}
        />
      </Flex>
    </Modal>
  );
}
