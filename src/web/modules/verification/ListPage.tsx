import { DownloadOutlined, UploadOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  DatePicker,
  Flex,
  Grid,
  Progress,
  Space,
  Table,
  Tag,
  Typography,
} from "antd";
import type { Dayjs } from "dayjs";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate, useParams } from "react-router";
import { api, apiUpload, qs } from "../../app/api.ts";
import { useAuth } from "../../app/auth.tsx";
import { SheetMappingFields, SheetSample } from "../../app/sheetMapping.tsx";
import { ErrorState, PageLoading } from "../../app/states.tsx";
import { STATE_COLORS } from "./ListsPage.tsx";
import {
  BATCH_STATUSES,
  type Batches,
  CLASSES,
  FIELDS,
  type Grids,
  type Preview,
  type Rows,
  type SheetReport,
  type Summary,
  type VList,
  type VRow,
  XLSX_MIME,
} from "./types.ts";

type Field = (typeof FIELDS)[number];
type Cls = (typeof CLASSES)[number];
type BatchStatus = (typeof BATCH_STATUSES)[number];

/** One list: confirm its columns, follow the import, read the classification and the grids' progress. */
export default function ListPage() {
  const { t } = useTranslation();
  const id = Number(useParams().id);
  const phone = Grid.useBreakpoint().md === false;
  const { can } = useAuth();
  const list = useQuery({
    queryKey: ["verification", "list", id],
    queryFn: () => api<VList>(`/api/verification/lists/${id}`),
    refetchInterval: (q) => (q.state.data?.state === "running" ? 1000 : false),
  });
  if (list.error) return <ErrorState error={list.error} onRetry={() => list.refetch()} />;
  if (!list.data) return <PageLoading />;
  const l = list.data;
  return (
    <Flex vertical gap={16}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={phone ? 3 : 2} style={{ margin: 0 }}>
          {l.title}
        </Typography.Title>
        <Tag color={STATE_COLORS[l.state]} data-testid="list-state">
          {t(`verification.states.${l.state}`)}
        </Tag>
      </Flex>
      {l.state === "previewed" && l.mine && <MappingCard id={id} />}
      {(l.state === "running" || l.state === "cancelled" || l.state === "failed") && (
        <ProgressCard list={l} />
      )}
      {l.state === "succeeded" && (
        <>
          <Space wrap>
            <Button
              icon={<DownloadOutlined />}
              href={`/api/verification/lists/${id}/export`}
              data-testid="export"
            >
              {t("verification.download")}
            </Button>
            <Button
              icon={<DownloadOutlined />}
              href={`/api/verification/lists/${id}/export?flagged=true`}
              data-testid="export-flagged"
            >
              {t("verification.downloadFlagged")}
            </Button>
          </Space>
          <SummaryCard id={id} />
          <BatchesCard list={l} />
          {can("verification.task") && <OutcomeSheetCard id={id} />}
          <GridsCard id={id} />
        </>
      )}
    </Flex>
  );
}

