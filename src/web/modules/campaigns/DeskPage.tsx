import { DownloadOutlined, PlusOutlined, UploadOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import {
  App as AntApp,
  Button,
  Card,
  Checkbox,
  DatePicker,
  Drawer,
  Empty,
  Flex,
  Form,
  Grid,
  Input,
  List,
  Modal,
  Progress,
  Radio,
  Select,
  Space,
  Table,
  Tag,
  Typography,
  Upload,
} from "antd";
import dayjs, { type Dayjs } from "dayjs";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import type { Question } from "../../../domain/campaigns/questionnaire.ts";
import { TAG_LABELS } from "../../../domain/people/tags.ts";
import { type Answer, api, apiUpload, type OrgNode, qs } from "../../app/api.ts";
import { useAuth, useMe } from "../../app/auth.tsx";
import { ErrorState, PageLoading } from "../../app/states.tsx";

type CampaignList = Answer<"/api/campaigns">["items"];
type ProgressView = Answer<"/api/campaigns/{id}/progress">;
type Counts = ProgressView["totals"];
type HouseholdRecords = Answer<"/api/campaigns/{id}/households/{householdId}/records">;

const pct = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 1000) / 10 : 0);

/** 敲门行动: the street's and community's view — campaigns, progress by unit down to the member, findings. */
export default function DeskPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const phone = Grid.useBreakpoint().md === false;
  const [params, setParams] = useSearchParams();
  const [creating, setCreating] = useState(false);
  const list = useQuery({
    queryKey: ["campaigns"],
    queryFn: () => api<{ items: CampaignList }>("/api/campaigns"),
  });
  if (list.error) return <ErrorState error={list.error} onRetry={() => list.refetch()} />;
  if (!list.data) return <PageLoading />;
  const selected = Number(params.get("id")) || list.data.items[0]?.id;
  return (
    <Flex vertical gap={12}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={phone ? 3 : 2} style={{ margin: 0 }}>
          {t("campaigns.desk.title")}
        </Typography.Title>
        {can("campaign.manage") && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            {t("campaigns.desk.new")}
          </Button>
        )}
      </Flex>
      {list.data.items.length === 0 && <Empty description={t("campaigns.desk.empty")} />}
      <Flex gap={8} wrap>
        {list.data.items.map((c) => (
          <Card
            key={c.id}
            size="small"
            hoverable
            data-testid={`campaign-${c.id}`}
            onClick={() => setParams({ id: String(c.id) })}
            style={{
              width: phone ? "100%" : 300,
              borderColor: c.id === selected ? "#1668dc" : undefined,
            }}
          >
            <Flex vertical gap={4}>
              <Flex justify="space-between" gap={4}>
                <Typography.Text strong ellipsis>
                  {c.name}
                </Typography.Text>
                <Tag color={c.state === "running" ? "green" : "default"}>{c.org.name}</Tag>
              </Flex>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t("campaigns.desk.period", { from: c.startsOn, to: c.endsOn })} ·{" "}
                {t(`campaigns.desk.target_${c.target.kind}`)}
              </Typography.Text>
              <Progress percent={pct(c.visited, c.targetCount)} size="small" />
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t("campaigns.desk.visited")} {c.visited} / {c.targetCount} · {t("campaigns.desk.done")}{" "}
                {c.done}
              </Typography.Text>
            </Flex>
          </Card>
        ))}
      </Flex>
      {selected ? <CampaignProgress key={selected} id={selected} /> : null}
      {creating && (
        <CreateCampaign
          onClose={() => setCreating(false)}
          onCreated={(id) => setParams({ id: String(id) })}
        />
      )}
    </Flex>
  );
}

