import {
  ArrowDownOutlined,
  ArrowUpOutlined,
  DesktopOutlined,
  EnvironmentOutlined,
  FileTextOutlined,
  FireOutlined,
} from "@ant-design/icons";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  App,
  Button,
  Card,
  DatePicker,
  Dropdown,
  Empty,
  Flex,
  Grid,
  Progress,
  Spin,
  Statistic,
  Table,
  Tag,
  Typography,
} from "antd";
import dayjs, { type Dayjs } from "dayjs";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useSearchParams } from "react-router";
import { type Answer, ApiError, api, qs, type RateName } from "../../app/api.ts";
import { useAuth, useMe } from "../../app/auth.tsx";
import { useSelectOrg } from "../../app/selection.tsx";
import { ErrorState, PageLoading } from "../../app/states.tsx";
import { formatTime } from "../../app/time.ts";
import { LOWER_IS_BETTER, MAIN_RATES, percent } from "../rates/months.tsx";
import { CategoryChart, ChannelChart, TrendChart } from "./charts.tsx";
import { CityPanel } from "./city.tsx";
import { MapPanel } from "./map.tsx";
import "./command.css";

export type Dashboard = Answer<"/api/command/dashboard">;
type Child = Dashboard["children"][number];
type HotSpot = Dashboard["hotSpots"][number];

/** Orders are routed down to grids: a grid's dashboard has no units below worth opening. */
const DRILLABLE = new Set(["district", "street", "community", "grid"]);
/** How often the figures are read again anyway (the live stream tells of changes sooner). */
export const REFRESH_MS = 60_000;

/**
 * Reads the figures again when the server says an order in the unit changed (Server-Sent Events; the server
 * sends at most one a second or two). The browser reconnects a dropped stream by itself.
 */
export function useLive(org: number | undefined, queryKey: unknown[]) {
  const client = useQueryClient();
  const key = JSON.stringify(queryKey);
  useEffect(() => {
    const source = new EventSource(`/api/command/live${qs({ org })}`);
    source.addEventListener("changed", () => void client.invalidateQueries({ queryKey: JSON.parse(key) }));
    return () => source.close();
  }, [org, key, client]);
}

export function useDashboard(org: number, range: { from?: string; to?: string }) {
  const me = useMe();
  useLive(org === me.org.id ? undefined : org, ["command", org]);
  return useQuery({
    queryKey: ["command", org, range.from, range.to],
    queryFn: () =>
      api<Dashboard>(
        `/api/command/dashboard${qs({ org: org === me.org.id ? undefined : org, from: range.from, to: range.to })}`,
      ),
    placeholderData: keepPreviousData,
    refetchInterval: REFRESH_MS,
  });
}

