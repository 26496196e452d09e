import { EnvironmentOutlined, ReloadOutlined } from "@ant-design/icons";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { Button, Card, Drawer, Flex, Grid, Segmented, Spin, Switch, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { api, type CareDueItem, type CareDueList, qs } from "../../app/api.ts";
import { useMe } from "../../app/auth.tsx";
import { EmptyState, ErrorState, PageLoading } from "../../app/states.tsx";
import { ResidentTags } from "../residents/tags.tsx";
import { DueTag, formatDate, useScopeOrg } from "./common.tsx";
import { keptVisit, VisitForm } from "./VisitForm.tsx";
import "./care.css";

const FILTERS = ["todo", "overdue", "all"] as const;
/** Cards shown at first; a grid's whole list is a tap away ("more"). */
const PAGE = 30;

/** 今日走访: the worker's due and overdue visits, most urgent first, each one tap from a visit form. */
export default function VisitsPage() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const phone = Grid.useBreakpoint().md === false;
  const [params, setParams] = useSearchParams();
  const { org, param } = useScopeOrg();
  const filter = (FILTERS as readonly string[]).includes(params.get("show") ?? "")
    ? (params.get("show") as (typeof FILTERS)[number])
    : "todo";
  // A grid with several workers: each one can narrow the list to the residents assigned to them.
  const me = useMe();
  const canNarrow = ["grid_worker", "grid_head"].includes(me.role);
  const mine = canNarrow && params.get("mine") === "1";
  // A visit kept as a draft (the session expired while it was filled) opens again where it was left.
  const [visiting, setVisiting] = useState<{ residentId: number; name: string } | null>(() =>
    keptVisit(me.id),
  );
  const [limit, setLimit] = useState(PAGE);

  function setParam(key: string, value: string | null) {
    const next = new URLSearchParams(params);
    if (value === null) next.delete(key);
    else next.set(key, value);
    setParams(next);
  }

  const due = useQuery({
    queryKey: ["care", "due", org, filter, limit, mine],
    queryFn: () =>
      api<CareDueList>(
        `/api/care/visits/due${qs({
          org: param,
          state: filter === "todo" ? undefined : filter,
          mine: mine ? "true" : undefined,
          limit,
        })}`,
      ),
    staleTime: 0,
    placeholderData: keepPreviousData,
  });

  return (
    <Flex vertical gap={12} style={{ maxWidth: 720 }}>
      <Flex align="center" gap={8}>
        <Typography.Title level={phone ? 3 : 2} style={{ margin: 0 }}>
          {t("care.visits.title")}
        </Typography.Title>
        <Button
          style={{ marginLeft: "auto" }}
          icon={<ReloadOutlined spin={due.isFetching} />}
          aria-label={t("care.refresh")}
          onClick={() => due.refetch()}
        />
      </Flex>
      {due.data && (
        <Flex gap={8} wrap data-testid="due-counts">
          {(["overdue", "due", "due_soon"] as const).map((s) => (
            <Card key={s} size="small" className={`gk-care-count gk-care-count-${s}`}>
              <div className="gk-care-count-value" data-testid={`count-${s}`}>
                {due.data.counts[s]}
              </div>
              <div>{t(`care.dueState.${s}`)}</div>
            </Card>
          ))}
        </Flex>
      )}
      <Segmented
        block
        size={phone ? "large" : "middle"}
        value={filter}
        onChange={(v) => setParam("show", v === "todo" ? null : String(v))}
        options={FILTERS.map((f) => ({ value: f, label: t(`care.visits.filter.${f}`) }))}
      />
      {canNarrow && (
        <Flex align="center" gap={8}>
          <Switch
            id="gk-visits-mine"
            checked={mine}
            onChange={(on) => setParam("mine", on ? "1" : null)}
            data-testid="visits-mine"
          />
          <label htmlFor="gk-visits-mine">{t("care.visits.mine")}</label>
        </Flex>
      )}
      {due.isPending ? (
        <PageLoading />
      ) : due.error ? (
        <ErrorState error={due.error} onRetry={() => due.refetch()} />
      ) : due.data.items.length === 0 ? (
        <EmptyState description={t("care.visits.empty")} />
      ) : (
        <Spin spinning={due.isFetching && !due.isRefetching}>
          <ul className="gk-card-list" aria-label={t("care.visits.title")}>
            {due.data.items.map((d) => (
              <li key={d.residentId}>
                <DueCard item={d} onVisit={() => setVisiting(d)} />
              </li>
            ))}
          </ul>
          {due.data.total > due.data.items.length && (
            <Flex vertical align="center" gap={4} style={{ marginTop: 12 }}>
              <Typography.Text type="secondary">
                {t("care.visits.more", { shown: due.data.items.length, total: due.data.total })}
              </Typography.Text>
              <Button size="large" block onClick={() => setLimit((l) => l + PAGE)} loading={due.isFetching}>
                {t("care.visits.showMore")}
              </Button>
            </Flex>
          )}
        </Spin>
      )}
      <Drawer
        open={!!visiting}
        placement={phone ? "bottom" : "right"}
        size={phone ? "92%" : 520}
        title={visiting ? t("care.visit.title", { name: visiting.name }) : ""}
        onClose={() => setVisiting(null)}
        destroyOnHidden
      >
        {visiting && (
          <VisitForm
            key={visiting.residentId}
            residentId={visiting.residentId}
            residentName={visiting.name}
            onDone={() => {
              setVisiting(null);
              void qc.invalidateQueries({ queryKey: ["care"] });
            }}
          />
        )}
      </Drawer>
    </Flex>
  );
}

function DueCard({ item, onVisit }: { item: CareDueItem; onVisit: () => void }) {
  const { t } = useTranslation();
  return (
    <Card
      className={`gk-care-due gk-care-due-${item.state}`}
      data-testid="due-card"
      data-resident={item.residentId}
      data-state={item.state}
    >
      <Flex justify="space-between" align="center" gap={8}>
        <Link to={`/care/residents/${item.residentId}`}>
          <Typography.Text strong style={{ fontSize: 18 }}>
            {item.name}
          </Typography.Text>
        </Link>
        <DueTag state={item.state} label={item.label} days={item.daysOverdue || item.daysLeft} />
      </Flex>
      <div style={{ margin: "6px 0" }}>
        <ResidentTags tags={item.tags} />
      </div>
      <div className="gk-address" style={{ color: "#555" }}>
        <EnvironmentOutlined /> {item.address}
      </div>
      <Typography.Text type="secondary" style={{ fontSize: 13 }}>
        {t(`care.frequency.${item.frequency}`, { defaultValue: item.frequency })} ·{" "}
        {t("care.visits.dueBy", { date: item.dueBy })} ·{" "}
        {item.lastVisitAt
          ? t("care.visits.last", { date: formatDate(item.lastVisitAt) })
          : t("care.ledger.never")}
      </Typography.Text>
      <Button
        type="primary"
        size="large"
        block
        style={{ marginTop: 10 }}
        onClick={onVisit}
        aria-label={t("care.visits.recordFor", { name: item.name })}
      >
        {t("care.visits.record")}
      </Button>
    </Card>
  );
}