function CampaignProgress({ id }: { id: number }) {
  const { t } = useTranslation();
  const { can } = useAuth();
  const { message } = AntApp.useApp();
  const qc = useQueryClient();
  const phone = Grid.useBreakpoint().md === false;
  const [trail, setTrail] = useState<{ id: number; name: string }[]>([]);
  const [selectedUnits, setSelectedUnits] = useState<number[]>([]);
  const [flagged, setFlagged] = useState(false);
  const [household, setHousehold] = useState<number | null>(null);
  const org = trail.at(-1)?.id;
  const detail = useQuery({
    queryKey: ["campaigns", id],
    queryFn: () => api<Answer<"/api/campaigns/{id}">>(`/api/campaigns/${id}`),
  });
  const progress = useQuery({
    queryKey: ["campaigns", id, "progress", org ?? 0],
    queryFn: () => api<ProgressView>(`/api/campaigns/${id}/progress${org ? `?org=${org}` : ""}`),
    refetchInterval: 30_000,
  });
  const manage = detail.data?.canManage && can("campaign.manage");
  const rebalance = detail.data?.canReassign && can("campaign.manage");
  const members = useQuery({
    queryKey: ["campaigns", id, "members"],
    queryFn: () => api<Answer<"/api/campaigns/{id}/members">>(`/api/campaigns/${id}/members`),
    enabled: !!rebalance && progress.data?.org.kind === "grid",
  });
  if (progress.error) return <ErrorState error={progress.error} onRetry={() => progress.refetch()} />;
  if (!progress.data || !detail.data) return <PageLoading />;
  const p = progress.data;
  const countCols = (narrow: boolean) => [
    {
      title: t("campaigns.desk.progress"),
      key: "bar",
      width: narrow ? 110 : 200,
      render: (_: unknown, r: Counts) => (
        <Progress percent={pct(r.visited, r.target)} size="small" status="active" />
      ),
    },
    { title: t("campaigns.desk.target"), dataIndex: "target", key: "target" },
    { title: t("campaigns.desk.visited"), dataIndex: "visited", key: "visited" },
    { title: t("campaigns.desk.done"), dataIndex: "done", key: "done", responsive: ["sm" as const] },
    { title: t("campaigns.desk.revisit"), dataIndex: "revisit", key: "revisit", responsive: ["sm" as const] },
    { title: t("campaigns.desk.refused"), dataIndex: "refused", key: "refused", responsive: ["md" as const] },
    { title: t("campaigns.desk.notices"), dataIndex: "notices", key: "notices", responsive: ["md" as const] },
    { title: t("campaigns.desk.flagged"), dataIndex: "flagged", key: "flagged", responsive: ["md" as const] },
  ];
  const maxDay = Math.max(1, ...p.trend.map((d) => d.records));
  const actions = (
    <Space wrap>
      {trail.length > 0 && (
        <Button size="small" onClick={() => setTrail((s) => s.slice(0, -1))}>
          {t("campaigns.desk.back")}
        </Button>
      )}
      <Button size="small" onClick={() => setFlagged(true)}>
        {t("campaigns.desk.flaggedList")}
      </Button>
      {manage && (
        <Button size="small" icon={<DownloadOutlined />} href={`/api/campaigns/${id}/export`}>
          {t("campaigns.desk.export")}
        </Button>
      )}
    </Space>
  );
  return (
    <Flex vertical gap={12}>
      <Card
        size="small"
        title={
          <Flex gap={8} align="center" wrap>
            <Typography.Text strong>{detail.data.name}</Typography.Text>
            <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="progress-org">
              {p.org.name}
            </Typography.Text>
          </Flex>
        }
        extra={phone ? null : actions}
      >
        {phone && <div style={{ marginBottom: 12 }}>{actions}</div>}
        <Flex gap={16} wrap data-testid="progress-totals">
          {(["target", "visited", "done", "revisit", "refused", "notices", "flagged"] as const).map((k) => (
            <Flex vertical key={k} style={{ minWidth: 64 }}>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t(`campaigns.desk.${k}`)}
              </Typography.Text>
              <Typography.Text strong style={{ fontSize: 20 }} data-testid={`total-${k}`}>
                {p.totals[k]}
              </Typography.Text>
            </Flex>
          ))}
          <Progress
            type="circle"
            size={64}
            percent={pct(p.totals.visited, p.totals.target)}
            format={(v) => `${v}%`}
          />
        </Flex>
      </Card>
      {p.children.length > 0 && (
        <Card
          size="small"
          title={t("campaigns.desk.unit")}
          extra={
            rebalance && p.org.kind === "grid" ? (
              <Space>
                <Select
                  size="small"
                  style={{ width: 200 }}
                  placeholder={t("campaigns.desk.reassignTo")}
                  disabled={!selectedUnits.length}
                  options={members.data?.items.map((m) => ({
                    value: m.id,
                    label: `${m.name}（${m.households}）`,
                  }))}
                  onChange={async (to: number) => {
                    try {
                      const r = await api<{ moved: number }>(`/api/campaigns/${id}/reassign`, {
                        method: "POST",
                        body: { unitIds: selectedUnits, toMemberId: to },
                      });
                      void message.success(t("campaigns.desk.reassigned", { n: r.moved }));
                      setSelectedUnits([]);
                      await qc.invalidateQueries({ queryKey: ["campaigns", id] });
                    } catch (e) {
                      void message.error(e instanceof Error ? e.message : String(e));
                    }
                  }}
                />
              </Space>
            ) : null
          }
        >
          <Table
            size="small"
            rowKey="id"
            pagination={false}
            dataSource={p.children}
            scroll={{ x: true }}
            rowSelection={
              rebalance && p.org.kind === "grid"
                ? { selectedRowKeys: selectedUnits, onChange: (k) => setSelectedUnits(k as number[]) }
                : undefined
            }
            columns={[
              {
                title: t("campaigns.desk.unit"),
                dataIndex: "name",
                key: "name",
                render: (name: string, r) =>
                  r.kind === "micro_grid" && p.org.kind === "grid" ? (
                    name
                  ) : (
                    <Button
                      type="link"
                      size="small"
                      style={{ padding: 0 }}
                      onClick={() => setTrail((s) => [...s, { id: r.id, name }])}
                    >
                      {name}
                    </Button>
                  ),
              },
              ...countCols(phone),
            ]}
          />
        </Card>
      )}
      {rebalance && p.org.kind === "grid" && !phone && <AssignmentBoard campaignId={id} orgId={p.org.id} />}
      {p.members.length > 0 && (
        <Card size="small" title={t("campaigns.desk.member")}>
          <Table
            size="small"
            rowKey={(r) => String(r.id)}
            pagination={false}
            dataSource={p.members}
            scroll={{ x: true }}
            columns={[
              { title: t("campaigns.desk.member"), dataIndex: "name", key: "name" },
              ...countCols(phone),
            ]}
          />
        </Card>
      )}
      <Card size="small" title={t("campaigns.desk.trend")}>
        {p.trend.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />
        ) : (
          <Flex gap={6} align="flex-end" style={{ height: 140, overflowX: "auto" }} data-testid="trend">
            {p.trend.map((d) => (
              <Flex key={d.day} vertical align="center" gap={2} style={{ minWidth: 40 }}>
                <Typography.Text style={{ fontSize: 11 }}>{d.records}</Typography.Text>
                <div
                  title={`${d.day}: ${d.records}`}
                  style={{
                    width: 22,
                    height: Math.max(2, (d.records / maxDay) * 90),
                    background: "#1668dc",
                    borderRadius: 3,
                  }}
                />
                <Typography.Text type="secondary" style={{ fontSize: 11 }}>
                  {d.day.slice(5)}
                </Typography.Text>
              </Flex>
            ))}
          </Flex>
        )}
      </Card>
      <Card size="small" title={t("campaigns.desk.questionnaire", { v: detail.data.questionnaireVersion })}>
        <List
          size="small"
          dataSource={detail.data.questions}
          renderItem={(q, i) => (
            <List.Item>
              {i + 1}. {q.label} <Tag>{t(`campaigns.form.kinds.${q.kind}`)}</Tag>
              {q.options?.length ? (
                <Typography.Text type="secondary">{q.options.join(" / ")}</Typography.Text>
              ) : null}
            </List.Item>
          )}
        />
      </Card>
      {flagged && (
        <FlaggedDrawer campaignId={id} onClose={() => setFlagged(false)} onOpen={(h) => setHousehold(h)} />
      )}
      {household && (
        <RecordsDrawer campaignId={id} householdId={household} onClose={() => setHousehold(null)} />
      )}
    </Flex>
  );
}