export default function DashboardPage() {
  const { t } = useTranslation();
  const me = useMe();
  const { can } = useAuth();
  const navigate = useNavigate();
  const phone = Grid.useBreakpoint().md === false;
  const [params, setParams] = useSearchParams();
  const org = Number(params.get("org")) || me.org.id;
  const from = params.get("from") ?? undefined;
  const to = params.get("to") ?? undefined;
  useSelectOrg(org);
  const q = useDashboard(org, { from, to });

  function go(changes: { org?: number; from?: string; to?: string }) {
    const next = new URLSearchParams(params);
    if (changes.org !== undefined) {
      if (changes.org === me.org.id) next.delete("org");
      else next.set("org", String(changes.org));
    }
    if (changes.from && changes.to) {
      next.set("from", changes.from);
      next.set("to", changes.to);
    }
    setParams(next);
  }

  if (q.isPending) return <PageLoading />;
  // A failed refresh keeps the figures on screen (with a note of their time); only a first load shows the error.
  if (!q.data) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  const d = q.data;
  const ancestors = d.breadcrumb.slice(0, -1);
  const orders = (extra: Record<string, string> = {}) =>
    `/orders${qs({ org: d.unit.id === me.org.id ? undefined : d.unit.id, ...extra })}`;
  const s = d.situation;
  const tiles: [key: keyof typeof s, link: string, tone?: "bad" | "warn"][] = [
    ["receivedToday", orders({ state: "all" })],
    ["closedToday", orders({ state: "closed" })],
    ["open", orders()],
    ["overdue", orders({ overdue: "true" }), "bad"],
    ["escalated", orders({ state: "escalated" }), "warn"],
    ["dueSoon", orders({ dueSoon: "true" }), "warn"],
  ];

  return (
    <Flex vertical gap={16} className="gk-command">
      <Flex align="center" gap={12} wrap>
        <Typography.Title level={phone ? 3 : 2} style={{ margin: 0 }}>
          {t("command.title")}
        </Typography.Title>
        <Typography.Text strong style={{ fontSize: 16 }} data-testid="command-unit">
          {d.unit.label}
        </Typography.Text>
        {q.isError ? (
          <Tag color="orange" role="status">
            {t("command.offline")}
          </Tag>
        ) : (
          <Tag color="green">{t("command.live")}</Tag>
        )}
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t("command.updated", { time: formatTime(String(d.at)) })}
        </Typography.Text>
        <Flex gap={8} wrap style={{ marginLeft: phone ? undefined : "auto" }}>
          <DatePicker.RangePicker
            aria-label={t("command.period")}
            allowClear={false}
            // The period's Shanghai days as the server counted them (the browser's own zone may differ).
            value={[dayjs(d.days[0]?.day), dayjs(d.days.at(-1)?.day)]}
            onChange={(v) => {
              const [a, b] = (v ?? []) as [Dayjs | null, Dayjs | null];
              if (a && b) go({ from: a.format("YYYY-MM-DD"), to: b.format("YYYY-MM-DD") });
            }}
          />
          <Dropdown
            menu={{
              items: [
                ...(["pdf", "xlsx"] as const).map((format) => ({
                  key: format,
                  label: (
                    <a
                      // Without a date the server reports yesterday in Asia/Shanghai, whatever the browser's zone.
                      href={`/api/command/daily-report${qs({ org: d.unit.id, format })}`}
                      download
                    >
                      {t(`command.report.${format}`)}
                    </a>
                  ),
                })),
                { type: "divider" as const },
                {
                  key: "archive",
                  label: <Link to="/command/reports">{t("command.report.archive")}</Link>,
                },
              ],
            }}
          >
            <Button icon={<FileTextOutlined />}>{t("command.report.title")}</Button>
          </Dropdown>
          {!phone && (
            <Button
              icon={<DesktopOutlined />}
              onClick={() =>
                navigate(`/command/screen${qs({ org: d.unit.id === me.org.id ? undefined : d.unit.id })}`)
              }
            >
              {t("command.screen")}
            </Button>
          )}
        </Flex>
      </Flex>
      {ancestors.length > 0 && (
        <Flex gap={4} wrap align="center">
          <Typography.Text type="secondary">{t("command.upTo")}</Typography.Text>
          {ancestors.map((a) => (
            <Button key={a.id} size="small" type="link" onClick={() => go({ org: a.id })}>
              {a.name}
            </Button>
          ))}
        </Flex>
      )}

      <Spin spinning={q.isFetching && q.isPlaceholderData}>
        <div className="gk-command-tiles" data-testid="command-situation">
          {tiles.map(([k, link, tone]) => (
            <Link key={k} to={link} className={`gk-command-tile ${tone && s[k] > 0 ? `gk-${tone}` : ""}`}>
              <Statistic title={t(`command.situation.${k}`)} value={s[k]} />
            </Link>
          ))}
        </div>
      </Spin>

      <div className="gk-command-rates" data-testid="command-rates">
        <Card size="small" className="gk-command-rate">
          <Statistic title={t("command.received")} value={d.period.received} />
          <Delta now={d.period.received} before={d.previous.received} />
        </Card>
        {MAIN_RATES.map((n) => (
          <Card key={n} size="small" className="gk-command-rate" data-rate={n}>
            <Statistic
              title={t(`rates.name.${n}`, { defaultValue: d.labels[n] })}
              value={percent(d.period.rates[n])}
            />
            <RateDelta name={n} now={d.period.rates[n].value} before={d.previous.rates[n].value} />
          </Card>
        ))}
      </div>

      {/* The city scope, on the district's own page for the commanders who may see it. */}
      {d.unit.id === me.org.id && me.org.kind === "district" && can("command.city") && <CityPanel />}

      <div className="gk-command-row">
        <Card title={t("command.trend")} size="small" className="gk-command-wide">
          <TrendChart days={d.days} />
        </Card>
        <Card title={t("command.byCategory")} size="small">
          <CategoryChart items={d.byCategory} />
        </Card>
      </div>

      {d.unit.kind !== "micro_grid" && (
        <Card
          size="small"
          title={
            <span>
              <EnvironmentOutlined /> {t("command.map.title")}
            </span>
          }
        >
          <MapPanel
            org={d.unit.id === me.org.id ? undefined : d.unit.id}
            units={d.children}
            careToo={d.care !== null}
            onDrill={(id) => go({ org: id })}
            onOrder={(id) => navigate(`/orders/${id}`)}
          />
        </Card>
      )}

      <div className="gk-command-row">
        <Card
          title={t("command.children")}
          size="small"
          className="gk-command-wide"
          extra={
            d.children.length > 0 && (
              <Typography.Text type="secondary">{t("command.childHint")}</Typography.Text>
            )
          }
        >
          {d.children.length === 0 ? (
            <Typography.Text type="secondary">{t("command.noChildren")}</Typography.Text>
          ) : (
            <Table<Child>
              data-testid="command-children"
              rowKey={(c) => c.unit.id}
              size="small"
              scroll={{ x: "max-content" }}
              pagination={d.children.length > 15 ? { pageSize: 15, showSizeChanger: false } : false}
              dataSource={d.children}
              columns={[
                {
                  title: t("command.unit"),
                  key: "unit",
                  fixed: "left",
                  render: (_: unknown, c) =>
                    DRILLABLE.has(c.unit.kind) ? (
                      <Button
                        type="link"
                        size="small"
                        style={{ padding: 0 }}
                        onClick={() => go({ org: c.unit.id })}
                      >
                        {c.unit.name}
                      </Button>
                    ) : (
                      c.unit.name
                    ),
                },
                { title: t("command.open"), dataIndex: "open", sorter: (a, b) => a.open - b.open },
                {
                  title: t("command.overdue"),
                  dataIndex: "overdue",
                  sorter: (a, b) => a.overdue - b.overdue,
                  render: (v: number) => (v > 0 ? <Typography.Text type="danger">{v}</Typography.Text> : v),
                },
                {
                  title: t("command.received"),
                  dataIndex: "received",
                  sorter: (a, b) => a.received - b.received,
                },
                ...MAIN_RATES.map((n) => ({
                  title: t(`rates.name.${n}`, { defaultValue: d.labels[n] }),
                  key: n,
                  sorter: (a: Child, b: Child) => (a.rates[n].value ?? -1) - (b.rates[n].value ?? -1),
                  render: (_: unknown, c: Child) => percent(c.rates[n]),
                })),
              ]}
            />
          )}
        </Card>
        <Card title={t("command.byChannel")} size="small">
          <ChannelChart items={d.byChannel} />
        </Card>
      </div>

      <div className="gk-command-row">
        <Card
          size="small"
          className="gk-command-wide"
          title={
            <span>
              <FireOutlined style={{ color: "#cf1322" }} /> {t("command.hotSpots", { days: 30, min: 3 })}
            </span>
          }
        >
          <HotSpots items={d.hotSpots} orders={(unit) => `/orders${qs({ org: unit })}`} governance />
        </Card>
        <Flex vertical gap={16}>
          {d.care && (
            <Card
              title={t("command.care")}
              size="small"
              data-testid="command-care"
              extra={
                <Link to={`/care/visits${qs({ org: d.unit.id === me.org.id ? undefined : d.unit.id })}`}>
                  →
                </Link>
              }
            >
              <div className="gk-command-care">
                <Statistic title={t("command.keyResidents")} value={d.care.keyResidents} />
                <Statistic
                  title={t("command.visitsOverdue")}
                  value={d.care.visitsOverdue}
                  styles={{ content: { color: d.care.visitsOverdue ? "#cf1322" : undefined } }}
                />
                <Statistic title={t("command.visitsDue")} value={d.care.visitsDue} />
                <Statistic
                  title={t("command.alertsOpen")}
                  value={d.care.alertsOpen}
                  suffix={
                    d.care.alertsCritical ? (
                      <Typography.Text type="danger" style={{ fontSize: 12 }}>
                        {t("command.alertsCritical")} {d.care.alertsCritical}
                      </Typography.Text>
                    ) : null
                  }
                />
              </div>
            </Card>
          )}
          {d.campaigns && d.campaigns.campaigns > 0 && (
            <Card
              title={t("command.campaigns.title", { n: d.campaigns.campaigns })}
              size="small"
              data-testid="command-campaigns"
              extra={<Link to="/campaigns">→</Link>}
            >
              <Progress
                percent={
                  d.campaigns.target ? Math.round((d.campaigns.visited / d.campaigns.target) * 1000) / 10 : 0
                }
                format={() => `${d.campaigns!.visited}/${d.campaigns!.target}`}
              />
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t("command.campaigns.line", {
                  done: d.campaigns.done,
                  revisit: d.campaigns.revisit,
                  refused: d.campaigns.refused,
                })}
              </Typography.Text>
              {d.campaigns.behind.length > 1 && (
                <>
                  <Typography.Paragraph style={{ margin: "8px 0 4px", fontSize: 12 }} strong>
                    {t("command.campaigns.behind")}
                  </Typography.Paragraph>
                  {d.campaigns.behind.map((b) => (
                    <Flex key={b.code} gap={8} align="center">
                      <Typography.Text style={{ width: 96, fontSize: 12 }} ellipsis>
                        {b.name}
                      </Typography.Text>
                      <Progress
                        size="small"
                        style={{ flex: 1, margin: 0 }}
                        percent={b.target ? Math.round((b.visited / b.target) * 1000) / 10 : 0}
                        status="active"
                      />
                    </Flex>
                  ))}
                </>
              )}
            </Card>
          )}
          {d.medicine && d.medicine.open > 0 && (
            <Card
              title={t("command.medicine.title")}
              size="small"
              data-testid="command-medicine"
              extra={<Link to="/mutual-aid/medicine">→</Link>}
            >
              <div className="gk-command-care">
                <Statistic title={t("command.medicine.open")} value={d.medicine.open} />
                <Statistic
                  title={t("command.medicine.overdue")}
                  value={d.medicine.overdue}
                  styles={{ content: { color: d.medicine.overdue ? "#cf1322" : undefined } }}
                />
              </div>
            </Card>
          )}
          {d.volunteers && (
            <Card
              title={t("command.volunteers.title")}
              size="small"
              data-testid="command-volunteers"
              extra={<Link to="/volunteers/desk">→</Link>}
            >
              <div className="gk-command-care">
                <Statistic title={t("command.volunteers.members")} value={d.volunteers.members} />
                <Statistic title={t("command.volunteers.activeToday")} value={d.volunteers.activeToday} />
                <Statistic
                  title={t("command.volunteers.pending")}
                  value={d.volunteers.pending}
                  styles={{ content: { color: d.volunteers.pending ? "#d46b08" : undefined } }}
                />
                <Statistic title={t("command.volunteers.openWishes")} value={d.volunteers.openWishes} />
              </div>
            </Card>
          )}
        </Flex>
      </div>
    </Flex>
  );
}

