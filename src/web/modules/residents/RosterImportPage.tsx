import { ArrowLeftOutlined, DownloadOutlined, UploadOutlined } from "@ant-design/icons";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  Button,
  Card,
  Descriptions,
  Flex,
  Grid,
  Pagination,
  Popconfirm,
  Progress,
  Space,
  Table,
  Tag,
  Typography,
  Upload,
} from "antd";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { type Answer, api, apiUpload, type OrgNode, qs } from "../../app/api.ts";
import { useMe } from "../../app/auth.tsx";
import { ResponsiveList } from "../../app/lists.tsx";
import { useSelectOrg } from "../../app/selection.tsx";
import { SheetMappingFields, SheetSample } from "../../app/sheetMapping.tsx";
import { ErrorState, PageLoading } from "../../app/states.tsx";
import { formatTime } from "../../app/time.ts";

// 花名册导入: a community's roster into the registry. Without an id: the upload and the earlier imports;
// with one: the column check, the job's progress (polled) with 取消, the summary with every flagged row's
// reason, and the conflicts a person decides one at a time.

type RosterPage = Answer<"/api/residents/rosters">;
type RosterItem = RosterPage["items"][number];
type Roster = Answer<"/api/residents/rosters/{id}">;
type Preview = Answer<"/api/residents/rosters/{id}/preview">;
type RosterConflict = Answer<"/api/residents/rosters/{id}/conflicts">["items"][number];
type State = Roster["state"];

const XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const FIELDS = ["name", "idNumber", "phone", "building", "unit", "room", "grid", "relation"] as const;
type Field = (typeof FIELDS)[number];
const CLASSES = ["created", "updated", "unchanged", "conflicts", "flagged", "skipped"] as const;
const ACTIVE: State[] = ["reading", "queued", "running"];
const STATE_COLORS: Record<State, string> = {
  previewed: "gold",
  reading: "processing",
  queued: "processing",
  running: "processing",
  succeeded: "success",
  failed: "error",
  cancelled: "default",
};
const PAGE_SIZE = 10;
const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export default function RosterImportPage() {
  const id = Number(useParams().id);
  return id ? <OneImport id={id} /> : <Imports />;
}

function StateTag({ state }: { state: State }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATE_COLORS[state]} data-testid="roster-state">
      {t(`roster.states.${state}`)}
    </Tag>
  );
}