type Board = Answer<"/api/campaigns/{id}/board">;

/**
 * 调整分配: one grid's members side by side, each with the households they hold. A household dragged onto
 * another member is reassigned at once; several ticked go together to the member chosen. The server checks
 * the member and every household (404, nothing moved); the board then shows what the server holds.
 */
function AssignmentBoard({ campaignId, orgId }: { campaignId: number; orgId: number }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const qc = useQueryClient();
  const [ticked, setTicked] = useState<number[]>([]);
  const [over, setOver] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const board = useQuery({
    queryKey: ["campaigns", campaignId, "board", orgId],
    queryFn: () => api<Board>(`/api/campaigns/${campaignId}/board?org=${orgId}`),
  });
  if (board.error) return <ErrorState error={board.error} onRetry={() => board.refetch()} />;
  if (!board.data) return <PageLoading />;
  const b = board.data;
  const move = async (householdIds: number[], toMemberId: number) => {
    const moving = householdIds.filter((h) => b.households.find((x) => x.id === h)?.memberId !== toMemberId);
    if (!moving.length) return;
    setBusy(true);
    try {
      const r = await api<{ moved: number; to: { name: string } }>(`/api/campaigns/${campaignId}/reassign`, {
        method: "POST",
        body: { householdIds: moving, toMemberId },
      });
      void message.success(`${t("campaigns.desk.reassigned", { n: r.moved })} → ${r.to.name}`);
      setTicked([]);
      await qc.invalidateQueries({ queryKey: ["campaigns", campaignId] });
    } catch (e) {
      void message.error(`${t("campaigns.desk.moveFailed")}：${e instanceof Error ? e.message : String(e)}`);
    } finally {
      setBusy(false);
    }
  };
  const columns: { id: number | null; name: string; unit: string }[] = [
    ...b.members,
    ...(b.households.some((h) => h.memberId === null)
      ? [{ id: null, name: t("campaigns.desk.unassigned"), unit: "" }]
      : []),
  ];
  return (
    <Card
      size="small"
      title={t("campaigns.desk.board")}
      data-testid="assignment-board"
      extra={
        <Space>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t("campaigns.desk.bulkTo", { n: ticked.length })}
          </Typography.Text>
          <Select
            size="small"
            style={{ width: 200 }}
            data-testid="bulk-to"
            placeholder={t("campaigns.desk.reassignTo")}
            disabled={!ticked.length || busy}
            value={null}
            options={b.members.map((m) => ({ value: m.id, label: `${m.name}（${m.unit}）` }))}
            onChange={(to: number) => void move(ticked, to)}
          />
        </Space>
      }
    >
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 8 }}>
        {t("campaigns.desk.boardHint")}
        {b.truncated ? ` · ${t("campaigns.desk.truncated", { n: b.households.length })}` : ""}
      </Typography.Paragraph>
      <Flex gap={8} style={{ overflowX: "auto" }} align="flex-start">
        {columns.map((m) => {
          const held = b.households.filter((h) => h.memberId === m.id);
          return (
            // biome-ignore lint/a11y/noStaticElementInteractions: a drop target; the ticks and the bulk select move households by keyboard
            <div
              key={m.id ?? "none"}
              data-testid={`member-col-${m.id ?? "none"}`}
              onDragOver={(e) => {
                if (m.id === null) return;
                e.preventDefault();
                setOver(m.id);
              }}
              onDragLeave={() => setOver((o) => (o === m.id ? null : o))}
              onDrop={(e) => {
                e.preventDefault();
                setOver(null);
                const hid = Number(e.dataTransfer.getData("text/plain"));
                if (m.id !== null && hid) void move([hid], m.id);
              }}
              style={{
                minWidth: 240,
                flex: "0 0 240px",
                border: `1px ${over === m.id ? "solid #1668dc" : "dashed #d9d9d9"}`,
                background: over === m.id ? "#e6f4ff" : "#fafafa",
                borderRadius: 6,
                padding: 6,
              }}
            >
              <Flex justify="space-between" gap={6} style={{ marginBottom: 6 }}>
                <Typography.Text strong>{m.name}</Typography.Text>
                <Typography.Text
                  type="secondary"
                  style={{ whiteSpace: "nowrap" }}
                  data-testid={`member-count-${m.id ?? "none"}`}
                >
                  {held.length} 户
                </Typography.Text>
              </Flex>
              <Flex vertical gap={4} style={{ maxHeight: 320, overflowY: "auto" }}>
                {held.map((h) => (
                  // biome-ignore lint/a11y/noStaticElementInteractions: dragged by mouse; the tick beside it serves the keyboard
                  <div
                    key={h.id}
                    draggable={!busy}
                    data-testid={`hh-${h.id}`}
                    onDragStart={(e) => {
                      e.dataTransfer.setData("text/plain", String(h.id));
                      e.dataTransfer.effectAllowed = "move";
                    }}
                    style={{
                      background: "#fff",
                      border: "1px solid #f0f0f0",
                      borderRadius: 4,
                      padding: "2px 6px",
                      cursor: "grab",
                      fontSize: 12,
                    }}
                  >
                    <Checkbox
                      checked={ticked.includes(h.id)}
                      onChange={(e) =>
                        setTicked((s) => (e.target.checked ? [...s, h.id] : s.filter((x) => x !== h.id)))
                      }
                    >
                      <span title={h.address}>{h.address.replace(/^.*社区/, "")}</span>
                    </Checkbox>
                    {h.status !== "pending" && (
                      <Tag style={{ marginLeft: 4 }}>{t(`campaigns.status.${h.status}`)}</Tag>
                    )}
                  </div>
                ))}
              </Flex>
            </div>
          );
        })}
      </Flex>
    </Card>
  );
}

