import { FilePdfOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Alert, Button, Card, Collapse, Flex, Grid, Select, Table, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import {
  api,
  type CardCheck,
  type CardGap,
  type CareLedgerGrid,
  type CareLedgerSummary,
  qs,
} from "../../app/api.ts";
import { EmptyState, ErrorState, PageLoading } from "../../app/states.tsx";
import { useScopeOrg } from "./common.tsx";
import "./care.css";

/** 联系卡打印: pick a grid and download its 一人一专班 cards, one A5 page per key resident. */
export default function CardsPage() {
  const { t } = useTranslation();
  const phone = Grid.useBreakpoint().md === false;
  const { org, param } = useScopeOrg();
  const summary = useQuery({
    queryKey: ["care", "ledger-summary", org],
    queryFn: () => api<CareLedgerSummary>(`/api/care/ledger/summary${qs({ org: param })}`),
  });
  const [grid, setGrid] = useState<number | undefined>();
  const only = summary.data?.items.length === 1 ? summary.data.items[0].orgUnitId : undefined;
  const checked = grid ?? only;
  // Before printing: the cards that would show "—" where a number belongs are named, so they are filled first.
  const check = useQuery({
    queryKey: ["care", "cards-check", checked],
    queryFn: () => api<CardCheck>(`/api/care/cards/check${qs({ grid: checked })}`),
    enabled: checked !== undefined,
  });

  if (summary.isPending) return <PageLoading />;
  if (summary.error) return <ErrorState error={summary.error} onRetry={() => summary.refetch()} />;
  const s = summary.data;
  const picked = s.items.find((g) => g.orgUnitId === grid) ?? (s.items.length === 1 ? s.items[0] : undefined);
  const href = (id: number) => `/api/care/cards.pdf?grid=${id}`;

  return (
    <Flex vertical gap={16} style={{ maxWidth: 960 }}>
      <Flex align="center" gap={8} wrap>
        <Typography.Title level={phone ? 3 : 2} style={{ margin: 0 }}>
          {t("care.cards.title")}
        </Typography.Title>
        <Typography.Text type="secondary">{t("resident.scope", { name: s.org.name })}</Typography.Text>
      </Flex>
      <Alert type="info" showIcon title={t("care.cards.intro")} />
      {s.items.length === 0 ? (
        <EmptyState description={t("care.ledger.noKey")} />
      ) : (
        <>
          <Card size="small" title={t("care.cards.pick")}>
            <Flex gap={12} wrap align="center">
              <Select
                aria-label={t("care.cards.pick")}
                placeholder={t("care.cards.pick")}
                style={{ minWidth: 220, flex: phone ? "1 1 100%" : undefined }}
                value={picked?.orgUnitId}
                onChange={setGrid}
                options={s.items.map((g) => ({
                  value: g.orgUnitId,
                  label: `${g.name}（${g.keyResidents}）`,
                }))}
              />
              <Button
                type="primary"
                icon={<FilePdfOutlined />}
                disabled={!picked}
                href={picked ? href(picked.orgUnitId) : undefined}
                download={picked ? `care-cards-${picked.orgUnitId}.pdf` : undefined}
                data-testid="cards-download"
              >
                {picked
                  ? t("care.cards.download", { name: picked.name, count: picked.keyResidents })
                  : t("care.cards.pickFirst")}
              </Button>
            </Flex>
            {picked && <CardGaps check={check} />}
          </Card>
          <Table<CareLedgerGrid>
            size="small"
            rowKey="orgUnitId"
            pagination={false}
            dataSource={s.items}
            columns={[
              { title: t("care.ledger.grid"), dataIndex: "name" },
              { title: t("care.cards.count"), dataIndex: "keyResidents", align: "right" },
              {
                title: t("care.cards.pdf"),
                key: "pdf",
                render: (_: unknown, g) => (
                  <Button size="small" icon={<FilePdfOutlined />} href={href(g.orgUnitId)} target="_blank">
                    {t("care.cards.open")}
                  </Button>
                ),
              },
            ]}
          />
        </>
      )}
    </Flex>
  );
}

const GAPS: Exclude<CardGap, "hotline">[] = ["worker", "workerPhone", "doctor", "doctorPhone"];

function CardGaps({ check }: { check: { data?: CardCheck; isPending: boolean; error: unknown } }) {
  const { t } = useTranslation();
  if (check.error) return null;
  if (check.isPending || !check.data)
    return <Typography.Text type="secondary">{t("care.cards.checking")}</Typography.Text>;
  const c = check.data;
  const whole = c.incomplete === 0 && c.hotlineMissing.length === 0;
  return (
    <Alert
      style={{ marginTop: 12 }}
      data-testid="cards-check"
      type={whole ? "success" : "warning"}
      showIcon
      title={
        whole
          ? t("care.cards.complete", { count: c.cards })
          : t("care.cards.incomplete", { incomplete: c.incomplete, count: c.cards })
      }
      description={
        whole ? undefined : (
          <Flex vertical gap={4}>
            {GAPS.filter((g) => c.counts[g] > 0).map((g) => (
              <span key={g} data-gap={g}>
                {t(`care.cards.gap.${g}`, { count: c.counts[g] })}
              </span>
            ))}
            {c.hotlineMissing.length > 0 && (
              <span data-gap="hotline">
                {t("care.cards.hotlineMissing", { names: c.hotlineMissing.join("、") })}
              </span>
            )}
            {c.examples.length > 0 && (
              <Collapse
                size="small"
                ghost
                items={[
                  {
                    key: "examples",
                    label: t("care.cards.examples", { count: c.examples.length }),
                    children: (
                      <ul style={{ margin: 0, paddingLeft: 18 }} data-testid="cards-check-examples">
                        {c.examples.map((e) => (
                          <li key={e.residentId}>
                            <Link to={`/care/residents/${e.residentId}`}>{e.name}</Link>：
                            {e.gapLabels.join("、")}
                          </li>
                        ))}
                      </ul>
                    ),
                  },
                ]}
              />
            )}
          </Flex>
        )
      }
    />
  );
}