function MappingCard({ id }: { id: number }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const { message } = AntApp.useApp();
  const preview = useQuery({
    queryKey: ["verification", "preview", id],
    queryFn: () => api<Preview>(`/api/verification/lists/${id}/preview`),
  });
  const [mapping, setMapping] = useState<Record<Field, number | null> | null>(null);
  const [deadline, setDeadline] = useState<Dayjs | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (preview.data && !mapping) setMapping(preview.data.mapping as Record<Field, number | null>);
  }, [preview.data, mapping]);
  if (preview.error) return <ErrorState error={preview.error} />;
  if (!preview.data || !mapping) return <PageLoading />;
  const p = preview.data;
  const usable = mapping.name !== null || mapping.idNumber !== null;
  async function start() {
    setBusy(true);
    try {
      await api(`/api/verification/lists/${id}/start`, {
        method: "POST",
        body: {
          headerRow: p.headerRow,
          mapping,
          ...(deadline ? { deadline: deadline.format("YYYY-MM-DD") } : {}),
        },
      });
      await qc.invalidateQueries({ queryKey: ["verification"] });
    } catch (e) {
      void message.error(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Card title={t("verification.mapping")} data-testid="mapping">
      <Flex vertical gap={12}>
        <Typography.Text type="secondary">{t("verification.mappingHint")}</Typography.Text>
        <Typography.Text>{t("verification.headerRow", { n: p.headerRow })}</Typography.Text>
        <SheetMappingFields
          fields={FIELDS}
          label={(f) => t(`verification.fields.${f}`)}
          none={t("verification.none")}
          columns={p.columns}
          mapping={mapping}
          onChange={setMapping}
          column={{ xs: 1, sm: 2, md: 3 }}
        />
        <Typography.Text strong>{t("verification.sample")}</Typography.Text>
        <SheetSample columns={p.columns} sample={p.sample} />
        <Flex gap={12} align="center" wrap>
          <span>{t("verification.deadline")}</span>
          <DatePicker value={deadline} onChange={setDeadline} data-testid="deadline" />
          <Button type="primary" disabled={!usable} loading={busy} onClick={start} data-testid="start">
            {t("verification.start")}
          </Button>
        </Flex>
      </Flex>
    </Card>
  );
}

function ProgressCard({ list }: { list: VList }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const c = list.counters;
  const read = c.read ?? 0;
  const percent = list.estimate ? Math.min(99, Math.floor((list.checkpoint / list.estimate) * 100)) : 0;
  return (
    <Card data-testid="progress">
      <Flex vertical gap={8}>
        <Progress
          percent={list.state === "running" ? percent : percent}
          status={list.state === "failed" ? "exception" : list.state === "running" ? "active" : "normal"}
        />
        <Typography.Text>
          {t("verification.progress", { read, cleaned: c.cleaned ?? 0, matched: c.matched ?? 0 })}
        </Typography.Text>
        {list.error && <Alert type="error" showIcon title={list.error} />}
        {list.state === "running" && list.mine && (
          <Button
            danger
            style={{ alignSelf: "flex-start" }}
            onClick={async () => {
              await api(`/api/verification/lists/${list.id}/cancel`, { method: "POST" });
              await qc.invalidateQueries({ queryKey: ["verification"] });
            }}
          >
            {t("verification.cancel")}
          </Button>
        )}
      </Flex>
    </Card>
  );
}

interface Pick {
  batch?: BatchStatus;
  cls?: Cls;
  community?: string | null;
  street?: string | null;
  label: string;
}

function SummaryCard({ id }: { id: number }) {
  const { t } = useTranslation();
  const [pick, setPick] = useState<Pick | null>(null);
  const summary = useQuery({
    queryKey: ["verification", "summary", id],
    queryFn: () => api<Summary>(`/api/verification/lists/${id}/summary`),
  });
  if (summary.error) return <ErrorState error={summary.error} />;
  if (!summary.data) return <PageLoading />;
  const s = summary.data;
  const skipped = s.skipped.reduce((n, x) => n + x.count, 0);
  type Line = Summary["lines"][number];
  const place = (r: Line) =>
    r.communityName
      ? `${r.streetName ?? ""} ${r.communityName}`
      : (r.streetName ?? t("verification.unplaced"));
  const cell = (r: Line | null, cls: Cls) => {
    const n = r ? (r.counts[cls] ?? 0) : (s.totals[cls] ?? 0);
    if (!n) return 0;
    return (
      <Button
        type="link"
        size="small"
        style={{ padding: 0 }}
        data-testid={r ? undefined : `total-${cls}`}
        onClick={() =>
          setPick({
            cls,
            community: r?.communityCode,
            street: r && !r.communityCode ? r.streetCode : undefined,
            label: `${r ? place(r) : t("verification.total")} · ${t(`verification.classes.${cls}`)}`,
          })
        }
      >
        {n.toLocaleString()}
      </Button>
    );
  };
  return (
    <Card title={t("verification.summary")} data-testid="summary">
      <Flex vertical gap={12}>
        <Typography.Text data-testid="summary-check">
          {t("verification.summaryCheck", {
            rows: s.rowsRead,
            header: s.headerRows,
            skipped,
            classified: s.classified,
          })}
        </Typography.Text>
        <Space wrap>
          {t("verification.skipped")}:
          {s.skipped.map((x) => (
            <Tag key={x.reason}>
              {x.label} {x.count}
            </Tag>
          ))}
        </Space>
        <Table<Line>
          size="small"
          rowKey={(r) => `${r.streetCode}|${r.communityCode}`}
          pagination={false}
          scroll={{ x: true }}
          dataSource={s.lines}
          columns={[
            {
              title: `${t("verification.street")} / ${t("verification.community")}`,
              render: (_, r) => place(r),
            },
            ...CLASSES.map((cls) => ({
              title: t(`verification.classes.${cls}`),
              key: cls,
              render: (_: unknown, r: Line) => cell(r, cls),
            })),
            { title: t("verification.total"), dataIndex: "total" },
          ]}
          summary={() => (
            <Table.Summary.Row>
              <Table.Summary.Cell index={0}>{t("verification.total")}</Table.Summary.Cell>
              {CLASSES.map((cls, i) => (
                <Table.Summary.Cell key={cls} index={i + 1}>
                  {cell(null, cls)}
                </Table.Summary.Cell>
              ))}
              <Table.Summary.Cell index={CLASSES.length + 1}>{s.classified}</Table.Summary.Cell>
            </Table.Summary.Row>
          )}
        />
        {pick && <RowsTable id={id} pick={pick} />}
      </Flex>
    </Card>
  );
}

function RowsTable({ id, pick }: { id: number; pick: Pick }) {
  const { t } = useTranslation();
  const [page, setPage] = useState(1);
  const rows = useQuery({
    queryKey: ["verification", "rows", id, pick, page],
    queryFn: () =>
      api<Rows>(
        `/api/verification/lists/${id}/rows${qs({
          class: pick.cls,
          community: pick.community ?? undefined,
          street: pick.street ?? undefined,
          batch: pick.batch,
          page,
          pageSize: 20,
        })}`,
      ),
  });
  return (
    <div data-testid="rows">
      <Typography.Text strong>
        {t("verification.rowsOf", { what: pick.label, total: rows.data?.total ?? 0 })}
      </Typography.Text>
      <Table<VRow>
        size="small"
        rowKey="id"
        loading={rows.isLoading}
        dataSource={rows.data?.items ?? []}
        scroll={{ x: true }}
        pagination={{ current: page, pageSize: 20, total: rows.data?.total ?? 0, onChange: setPage }}
        columns={[
          { title: t("verification.row"), dataIndex: "n", width: 60 },
          { title: t("verification.name"), dataIndex: "name" },
          { title: t("verification.idNumber"), dataIndex: "idNumber" },
          { title: t("verification.address"), dataIndex: "address" },
          { title: t("verification.reasons"), dataIndex: "reasons", render: (r: string[]) => r.join("；") },
          ...(pick.batch
            ? [
                {
                  title: t("verification.changedFields"),
                  dataIndex: "changedFields",
                  render: (f: string[]) => f.map((x) => t(`verification.fields.${x}`)).join("、"),
                },
              ]
            : []),
          { title: t("verification.grid"), dataIndex: "gridName" },
          {
            title: t("verification.outcome"),
            dataIndex: "outcome",
            render: (o: string | null) => (o ? t(`verification.outcomes.${o}`) : ""),
          },
        ]}
      />
    </div>
  );
}

function GridsCard({ id }: { id: number }) {
  const { t } = useTranslation();
  const grids = useQuery({
    queryKey: ["verification", "grids", id],
    queryFn: () => api<Grids>(`/api/verification/lists/${id}/grids`),
  });
  type G = Grids["items"][number];
  return (
    <Card title={t("verification.grids")} data-testid="grids">
      <Table<G>
        size="small"
        rowKey="gridPath"
        loading={grids.isLoading}
        dataSource={grids.data?.items ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: true }}
        columns={[
          { title: t("verification.grid"), dataIndex: "gridName" },
          { title: t("verification.gridTotal"), dataIndex: "total" },
          { title: t("verification.gridDone"), dataIndex: "done" },
          {
            title: "",
            key: "bar",
            width: 200,
            render: (_, g) => (
              <Progress size="small" percent={Math.round((g.done / Math.max(1, g.total)) * 100)} />
            ),
          },
          {
            title: t("verification.outcome"),
            key: "outcomes",
            render: (_, g) =>
              Object.entries(g.outcomes).map(([o, n]) => (
                <Tag key={o}>
                  {t(`verification.outcomes.${o}`)} {n}
                </Tag>
              )),
          },
        ]}
      />
    </Card>
  );
}