/** The upload (for the community the resident list was showing) and the imports before it. */
function Imports() {
  const { t } = useTranslation();
  const me = useMe();
  const navigate = useNavigate();
  const phone = Grid.useBreakpoint().md === false;
  const [params] = useSearchParams();
  const org = Number(params.get("org")) || me.org.id;
  const [page, setPage] = useState(1);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useSelectOrg(org);
  const unit = useQuery({
    queryKey: ["org", org],
    queryFn: () => api<{ unit: OrgNode }>(`/api/orgs/${org}`),
  });
  const list = useQuery({
    queryKey: ["rosters", org, page],
    queryFn: () => api<RosterPage>(`/api/residents/rosters${qs({ org, page, pageSize: PAGE_SIZE })}`),
    placeholderData: keepPreviousData,
  });

  async function upload(file: File) {
    setBusy(true);
    setError(null);
    try {
      const csv = /\.csv$/i.test(file.name);
      const body = new Blob([file], { type: csv ? "text/csv" : XLSX_MIME });
      const p = await apiUpload<Preview>(`/api/residents/rosters${qs({ org, filename: file.name })}`, body);
      navigate(`/residents/rosters/${p.id}`);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  const when = (v: string) => formatTime(v);
  return (
    <Flex vertical gap={16}>
      <Typography.Title level={phone ? 3 : 2} style={{ margin: 0 }}>
        {t("roster.title")}
      </Typography.Title>
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
        {t("roster.hint")}
      </Typography.Paragraph>
      <Card>
        <Flex vertical gap={12}>
          {unit.data && (
            <Typography.Text strong>{t("roster.for", { name: unit.data.unit.name })}</Typography.Text>
          )}
          <Upload
            accept=".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"
            showUploadList={false}
            disabled={busy}
            beforeUpload={(file) => {
              void upload(file);
              return false;
            }}
          >
            <Button
              type="primary"
              icon={<UploadOutlined />}
              loading={busy}
              size={phone ? "large" : "middle"}
              block={phone}
              data-testid="roster-upload"
            >
              {busy ? t("roster.uploading") : t("roster.upload")}
            </Button>
          </Upload>
          {error && <Alert type="error" showIcon title={error} data-testid="upload-error" />}
        </Flex>
      </Card>
      <Typography.Title level={4} style={{ margin: 0 }}>
        {t("roster.history")}
      </Typography.Title>
      <div data-testid="roster-history">
        <ResponsiveList<RosterItem>
          query={list}
          items={list.data?.items ?? []}
          phone={phone}
          label={t("roster.history")}
          empty={t("roster.historyEmpty")}
          rowKey={(r) => r.id}
          onRow={(r) => ({
            onClick: () => navigate(`/residents/rosters/${r.id}`),
            style: { cursor: "pointer" },
          })}
          card={(r) => (
            <Link to={`/residents/rosters/${r.id}`}>
              <Card size="small" hoverable>
                <Flex justify="space-between" align="baseline" gap={8}>
                  <Typography.Text strong ellipsis>
                    {r.filename ?? t("roster.noFile")}
                  </Typography.Text>
                  <StateTag state={r.state} />
                </Flex>
                <Typography.Text type="secondary">
                  {r.orgName} · {t("roster.columns.rows")} {r.summary.rows} · {r.ownerName} ·{" "}
                  {when(r.createdAt)}
                </Typography.Text>
              </Card>
            </Link>
          )}
          columns={[
            {
              title: t("roster.columns.file"),
              dataIndex: "filename",
              render: (v: string | null, r) => (
                <Link to={`/residents/rosters/${r.id}`}>{v ?? t("roster.noFile")}</Link>
              ),
            },
            { title: t("roster.columns.org"), dataIndex: "orgName" },
            {
              title: t("roster.columns.state"),
              dataIndex: "state",
              render: (s: State) => <StateTag state={s} />,
            },
            { title: t("roster.columns.rows"), render: (_, r) => r.summary.rows.toLocaleString() },
            ...CLASSES.slice(0, 4).map((c) => ({
              title: t(`roster.classes.${c}`),
              key: c,
              render: (_: unknown, r: RosterItem) => r.summary[c],
            })),
            { title: t("roster.columns.owner"), dataIndex: "ownerName" },
            { title: t("roster.columns.created"), dataIndex: "createdAt", render: when },
          ]}
        />
        {(list.data?.total ?? 0) > PAGE_SIZE && (
          <Pagination
            simple={phone}
            style={{ marginTop: 12, justifyContent: "center" }}
            current={page}
            pageSize={PAGE_SIZE}
            total={list.data?.total ?? 0}
            onChange={setPage}
          />
        )}
      </div>
    </Flex>
  );
}

/** One import, from the column check to the decided conflicts. */
function OneImport({ id }: { id: number }) {
  const { t } = useTranslation();
  const phone = Grid.useBreakpoint().md === false;
  const roster = useQuery({
    queryKey: ["rosters", "one", id],
    queryFn: () => api<Roster>(`/api/residents/rosters/${id}`),
    refetchInterval: (q) => (q.state.data && ACTIVE.includes(q.state.data.state) ? 700 : false),
  });
  useSelectOrg(roster.data?.orgUnitId);
  if (roster.error) return <ErrorState error={roster.error} onRetry={() => roster.refetch()} />;
  if (!roster.data) return <PageLoading />;
  const r = roster.data;
  const ended = r.state === "succeeded" || r.state === "failed" || r.state === "cancelled";
  return (
    <Flex vertical gap={16}>
      <Link to={`/residents/rosters?org=${r.orgUnitId}`}>
        <ArrowLeftOutlined /> {t("roster.back")}
      </Link>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={phone ? 3 : 2} style={{ margin: 0, wordBreak: "break-all" }}>
          {t("roster.title")} · {r.filename ?? t("roster.noFile")}
        </Typography.Title>
        <StateTag state={r.state} />
      </Flex>
      {r.state === "previewed" && <MappingCard roster={r} />}
      {r.state !== "previewed" && <ProgressCard roster={r} />}
      {ended && r.jobId !== null && <SummaryCard roster={r} />}
      {ended && r.jobId !== null && <ConflictsCard id={id} />}
    </Flex>
  );
}

function CancelButton({ roster }: { roster: Roster }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <Popconfirm
        title={t("roster.cancelConfirm")}
        okText={t("roster.cancelOk")}
        onConfirm={async () => {
          setError(null);
          try {
            await api(`/api/residents/rosters/${roster.id}/cancel`, { method: "POST" });
          } catch (e) {
            setError(errorText(e));
          }
          await qc.invalidateQueries({ queryKey: ["rosters"] });
        }}
      >
        <Button danger data-testid="roster-cancel" style={{ alignSelf: "flex-start" }}>
          {t("roster.cancel")}
        </Button>
      </Popconfirm>
      {error && <Alert type="error" showIcon title={error} data-testid="cancel-error" />}
    </>
  );
}

function MappingCard({ roster }: { roster: Roster }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const phone = Grid.useBreakpoint().md === false;
  const preview = useQuery({
    queryKey: ["rosters", "preview", roster.id],
    queryFn: () => api<Preview>(`/api/residents/rosters/${roster.id}/preview`),
  });
  const [mapping, setMapping] = useState<Record<Field, number | null> | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (preview.data && !mapping) setMapping(preview.data.mapping as Record<Field, number | null>);
  }, [preview.data, mapping]);
  if (preview.error) return <ErrorState error={preview.error} onRetry={() => preview.refetch()} />;
  if (!preview.data || !mapping) return <PageLoading />;
  const p = preview.data;
  async function start() {
    setBusy(true);
    setError(null);
    try {
      await api(`/api/residents/rosters/${roster.id}/start`, {
        method: "POST",
        body: { headerRow: p.headerRow, mapping },
      });
      await qc.invalidateQueries({ queryKey: ["rosters"] });
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Card title={t("roster.mapping")} data-testid="mapping">
      <Flex vertical gap={12}>
        <Typography.Text type="secondary">{t("roster.mappingHint")}</Typography.Text>
        <Typography.Text strong data-testid="header-row">
          {t("roster.headerRow", { n: p.headerRow })}：{p.columns.filter(Boolean).join(" | ")}
        </Typography.Text>
        {p.problem && <Alert type="warning" showIcon title={p.problem} data-testid="mapping-problem" />}
        <SheetMappingFields
          fields={FIELDS}
          label={(f) => t(`roster.fields.${f}`)}
          none={t("roster.none")}
          columns={p.columns}
          mapping={mapping}
          onChange={setMapping}
        />
        <Typography.Text strong>{t("roster.sample")}</Typography.Text>
        <SheetSample columns={p.columns} sample={p.sample} />
        {error && <Alert type="error" showIcon title={error} data-testid="start-error" />}
        <Space wrap>
          <Button
            type="primary"
            size={phone ? "large" : "middle"}
            disabled={mapping.name === null || mapping.idNumber === null}
            loading={busy}
            onClick={start}
            data-testid="start"
          >
            {t("roster.start")}
          </Button>
          <CancelButton roster={roster} />
        </Space>
      </Flex>
    </Card>
  );
}

