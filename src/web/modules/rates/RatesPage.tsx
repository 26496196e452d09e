import { ArrowDownOutlined } from "@ant-design/icons";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Button, Card, Flex, Grid, Spin, Statistic, Table, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import {
  api,
  type Crumb,
  type OrgNode,
  qs,
  RATE_NAMES,
  type RateName,
  type RatesReport,
} from "../../app/api.ts";
import { useMe } from "../../app/auth.tsx";
import { useSelectOrg } from "../../app/selection.tsx";
import { ErrorState, PageLoading } from "../../app/states.tsx";
import { LOWER_IS_BETTER, MonthPicker, percent, RateCell, thisMonth } from "./months.tsx";
import { RateChart } from "./RateChart.tsx";
import "../workOrders/workOrders.css";

type Child = RatesReport["children"][number];

/** Units worth drilling into: orders are routed to grids at the lowest. */
const DRILLABLE = new Set(["district", "street", "community", "grid"]);

export default function RatesPage() {
  const { t } = useTranslation();
  const me = useMe();
  const phone = Grid.useBreakpoint().md === false;
  const [params, setParams] = useSearchParams();
  const org = Number(params.get("org")) || me.org.id;
  const month = params.get("month") ?? thisMonth();
  useSelectOrg(org);

  const report = useQuery({
    queryKey: ["rates", org, month],
    queryFn: () => api<RatesReport>(`/api/rates${qs({ org: org === me.org.id ? undefined : org, month })}`),
    placeholderData: keepPreviousData,
  });
  const place = useQuery({
    queryKey: ["org", org],
    queryFn: () => api<{ unit: OrgNode; breadcrumb: Crumb[] }>(`/api/orgs/${org}`),
  });

  function go(changes: { org?: number; month?: string }) {
    const next = new URLSearchParams(params);
    if (changes.org !== undefined) {
      if (changes.org === me.org.id) next.delete("org");
      else next.set("org", String(changes.org));
    }
    if (changes.month) next.set("month", changes.month);
    setParams(next);
  }

  const drill = (c: Child) => {
    if (DRILLABLE.has(c.unit.kind)) go({ org: c.unit.id });
  };
  const rateName = (n: RateName) => t(`rates.name.${n}`);

  if (report.isPending) return <PageLoading />;
  if (report.error) return <ErrorState error={report.error} onRetry={() => report.refetch()} />;
  const r = report.data;
  const ancestors = (place.data?.breadcrumb ?? []).slice(0, -1);
  const drillable = r.children.some((c) => DRILLABLE.has(c.unit.kind));

  return (
    <Flex vertical gap={16}>
      <Flex align="center" gap={12} wrap>
        <Typography.Title level={phone ? 3 : 2} style={{ margin: 0 }}>
          {t("rates.title")}
        </Typography.Title>
        <Typography.Text strong style={{ fontSize: 16 }} data-testid="rates-unit">
          {r.unit.name}
        </Typography.Text>
        <span style={{ marginLeft: phone ? undefined : "auto" }}>
          <MonthPicker value={month} onChange={(m) => go({ month: m })} />
        </span>
      </Flex>
      {ancestors.length > 0 && (
        <Flex gap={4} wrap align="center">
          <Typography.Text type="secondary">{t("rates.upTo")}</Typography.Text>
          {ancestors.map((a) => (
            <Button key={a.id} size="small" type="link" onClick={() => go({ org: a.id })}>
              {a.name}
            </Button>
          ))}
        </Flex>
      )}

      <Spin spinning={report.isFetching}>
        <div className="gk-rate-grid" data-testid="rate-cards">
          {RATE_NAMES.map((n) => {
            const rate = r.rates[n];
            const lower = LOWER_IS_BETTER.includes(n);
            return (
              <Card key={n} className="gk-rate-card" size="small" data-rate={n}>
                <Statistic
                  title={
                    <span>
                      {rateName(n)}
                      {lower && (
                        <span title={t("rates.lowerBetter")} role="img" aria-label={t("rates.lowerBetter")}>
                          {" "}
                          <ArrowDownOutlined style={{ fontSize: 12 }} />
                        </span>
                      )}
                    </span>
                  }
                  value={percent(rate)}
                  styles={{ content: { color: rateColor(n, rate.value) } }}
                />
                <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid={`rate-figures-${n}`}>
                  {t(`rates.num.${n}`)} {rate.numerator} / {t(`rates.den.${n}`)} {rate.denominator}
                </Typography.Text>
              </Card>
            );
          })}
        </div>
      </Spin>

      <Card
        title={t("rates.byChild", { name: r.unit.name })}
        extra={drillable ? <Typography.Text type="secondary">{t("rates.drillHint")}</Typography.Text> : null}
      >
        {!drillable ? (
          // Orders are routed to grids; the micro-grids below a grid never hold any.
          <Typography.Text type="secondary" data-testid="rates-no-children">
            {t(r.unit.kind === "grid" ? "rates.gridIsLowest" : "rates.noChildren")}
          </Typography.Text>
        ) : (
          <>
            <RateChart report={r} onPick={drill} />
            <Table<Child>
              rowKey={(c) => c.unit.id}
              size="small"
              style={{ marginTop: 16 }}
              scroll={{ x: "max-content" }}
              pagination={r.children.length > 20 ? { pageSize: 20, showSizeChanger: false } : false}
              dataSource={r.children}
              columns={[
                {
                  title: t("rates.unit"),
                  key: "unit",
                  fixed: "left",
                  render: (_: unknown, c) =>
                    DRILLABLE.has(c.unit.kind) ? (
                      <Button type="link" size="small" style={{ padding: 0 }} onClick={() => drill(c)}>
                        {c.unit.name}
                      </Button>
                    ) : (
                      c.unit.name
                    ),
                },
                {
                  title: t("rates.dispatched"),
                  key: "dispatched",
                  render: (_: unknown, c) => c.counts.dispatched ?? 0,
                },
                ...RATE_NAMES.map((n) => ({
                  title: rateName(n),
                  key: n,
                  render: (_: unknown, c: Child) => <RateCell rate={c.rates[n]} />,
                })),
              ]}
            />
          </>
        )}
      </Card>
      <Typography.Text type="secondary">
        {t("rates.definitions")} <Link to="/rates/ranking">{t("nav.ranking")}</Link>
      </Typography.Text>
    </Flex>
  );
}

function rateColor(n: RateName, v: number | null): string | undefined {
  if (v === null) return "#8c8c8c";
  const good = LOWER_IS_BETTER.includes(n) ? 1 - v : v;
  return good >= 0.9 ? "#389e0d" : good >= 0.7 ? "#d48806" : "#cf1322";
}