/** Upload a file picked in a hidden input; the input is cleared so the same file can be picked again. */
function useFilePick(onFile: (f: File) => Promise<void>) {
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function pick(f: File) {
    setBusy(true);
    setError(null);
    try {
      await onFile(f);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
      if (input.current) input.current.value = "";
    }
  }
  return { input, busy, error, pick };
}

const asUpload = (f: File) => new Blob([f], { type: /\.csv$/i.test(f.name) ? "text/csv" : XLSX_MIME });

/** The campaign's batches, each adding up to its rows read; the next batch is uploaded from here. */
function BatchesCard({ list }: { list: VList }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [pick, setPick] = useState<Pick | null>(null);
  const batches = useQuery({
    queryKey: ["verification", "batches", list.id],
    queryFn: () => api<Batches>(`/api/verification/lists/${list.id}/batches`),
  });
  const file = useFilePick(async (f) => {
    const p = await apiUpload<{ id: number }>(
      `/api/verification/lists${qs({ filename: f.name, batchOf: list.id })}`,
      asUpload(f),
    );
    navigate(`/verification/lists/${p.id}`);
  });
  type B = Batches["items"][number];
  const here = batches.data?.items.find((b) => b.id === list.id);
  return (
    <Card title={t("verification.batches")} data-testid="batches">
      <Flex vertical gap={12}>
        <Typography.Text type="secondary">{t("verification.batchHint")}</Typography.Text>
        {here && (
          <Typography.Text data-testid="batch-check">
            {t("verification.batchCheck", {
              rows: here.rowsRead,
              header: here.headerRows,
              skipped: here.skipped,
              new: here.new,
              unchanged: here.unchanged,
              changed: here.changed,
            })}
          </Typography.Text>
        )}
        <Table<B>
          size="small"
          rowKey="id"
          loading={batches.isLoading}
          dataSource={batches.data?.items ?? []}
          pagination={false}
          scroll={{ x: true }}
          rowClassName={(b) => (b.id === list.id ? "ant-table-row-selected" : "")}
          columns={[
            {
              title: t("verification.columns.title"),
              render: (_, b) => (
                <a href={`/verification/lists/${b.id}`}>
                  {t("verification.batchNo", { n: b.batchNo })} · {b.title}
                </a>
              ),
            },
            {
              title: t("verification.columns.state"),
              dataIndex: "state",
              render: (s: string) => <Tag color={STATE_COLORS[s]}>{t(`verification.states.${s}`)}</Tag>,
            },
            { title: t("verification.columns.rows"), dataIndex: "rowsRead" },
            ...BATCH_STATUSES.map((k) => ({
              title: t(`verification.batchStatus.${k}`),
              key: k,
              render: (_: unknown, b: B) =>
                b[k] && b.id === list.id ? (
                  <Button
                    type="link"
                    size="small"
                    style={{ padding: 0 }}
                    data-testid={`batch-${k}`}
                    onClick={() =>
                      setPick({
                        batch: k,
                        label: `${t("verification.batchNo", { n: b.batchNo })} · ${t(`verification.batchStatus.${k}`)}`,
                      })
                    }
                  >
                    {b[k].toLocaleString()}
                  </Button>
                ) : (
                  b[k].toLocaleString()
                ),
            })),
          ]}
        />
        {list.mine && (
          <Flex gap={12} align="center" wrap>
            <input
              id="gk-verification-batch-file"
              ref={file.input}
              type="file"
              accept=".xlsx,.csv"
              style={{ display: "none" }}
              onChange={(e) => {
                const f = e.target.files?.[0];
                if (f) void file.pick(f);
              }}
            />
            <Button icon={<UploadOutlined />} loading={file.busy} onClick={() => file.input.current?.click()}>
              {t("verification.uploadBatch")}
            </Button>
          </Flex>
        )}
        {file.error && <Alert type="error" showIcon title={file.error} />}
        {pick && <RowsTable id={list.id} pick={pick} />}
      </Flex>
    </Card>
  );
}