/** Rows read (the whole sheet, at start), cleaned (the rows the job works through), matched (done so far). */
function ProgressCard({ roster: r }: { roster: Roster }) {
  const { t } = useTranslation();
  const running = ACTIVE.includes(r.state);
  const percent = r.total ? Math.floor((r.done / r.total) * 100) : r.state === "succeeded" ? 100 : 0;
  return (
    <Card data-testid="progress">
      <Flex vertical gap={8}>
        <Progress
          percent={percent}
          status={
            r.state === "failed"
              ? "exception"
              : r.state === "succeeded"
                ? "success"
                : running
                  ? "active"
                  : "normal"
          }
        />
        <Typography.Text data-testid="progress-text">
          {t("roster.progress", { read: r.summary.rows, cleaned: r.total, matched: r.done })}
        </Typography.Text>
        {r.error && <Alert type="error" showIcon title={r.error} />}
        {r.state === "cancelled" && <Alert type="info" showIcon title={t("roster.cancelled")} />}
        {(r.state === "queued" || r.state === "running") && <CancelButton roster={r} />}
      </Flex>
    </Card>
  );
}

function SummaryCard({ roster: r }: { roster: Roster }) {
  const { t } = useTranslation();
  const phone = Grid.useBreakpoint().md === false;
  const s = r.summary;
  const counted = CLASSES.reduce((n, c) => n + s[c], 0);
  const left = s.rows - counted;
  const parts = [
    ...CLASSES.map((c) => `${t(`roster.classes.${c}`)} ${s[c]}`),
    ...(left > 0 ? [`${t("roster.unprocessed")} ${left}`] : []),
  ].join(" + ");
  const skipped = Object.entries(s.skippedBy).filter(([, n]) => n > 0);
  type Flag = Roster["flags"][number];
  return (
    <Card title={t("roster.summary")} data-testid="summary">
      <Flex vertical gap={12}>
        <Flex gap={8} wrap>
          {CLASSES.map((c) => (
            <Card key={c} size="small" style={{ minWidth: phone ? 96 : 110, textAlign: "center" }}>
              <Typography.Text type="secondary">{t(`roster.classes.${c}`)}</Typography.Text>
              <div style={{ fontSize: 24, fontWeight: 600 }} data-testid={`count-${c}`}>
                {s[c]}
              </div>
            </Card>
          ))}
        </Flex>
        <Typography.Text data-testid="summary-check">
          {t("roster.check", { rows: s.rows, parts })}
        </Typography.Text>
        {skipped.length > 0 && (
          <Space wrap>
            {t("roster.classes.skipped")}:
            {skipped.map(([k, n]) => (
              <Tag key={k}>
                {t(`roster.skippedBy.${k}`, { defaultValue: k })} {n}
              </Tag>
            ))}
          </Space>
        )}
        {r.flags.length > 0 && (
          <>
            <Flex justify="space-between" align="center" wrap gap={8}>
              <Typography.Text strong>{t("roster.flags")}</Typography.Text>
              <Button
                icon={<DownloadOutlined />}
                href={`/api/residents/rosters/${r.id}/flagged.xlsx`}
                download
                data-testid="download-flagged"
              >
                {t("roster.downloadFlagged")}
              </Button>
            </Flex>
            <Typography.Text type="secondary">{t("roster.flagsHint")}</Typography.Text>
            <Typography.Text type="secondary">{t("roster.downloadHint")}</Typography.Text>
            <Table<Flag>
              size="small"
              rowKey={(f) => `${f.n}-${f.reasons.join()}`}
              pagination={r.flags.length > 20 ? { pageSize: 20, showSizeChanger: false } : false}
              dataSource={r.flags}
              data-testid="flags"
              columns={[
                { title: t("roster.row"), dataIndex: "n", width: 64 },
                {
                  title: t("roster.reasons"),
                  dataIndex: "reasons",
                  render: (v: string[]) => v.join("；"),
                },
                {
                  title: t("roster.outcome"),
                  dataIndex: "imported",
                  width: phone ? 90 : 160,
                  render: (v?: boolean) =>
                    v ? (
                      <Tag color="blue">{t("roster.partlyImported")}</Tag>
                    ) : (
                      <Tag color="orange">{t("roster.notImported")}</Tag>
                    ),
                },
              ]}
            />
          </>
        )}
      </Flex>
    </Card>
  );
}

