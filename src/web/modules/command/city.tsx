import { useQuery } from "@tanstack/react-query";
import { Alert, Card, Flex, Table, Tag, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { type Answer, ApiError, api, qs } from "../../app/api.ts";
import { formatTime } from "../../app/time.ts";
import { MAIN_RATES, MonthPicker, percent, thisMonth } from "../rates/months.tsx";

// The city scope: every district's month side by side, from the city database the districts' publications
// feed. Shown to a commander at the top of the tree; a deployment without a city database answers 404 and
// the panel is simply not there.

type CityMonth = Answer<"/api/command/city">;
type Row = CityMonth["districts"][number] & { total?: boolean };

const noCity = (e: unknown) => e instanceof ApiError && e.status === 404;

export function CityPanel() {
  const { t } = useTranslation();
  const [month, setMonth] = useState(thisMonth());
  const q = useQuery({
    queryKey: ["command", "city", month],
    queryFn: () => api<CityMonth>(`/api/command/city${qs({ month })}`),
    // A deployment without a city database answers 404 for good: stop asking (it asked every 10 s, all day,
    // on every commander's screen).
    refetchInterval: (query) => (noCity(query.state.error) ? false : 10_000),
    retry: (n, e) => !noCity(e) && n < 2,
  });
  if (noCity(q.error)) return null;
  if (q.isPending) return null;
  const d = q.data;
  const rows: Row[] = d
    ? [
        ...d.districts,
        { ...d.city, code: "city", name: t("command.city.total"), receivedAt: null, total: true },
      ]
    : [];
  return (
    <Card
      size="small"
      data-testid="command-city"
      title={t("command.city.title")}
      extra={<MonthPicker value={month} onChange={setMonth} />}
    >
      <Flex vertical gap={8}>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t("command.city.hint")}
        </Typography.Text>
        {q.error && <Alert type="warning" showIcon message={t("command.city.unavailable")} />}
        {d && (
          <Table<Row>
            size="small"
            rowKey="code"
            pagination={false}
            scroll={{ x: true }}
            dataSource={rows}
            rowClassName={(r) => (r.total ? "gk-command-total" : "")}
            columns={[
              {
                title: t("command.city.district"),
                key: "name",
                fixed: "left",
                render: (_: unknown, r) => (r.total ? <strong>{r.name}</strong> : `${r.name}（${r.code}）`),
              },
              {
                title: t("command.city.syncedAt"),
                key: "receivedAt",
                render: (_: unknown, r) =>
                  r.total ? (
                    ""
                  ) : r.receivedAt ? (
                    formatTime(String(r.receivedAt))
                  ) : (
                    <Tag color="orange">{t("command.city.offline")}</Tag>
                  ),
              },
              { title: t("command.city.received"), dataIndex: "received" },
              { title: t("command.city.closed"), dataIndex: "closed" },
              ...MAIN_RATES.map((n) => ({
                title: t(`rates.name.${n}`, { defaultValue: d.labels[n] }),
                key: n,
                render: (_: unknown, r: Row) => percent(r.rates[n]),
              })),
              {
                title: t("command.city.hours"),
                key: "hours",
                render: (_: unknown, r) => Math.round(r.volunteers.minutes / 6) / 10,
              },
              {
                title: t("command.city.doors"),
                key: "doors",
                render: (_: unknown, r) => r.campaigns.records,
              },
            ]}
          />
        )}
      </Flex>
    </Card>
  );
}
