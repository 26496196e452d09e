import { DownloadOutlined } from "@ant-design/icons";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Button, Card, Col, Flex, Grid, InputNumber, Row, Select, Statistic, Table, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import {
  api,
  type CareLedgerGrid,
  type CareLedgerPage,
  type CareLedgerRow,
  type CareLedgerSummary,
  qs,
} from "../../app/api.ts";
import { useAuth } from "../../app/auth.tsx";
import { KEY_TAGS } from "../../app/i18n/index.ts";
import { EmptyState, ErrorState, PageLoading } from "../../app/states.tsx";
import { ResidentTags } from "../residents/tags.tsx";
import { formatDate, useScopeOrg } from "./common.tsx";
import { ImportLedger } from "./ImportLedger.tsx";
import { LedgerChart } from "./LedgerChart.tsx";
import { TagProposals } from "./TagProposals.tsx";
import "./care.css";

const PAGE_SIZE = 20;

export default function LedgerPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const phone = Grid.useBreakpoint().md === false;
  const [params, setParams] = useSearchParams();
  const { org, param } = useScopeOrg();
  const tag = params.get("tag") ?? "";
  const days = params.get("days") ? Number(params.get("days")) : undefined;
  const page = Number(params.get("page")) || 1;

  const summary = useQuery({
    queryKey: ["care", "ledger-summary", org],
    queryFn: () => api<CareLedgerSummary>(`/api/care/ledger/summary${qs({ org: param })}`),
  });
  const filter = { org: param, tag: tag || undefined, notVisitedDays: days };
  const list = useQuery({
    queryKey: ["care", "ledger", filter, page],
    queryFn: () => api<CareLedgerPage>(`/api/care/ledger${qs({ ...filter, page, pageSize: PAGE_SIZE })}`),
    placeholderData: keepPreviousData,
  });

  function update(changes: Record<string, string | undefined>) {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    if (!("page" in changes)) next.delete("page");
    setParams(next);
  }

  if (summary.isPending) return <PageLoading />;
  if (summary.error) return <ErrorState error={summary.error} onRetry={() => summary.refetch()} />;
  const s = summary.data;
  const gridName = new Map(s.items.map((g) => [g.code, g.name]));

  const gridColumns = [
    {
      title: t("care.ledger.grid"),
      dataIndex: "name",
      fixed: "left" as const,
      render: (name: string, g: CareLedgerGrid) => (
        <a
          href={`/care/ledger?org=${g.orgUnitId}`}
          onClick={(e) => {
            e.preventDefault();
            update({ org: String(g.orgUnitId) });
          }}
        >
          {name}
        </a>
      ),
    },
    { title: t("care.ledger.keyResidents"), dataIndex: "keyResidents", align: "right" as const },
    {
      title: t("care.ledger.notVisitedWeek"),
      dataIndex: "notVisitedWeek",
      align: "right" as const,
      render: (n: number) => <span className={n > 0 ? "gk-care-warn" : undefined}>{n}</span>,
    },
    ...KEY_TAGS.map((k) => ({
      title: t(`tag.${k}`),
      key: k,
      align: "right" as const,
      render: (_: unknown, g: CareLedgerGrid) => g.counts[k] ?? 0,
    })),
  ];

  const listColumns = [
    {
      title: t("resident.name"),
      dataIndex: "name",
      render: (name: string, r: CareLedgerRow) => <Link to={`/care/residents/${r.id}`}>{name}</Link>,
    },
    { title: t("resident.age"), dataIndex: "age", width: 64 },
    {
      title: t("care.ledger.grid"),
      dataIndex: "gridCode",
      render: (c: string | null) => (c ? (gridName.get(c) ?? c) : "—"),
    },
    { title: t("resident.address"), dataIndex: "address", className: "gk-address" },
    {
      title: t("resident.tags"),
      dataIndex: "tags",
      render: (tags: string[]) => <ResidentTags tags={tags} />,
    },
    {
      title: t("care.ledger.frequency"),
      dataIndex: "frequencyLabel",
      render: (f: string | null, r: CareLedgerRow) =>
        r.frequency ? t(`care.frequency.${r.frequency}`, { defaultValue: f ?? r.frequency }) : "—",
    },
    {
      title: t("care.ledger.lastVisit"),
      dataIndex: "lastVisitAt",
      render: (at: string | null, r: CareLedgerRow) =>
        at ? (
          <span className={(r.daysSinceVisit ?? 0) >= 7 ? "gk-care-warn" : undefined}>
            {formatDate(at)}（{t("care.ledger.daysAgo", { count: r.daysSinceVisit ?? 0 })}）
          </span>
        ) : (
          <span className="gk-care-warn">{t("care.ledger.never")}</span>
        ),
    },
  ];

  return (
    <Flex vertical gap={16}>
      <Flex align="center" gap={8} wrap>
        <Typography.Title level={phone ? 3 : 2} style={{ margin: 0 }}>
          {t("care.ledger.title")}
        </Typography.Title>
        <Typography.Text type="secondary">{t("resident.scope", { name: s.org.name })}</Typography.Text>
        <Flex gap={8} style={{ marginLeft: "auto" }} wrap>
          {can("care.manage") && <ImportLedger org={param} />}
          {can("resident.export") && (
            <Button
              icon={<DownloadOutlined />}
              href={`/api/care/ledger/export${qs(filter)}`}
              download="care-ledger.xlsx"
            >
              {t("care.ledger.export")}
            </Button>
          )}
        </Flex>
      </Flex>

      <Row gutter={[12, 12]}>
        <Col xs={12} md={6} lg={4}>
          <Card size="small">
            <Statistic title={t("care.ledger.keyResidents")} value={s.totals.keyResidents} />
          </Card>
        </Col>
        <Col xs={12} md={6} lg={4}>
          <Card size="small">
            <Statistic
              title={t("care.ledger.notVisitedWeek")}
              value={s.totals.notVisitedWeek}
              styles={{ content: { color: s.totals.notVisitedWeek ? "#cf1322" : undefined } }}
            />
          </Card>
        </Col>
        {s.dimensions.map((d) => (
          <Col xs={12} md={6} lg={3} key={d.code}>
            <Card size="small" title={null}>
              <Statistic title={t(`care.dimension.${d.code}`, { defaultValue: d.label })} value={d.count} />
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {d.tags.map((k) => t(`tag.${k}`)).join("、")}
              </Typography.Text>
            </Card>
          </Col>
        ))}
      </Row>

      <TagProposals />

      <Card title={t("care.ledger.perGrid")} size="small">
        {s.items.length === 0 ? (
          <EmptyState description={t("care.ledger.noKey")} />
        ) : (
          <>
            <LedgerChart items={s.items} phone={phone} />
            <Table<CareLedgerGrid>
              rowKey="orgUnitId"
              size="small"
              data-testid="ledger-grids"
              dataSource={s.items}
              columns={gridColumns}
              // A street's or the district's hundreds of grids page by 50; a community's few show at once.
              pagination={s.items.length > 50 ? { pageSize: 50, showSizeChanger: false } : false}
              scroll={{ x: "max-content" }}
              summary={() => (
                <Table.Summary.Row>
                  <Table.Summary.Cell index={0}>{t("care.ledger.total")}</Table.Summary.Cell>
                  <Table.Summary.Cell index={1} align="right">
                    {s.totals.keyResidents}
                  </Table.Summary.Cell>
                  <Table.Summary.Cell index={2} align="right">
                    {s.totals.notVisitedWeek}
                  </Table.Summary.Cell>
                  {KEY_TAGS.map((k, i) => (
                    <Table.Summary.Cell key={k} index={3 + i} align="right">
                      {s.totals.counts[k] ?? 0}
                    </Table.Summary.Cell>
                  ))}
                </Table.Summary.Row>
              )}
            />
          </>
        )}
      </Card>

      <Card title={t("care.ledger.list")} size="small">
        <Flex gap={12} wrap align="end" style={{ marginBottom: 12 }}>
          <Flex vertical gap={4} style={{ flex: phone ? "1 1 100%" : "0 0 180px" }}>
            <label htmlFor="gk-care-tag">{t("resident.tagFilter")}</label>
            <Select
              id="gk-care-tag"
              value={tag}
              onChange={(v: string) => update({ tag: v || undefined })}
              options={[
                { value: "", label: t("resident.allTags") },
                ...KEY_TAGS.map((k) => ({ value: k, label: t(`tag.${k}`) })),
              ]}
            />
          </Flex>
          <Flex vertical gap={4} style={{ flex: phone ? "1 1 100%" : "0 0 200px" }}>
            <label htmlFor="gk-care-days">{t("care.ledger.notVisitedDays")}</label>
            <InputNumber
              id="gk-care-days"
              min={0}
              max={3650}
              value={days ?? null}
              placeholder={t("care.ledger.anyDays")}
              suffix={t("care.ledger.daysUnit")}
              onChange={(v) => update({ days: v === null || v === undefined ? undefined : String(v) })}
              style={{ width: "100%" }}
            />
          </Flex>
          <Flex gap={8}>
            {[7, 14, 30].map((d) => (
              <Button
                key={d}
                type={days === d ? "primary" : "default"}
                onClick={() => update({ days: String(d) })}
              >
                {t("care.ledger.daysButton", { count: d })}
              </Button>
            ))}
            {(days !== undefined || tag) && (
              <Button type="link" onClick={() => update({ days: undefined, tag: undefined })}>
                {t("care.ledger.clear")}
              </Button>
            )}
          </Flex>
        </Flex>
        {list.error ? (
          <ErrorState error={list.error} onRetry={() => list.refetch()} />
        ) : (
          <Table<CareLedgerRow>
            rowKey="id"
            size="middle"
            data-testid="ledger-list"
            loading={list.isFetching}
            dataSource={list.data?.items ?? []}
            columns={listColumns}
            scroll={{ x: "max-content" }}
            locale={{ emptyText: list.isPending ? " " : <EmptyState description={t("care.ledger.empty")} /> }}
            pagination={{
              current: page,
              pageSize: PAGE_SIZE,
              total: list.data?.total ?? 0,
              showSizeChanger: false,
              simple: phone,
              showTotal: (total) => <span data-testid="ledger-total">{t("resident.total", { total })}</span>,
              onChange: (p) => update({ page: String(p) }),
            }}
          />
        )}
      </Card>
    </Flex>
  );
}