function ConflictsCard({ id }: { id: number }) {
  const { t } = useTranslation();
  const conflicts = useQuery({
    queryKey: ["rosters", "conflicts", id],
    queryFn: () => api<{ items: RosterConflict[] }>(`/api/residents/rosters/${id}/conflicts`),
  });
  if (conflicts.error) return <ErrorState error={conflicts.error} onRetry={() => conflicts.refetch()} />;
  if (!conflicts.data) return <PageLoading />;
  const items = conflicts.data.items;
  return (
    <Card title={t("roster.conflicts")} data-testid="conflicts">
      {items.length === 0 ? (
        <Typography.Text type="secondary">{t("roster.conflictsEmpty")}</Typography.Text>
      ) : (
        <Flex vertical gap={12}>
          {items.map((c) => (
            <ConflictItem key={c.id} c={c} />
          ))}
        </Flex>
      )}
    </Card>
  );
}

function ConflictItem({ c }: { c: RosterConflict }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [busy, setBusy] = useState<"roster" | "registry" | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function decide(choice: "roster" | "registry") {
    setBusy(choice);
    setError(null);
    try {
      await api(`/api/residents/roster-conflicts/${c.id}/decide`, { method: "POST", body: { choice } });
      await qc.invalidateQueries({ queryKey: ["rosters", "conflicts"] });
      await qc.invalidateQueries({ queryKey: ["residents"] });
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(null);
    }
  }
  return (
    <Card size="small" data-testid={`conflict-${c.n}`} style={{ background: "#fafafa" }}>
      <Flex vertical gap={6}>
        <Flex justify="space-between" wrap gap={8}>
          <Typography.Text strong>
            {t("roster.row")} {c.n} · {c.residentName} · {t(`roster.kinds.${c.kind}`)}
          </Typography.Text>
          <Tag color={c.state === "open" ? "orange" : "green"}>{t(`roster.conflictStates.${c.state}`)}</Tag>
        </Flex>
        <Descriptions size="small" column={1}>
          <Descriptions.Item label={t("roster.registry")}>{c.registryValue}</Descriptions.Item>
          <Descriptions.Item label={t("roster.roster")}>{c.rosterValue}</Descriptions.Item>
        </Descriptions>
        {c.state === "open" ? (
          <Space wrap>
            <Button type="primary" loading={busy === "roster"} onClick={() => decide("roster")}>
              {t("roster.useRoster")}
            </Button>
            <Button loading={busy === "registry"} onClick={() => decide("registry")}>
              {t("roster.keepRegistry")}
            </Button>
          </Space>
        ) : (
          c.decidedByName && (
            <Typography.Text type="secondary">
              {t("roster.decidedBy", { name: c.decidedByName })}
              {c.decidedAt ? ` · ${formatTime(c.decidedAt)}` : ""}
            </Typography.Text>
          )
        )}
        {error && <Alert type="error" showIcon title={error} data-testid="decide-error" />}
      </Flex>
    </Card>
  );
}