export function HotSpots({
  items,
  orders,
  governance,
}: {
  items: HotSpot[];
  orders?: (unit: number) => string;
  /** Offer 未诉先办: turn a hot spot into a governance order (not on the wall screen). */
  governance?: boolean;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const client = useQueryClient();
  const raise = useMutation({
    mutationFn: (h: HotSpot) =>
      api<{ id: number; number: string }>("/api/command/hotspots/governance", {
        method: "POST",
        body: { orgUnitId: h.orgUnitId, buildingId: h.buildingId, categoryCode: h.categoryCode, days: 30 },
      }),
    onSuccess: (r) => {
      message.success(t("command.governance.done", { number: r.number }));
      void client.invalidateQueries({ queryKey: ["command"] });
      navigate(`/orders/${r.id}`);
    },
    onError: (e) => message.error(e instanceof ApiError ? e.message : String(e)),
  });
  if (!items.length)
    return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("command.noHotSpots")} />;
  return (
    <Table<HotSpot>
      data-testid="command-hotspots"
      rowKey={(h) => `${h.kind}-${h.buildingId ?? h.orgUnitId}-${h.categoryCode}`}
      size="small"
      pagination={false}
      dataSource={items}
      columns={[
        {
          title: t("command.hotPlace"),
          key: "place",
          render: (_: unknown, h) => (orders ? <Link to={orders(h.orgUnitId)}>{h.place}</Link> : h.place),
        },
        { title: t("command.hotCategory"), dataIndex: "categoryName" },
        {
          title: t("command.hotCount"),
          dataIndex: "count",
          render: (n: number) => <Tag color="red">{n}</Tag>,
        },
        { title: t("command.hotLast"), key: "last", render: (_: unknown, h) => formatTime(String(h.lastAt)) },
        ...(governance
          ? [
              {
                title: t("command.governance.title"),
                key: "governance",
                render: (_: unknown, h: HotSpot) => (
                  <Button
                    size="small"
                    loading={raise.isPending && raise.variables === h}
                    onClick={() => raise.mutate(h)}
                  >
                    {t("command.governance.open")}
                  </Button>
                ),
              },
            ]
          : []),
      ]}
    />
  );
}

function Delta({ now, before }: { now: number; before: number }) {
  const { t } = useTranslation();
  if (!before) return null;
  const change = (now - before) / before;
  return (
    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
      {t("command.vsPrevious")} {change >= 0 ? <ArrowUpOutlined /> : <ArrowDownOutlined />}{" "}
      {Math.abs(change * 100).toFixed(1)}%
    </Typography.Text>
  );
}

/** A rate's change in percentage points, green when it moved the good way. */
export function RateDelta({
  name,
  now,
  before,
}: {
  name: RateName;
  now: number | null;
  before: number | null;
}) {
  const { t } = useTranslation();
  if (now === null || before === null) return null;
  const pts = (now - before) * 100;
  const good = LOWER_IS_BETTER.includes(name) ? pts <= 0 : pts >= 0;
  return (
    <Typography.Text style={{ fontSize: 12, color: good ? "#389e0d" : "#cf1322" }}>
      {t("command.vsPrevious")} {pts >= 0 ? <ArrowUpOutlined /> : <ArrowDownOutlined />}{" "}
      {Math.abs(pts).toFixed(1)}
    </Typography.Text>
  );
}
