import { DownloadOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  DatePicker,
  Descriptions,
  Flex,
  Grid,
  Progress,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from "antd";
import type { Dayjs } from "dayjs";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useParams } from "react-router";
import { api, qs } from "../../app/api.ts";
import { ErrorState, PageLoading } from "../../app/states.tsx";
import { STATE_COLORS } from "./ListsPage.tsx";
import {
  CLASSES,
  FIELDS,
  type Grids,
  type Preview,
  type Rows,
  type Summary,
  type VList,
  type VRow,
} from "./types.ts";

type Field = (typeof FIELDS)[number];
type Cls = (typeof CLASSES)[number];

/** One list: confirm its columns, follow the import, read the classification and the grids' progress. */
export default function ListPage() {
  const { t } = useTranslation();
  const id = Number(useParams().id);
  const phone = Grid.useBreakpoint().md === false;
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
  const options = [
    { value: -1, label: t("verification.none") },
    ...p.columns.map((c, i) => ({ value: i, label: `${String.fromCharCode(65 + i)} · ${c || "—"}` })),
  ];
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
        <Descriptions size="small" bordered column={{ xs: 1, sm: 2, md: 3 }}>
          {FIELDS.map((f) => (
            <Descriptions.Item key={f} label={t(`verification.fields.${f}`)}>
              <Select
                aria-label={t(`verification.fields.${f}`)}
                data-testid={`map-${f}`}
                style={{ minWidth: 160 }}
                value={mapping[f] ?? -1}
                options={options}
                onChange={(v: number) => setMapping({ ...mapping, [f]: v < 0 ? null : v })}
              />
            </Descriptions.Item>
          ))}
        </Descriptions>
        <Typography.Text strong>{t("verification.sample")}</Typography.Text>
        <Table
          size="small"
          rowKey="n"
          pagination={false}
          scroll={{ x: true }}
          dataSource={p.sample}
          columns={[
            { title: "#", dataIndex: "n", width: 50 },
            ...p.columns.map((c, i) => ({
              title: c || String.fromCharCode(65 + i),
              key: String(i),
              render: (_: unknown, r: { cells: string[] }) => r.cells[i] ?? "",
            })),
          ]}
        />
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