function FlaggedDrawer({
  campaignId,
  onClose,
  onOpen,
}: {
  campaignId: number;
  onClose: () => void;
  onOpen: (id: number) => void;
}) {
  const { t } = useTranslation();
  const q = useQuery({
    queryKey: ["campaigns", campaignId, "flagged"],
    queryFn: () =>
      api<Answer<"/api/campaigns/{id}/households">>(
        `/api/campaigns/${campaignId}/households?flagged=true&pageSize=200`,
      ),
  });
  return (
    <Drawer open onClose={onClose} title={t("campaigns.desk.flaggedList")} width={480}>
      {!q.data ? (
        <PageLoading />
      ) : (
        <List
          size="small"
          dataSource={q.data.items}
          locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} /> }}
          renderItem={(h) => (
            <List.Item onClick={() => onOpen(h.id)} style={{ cursor: "pointer" }}>
              <Flex vertical>
                <Typography.Link>{h.address}</Typography.Link>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {h.unit} · {h.member ?? "—"} · {t(`campaigns.status.${h.status}`)} · {h.records}
                </Typography.Text>
              </Flex>
            </List.Item>
          )}
        />
      )}
    </Drawer>
  );
}

function RecordsDrawer({
  campaignId,
  householdId,
  onClose,
}: {
  campaignId: number;
  householdId: number;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const q = useQuery({
    queryKey: ["campaigns", campaignId, "records", householdId],
    queryFn: () => api<HouseholdRecords>(`/api/campaigns/${campaignId}/households/${householdId}/records`),
  });
  return (
    <Drawer open onClose={onClose} title={q.data?.address ?? t("campaigns.desk.recordsOf")} width={480}>
      {!q.data ? (
        <PageLoading />
      ) : (
        <Flex vertical gap={8}>
          {q.data.records.map((r) => (
            <Card key={r.id} size="small" title={`${r.member} · ${r.outcomeLabel}`}>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {new Date(r.visitedAt).toLocaleString("zh-CN")} ·{" "}
                {t("campaigns.desk.version", { v: r.version })}
              </Typography.Text>
              {r.answers.map((a) => (
                <div key={a.question}>
                  {a.label}：{a.answer}
                </div>
              ))}
              {r.notice && (
                <div>
                  {t("campaigns.field.notice")}：{t(`campaigns.methods.${r.notice.method}`)}{" "}
                  {r.notice.to ?? ""}
                </div>
              )}
              {r.photos.map((p) => (
                <img
                  key={p}
                  src={`/api/campaigns/photos/${p}`}
                  alt=""
                  style={{ maxWidth: 160, marginTop: 4 }}
                />
              ))}
              {r.workOrderId && <Tag color="blue">工单 #{r.workOrderId}</Tag>}
            </Card>
          ))}
        </Flex>
      )}
    </Drawer>
  );
}

const DEFAULT_QUESTIONS: Question[] = [
  { id: "present", kind: "number", label: "常住人数", required: true },
  { id: "elderly", kind: "yesno", label: "是否有80岁以上或独居老人", required: true },
  {
    id: "elderly_help",
    kind: "single",
    label: "老人目前情况",
    options: ["情况良好", "需要上门探访", "需要助餐送药"],
    showIf: { question: "elderly", equals: "yes" },
    raisesOrder: { when: "需要上门探访", categoryCode: "elderly_visit" },
  },
];

function CreateCampaign({ onClose, onCreated }: { onClose: () => void; onCreated: (id: number) => void }) {
  const { t } = useTranslation();
  const me = useMe();
  const { message } = AntApp.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm();
  const [owner, setOwner] = useState<number>(me.org.id);
  const [questions, setQuestions] = useState<Question[]>(DEFAULT_QUESTIONS);
  const [busy, setBusy] = useState(false);
  const [upload, setUpload] = useState<Answer<"/api/campaigns/uploads/{id}"> | null>(null);
  const [uploading, setUploading] = useState(false);
  const children = useQuery({
    queryKey: ["orgs", "children", me.org.id],
    queryFn: () => api<{ items: OrgNode[] }>(`/api/orgs?parent=${me.org.id}`),
  });
  const grids = useQuery({
    queryKey: ["campaigns", "grids", owner],
    queryFn: async () => {
      const under = await api<{ items: OrgNode[] }>(`/api/orgs?parent=${owner}`);
      const direct = under.items.filter((o) => o.kind === "grid");
      if (direct.length) return direct;
      const nested = await Promise.all(
        under.items.map((c) => api<{ items: OrgNode[] }>(`/api/orgs?parent=${c.id}`)),
      );
      return nested.flatMap((n) => n.items.filter((o) => o.kind === "grid"));
    },
  });
  const owners = useMemo(
    () => [
      { value: me.org.id, label: me.org.name },
      ...(children.data?.items ?? [])
        .filter((o) => o.kind === "community")
        .map((o) => ({ value: o.id, label: o.name })),
    ],
    [me.org, children.data],
  );
  const setQ = (i: number, patch: Partial<Question>) =>
    setQuestions((qs) => qs.map((q, j) => (j === i ? { ...q, ...patch } : q)));

  async function sendList(file: File) {
    setUploading(true);
    try {
      const type = /\.csv$/i.test(file.name)
        ? "text/csv"
        : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
      const r = await apiUpload<Answer<"/api/campaigns/uploads/{id}">>(
        `/api/campaigns/uploads${qs({ org: owner, filename: file.name })}`,
        new Blob([file], { type }),
      );
      setUpload(r);
    } catch (e) {
      setUpload(null);
      void message.error(e instanceof Error ? e.message : String(e));
    } finally {
      setUploading(false);
    }
  }

  async function submit() {
    const v = await form.validateFields();
    if (v.target === "upload" && !upload) {
      void message.error(t("campaigns.form.uploadFirst"));
      return;
    }
    setBusy(true);
    try {
      const [from, to] = v.period as [Dayjs, Dayjs];
      const r = await api<{ id: number; households: number }>("/api/campaigns", {
        method: "POST",
        body: {
          name: v.name,
          orgUnitId: owner,
          startsOn: from.format("YYYY-MM-DD"),
          endsOn: to.format("YYYY-MM-DD"),
          gridIds: v.gridIds,
          target: {
            kind: v.target,
            ...(v.target === "tags" ? { tags: v.tags } : {}),
            ...(v.target === "list" ? { listId: Number(v.listId) } : {}),
            ...(v.target === "upload" && upload ? { uploadId: upload.id } : {}),
          },
          questions,
          ...(v.notice ? { notice: { title: v.notice, body: v.noticeBody ?? "" } } : {}),
        },
      });
      void message.success(t("campaigns.form.created", { n: r.households }));
      await qc.invalidateQueries({ queryKey: ["campaigns"] });
      onCreated(r.id);
      onClose();
    } catch (e) {
      void message.error(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open
      onCancel={onClose}
      onOk={() => void submit()}
      okText={t("campaigns.form.create")}
      confirmLoading={busy}
      title={t("campaigns.desk.new")}
      width={720}
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={{
          target: "all",
          period: [dayjs(), dayjs().add(14, "day")],
          notice: "爱心告知书",
          noticeBody: "社区“爱心专班”24小时值守，如有就医、配药、生活困难，请联系您的网格员。",
        }}
      >
        <Form.Item name="name" label={t("campaigns.form.name")} rules={[{ required: true, min: 2, max: 60 }]}>
          <Input />
        </Form.Item>
        <Flex gap={12} wrap>
          <Form.Item label={t("campaigns.form.org")} style={{ minWidth: 200 }}>
            <Select
              value={owner}
              options={owners}
              onChange={(v) => {
                setOwner(v);
                form.setFieldValue("gridIds", []);
              }}
            />
          </Form.Item>
          <Form.Item name="period" label={t("campaigns.form.period")} rules={[{ required: true }]}>
            <DatePicker.RangePicker />
          </Form.Item>
        </Flex>
        <Form.Item name="gridIds" label={t("campaigns.form.grids")} rules={[{ required: true }]}>
          <Select
            mode="multiple"
            loading={grids.isLoading}
            maxTagCount="responsive"
            options={grids.data?.map((g) => ({ value: g.id, label: g.name }))}
            dropdownRender={(menu) => (
              <>
                <Button
                  type="link"
                  size="small"
                  onClick={() => form.setFieldValue("gridIds", grids.data?.map((g) => g.id) ?? [])}
                >
                  全选
                </Button>
                {menu}
              </>
            )}
          />
        </Form.Item>
        <Form.Item name="target" label={t("campaigns.form.target")}>
          <Radio.Group
            options={(["all", "tags", "list", "upload"] as const).map((k) => ({
              value: k,
              label: t(`campaigns.desk.target_${k}`),
            }))}
          />
        </Form.Item>
        <Form.Item noStyle shouldUpdate>
          {() =>
            form.getFieldValue("target") === "tags" ? (
              <Form.Item name="tags" label={t("campaigns.form.tags")} rules={[{ required: true }]}>
                <Checkbox.Group
                  options={Object.entries(TAG_LABELS).map(([value, label]) => ({ value, label }))}
                />
              </Form.Item>
            ) : form.getFieldValue("target") === "list" ? (
              <Form.Item name="listId" label={t("campaigns.form.listId")} rules={[{ required: true }]}>
                <Input inputMode="numeric" />
              </Form.Item>
            ) : form.getFieldValue("target") === "upload" ? (
              <Form.Item label={t("campaigns.form.upload")}>
                <Flex vertical gap={8}>
                  <Upload
                    accept=".xlsx,.csv"
                    showUploadList={false}
                    beforeUpload={(file) => {
                      void sendList(file);
                      return false;
                    }}
                  >
                    <Button icon={<UploadOutlined />} loading={uploading} data-testid="upload-list">
                      {t("campaigns.form.uploadButton")}
                    </Button>
                  </Upload>
                  {upload && (
                    <>
                      <Typography.Text data-testid="upload-summary">
                        {upload.filename ? `${upload.filename}：` : ""}
                        {t("campaigns.form.uploaded", {
                          rows: upload.rows,
                          matched: upload.matched,
                          unmatched: upload.unmatchedCount,
                        })}
                      </Typography.Text>
                      {upload.unmatched.length > 0 && (
                        <Table
                          size="small"
                          rowKey="n"
                          data-testid="upload-unmatched"
                          pagination={{ pageSize: 5, size: "small" }}
                          dataSource={upload.unmatched}
                          columns={[
                            {
                              title: "",
                              dataIndex: "n",
                              width: 80,
                              render: (n: number) => t("campaigns.form.unmatchedRow", { n }),
                            },
                            { title: "", dataIndex: "text", ellipsis: true },
                            { title: t("campaigns.form.unmatchedReason"), dataIndex: "reason" },
                          ]}
                        />
                      )}
                    </>
                  )}
                </Flex>
              </Form.Item>
            ) : null
          }
        </Form.Item>
        <Flex gap={12} wrap>
          <Form.Item name="notice" label={t("campaigns.form.notice")} style={{ minWidth: 200 }}>
            <Input maxLength={60} />
          </Form.Item>
          <Form.Item
            name="noticeBody"
            label={t("campaigns.form.noticeBody")}
            style={{ flex: 1, minWidth: 240 }}
          >
            <Input.TextArea rows={2} maxLength={4000} />
          </Form.Item>
        </Flex>
        <Typography.Text strong>{t("campaigns.form.questions")}</Typography.Text>
        <Flex vertical gap={8} style={{ marginTop: 8 }}>
          {questions.map((q, i) => (
            <Card key={q.id} size="small">
              <Flex gap={8} wrap align="center">
                <Select
                  style={{ width: 100 }}
                  value={q.kind}
                  onChange={(kind) => setQ(i, { kind })}
                  options={(["single", "multi", "number", "text", "photo", "yesno"] as const).map((k) => ({
                    value: k,
                    label: t(`campaigns.form.kinds.${k}`),
                  }))}
                />
                <Input
                  style={{ flex: 1, minWidth: 180 }}
                  placeholder={t("campaigns.form.label")}
                  value={q.label}
                  onChange={(e) => setQ(i, { label: e.target.value })}
                />
                <Checkbox checked={!!q.required} onChange={(e) => setQ(i, { required: e.target.checked })}>
                  {t("campaigns.form.requiredQ")}
                </Checkbox>
                <Button
                  size="small"
                  danger
                  onClick={() => setQuestions((qs) => qs.filter((_, j) => j !== i))}
                >
                  ×
                </Button>
              </Flex>
              {(q.kind === "single" || q.kind === "multi") && (
                <Input
                  style={{ marginTop: 6 }}
                  placeholder={t("campaigns.form.options")}
                  value={q.options?.join("、") ?? ""}
                  onChange={(e) =>
                    setQ(i, {
                      options: e.target.value
                        .split(/[、,，]/)
                        .map((s) => s.trim())
                        .filter(Boolean),
                    })
                  }
                />
              )}
              {i > 0 && questions[i - 1].kind === "yesno" && (
                <Checkbox
                  style={{ marginTop: 6 }}
                  checked={q.showIf?.question === questions[i - 1].id}
                  onChange={(e) =>
                    setQ(i, {
                      showIf: e.target.checked ? { question: questions[i - 1].id, equals: "yes" } : undefined,
                    })
                  }
                >
                  {t("campaigns.form.showIf")}
                </Checkbox>
              )}
            </Card>
          ))}
          <Button
            icon={<PlusOutlined />}
            onClick={() =>
              setQuestions((qs) => [...qs, { id: `q${Date.now().toString(36)}`, kind: "text", label: "" }])
            }
          >
            {t("campaigns.form.addQuestion")}
          </Button>
        </Flex>
      </Form>
    </Modal>
  );
}