/** The community's sheet: download its tasks, fill the outcomes in, upload, read what was refused and why. */
function OutcomeSheetCard({ id }: { id: number }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [report, setReport] = useState<SheetReport | null>(null);
  const file = useFilePick(async (f) => {
    setReport(null);
    setReport(
      await apiUpload<SheetReport>(
        `/api/verification/lists/${id}/outcome-sheet${qs({ filename: f.name })}`,
        asUpload(f),
      ),
    );
    await qc.invalidateQueries({ queryKey: ["verification"] });
  });
  type P = SheetReport["problems"][number];
  return (
    <Card title={t("verification.sheet")} data-testid="outcome-sheet">
      <Flex vertical gap={12}>
        <Typography.Text type="secondary">{t("verification.sheetHint")}</Typography.Text>
        <Space wrap>
          <Button
            icon={<DownloadOutlined />}
            href={`/api/verification/lists/${id}/outcome-sheet`}
            data-testid="sheet-download"
          >
            {t("verification.sheetDownload")}
          </Button>
          <input
            id="gk-outcome-sheet-file"
            ref={file.input}
            type="file"
            accept=".xlsx,.csv"
            style={{ display: "none" }}
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void file.pick(f);
            }}
          />
          <Button
            type="primary"
            icon={<UploadOutlined />}
            loading={file.busy}
            onClick={() => file.input.current?.click()}
          >
            {file.busy ? t("verification.sheetUploading") : t("verification.sheetUpload")}
          </Button>
        </Space>
        {file.error && <Alert type="error" showIcon title={file.error} data-testid="sheet-error" />}
        {report && (
          <Flex vertical gap={8} data-testid="sheet-report">
            <Alert
              type={report.refused ? "warning" : "success"}
              showIcon
              title={t("verification.sheetReport", report)}
            />
            {report.problems.length > 0 && (
              <Table<P>
                size="small"
                rowKey={(p) => `${p.n}`}
                pagination={{ pageSize: 20, hideOnSinglePage: true }}
                dataSource={report.problems}
                scroll={{ x: true }}
                title={() => t("verification.sheetProblems")}
                columns={[
                  { title: t("verification.row"), dataIndex: "n", width: 60 },
                  { title: t("verification.sheetKey"), dataIndex: "key" },
                  { title: t("verification.outcome"), dataIndex: "outcome" },
                  { title: t("verification.reasons"), dataIndex: "reason" },
                ]}
              />
            )}
          </Flex>
        )}
      </Flex>
    </Card>
  );
}
