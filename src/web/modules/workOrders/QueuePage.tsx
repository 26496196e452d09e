import { ReloadOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Flex, Grid, Spin, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, type OrderPage, type WorkOrder } from "../../app/api.ts";
import { useMe } from "../../app/auth.tsx";
import { EmptyState, ErrorState, PageLoading } from "../../app/states.tsx";
import { keptAction, OrderActions } from "./actions.tsx";
import { OrderCard } from "./OrderCard.tsx";
import { dueOf } from "./sla.tsx";
import "./workOrders.css";

/** The field actions a worker takes from the queue; everything else is on the order's page. */
const QUEUE_ACTIONS = ["accept", "arrive", "resolve"];

/**
 * Cards drawn at first, and added per "显示更多": a worker's queue fits, while a street's or the district's 200
 * most urgent orders drew ~7,000 elements on every visit (50,000 px of cards on a phone).
 */
export const QUEUE_STEP = 30;

/** Soonest deadline first; orders without a running clock last, in the server's order. */
export function byDeadline(items: WorkOrder[]): WorkOrder[] {
  return items
    .map((o, i) => ({ o, i, due: dueOf(o) ?? Number.POSITIVE_INFINITY }))
    .sort((a, b) => a.due - b.due || a.i - b.i)
    .map((x) => x.o);
}

/** Pairs each order with whether its kept draft reopens: only the first one that has one. */
function withResume(items: WorkOrder[], hasDraft: (o: WorkOrder) => boolean): [WorkOrder, boolean][] {
  let found = false;
  return items.map((o) => {
    const resume = !found && hasDraft(o);
    if (resume) found = true;
    return [o, resume];
  });
}

export default function QueuePage() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const phone = Grid.useBreakpoint().md === false;
  const me = useMe();
  const [shown, setShown] = useState(QUEUE_STEP);
  const queue = useQuery({
    queryKey: ["orders", "queue"],
    queryFn: () => api<OrderPage>("/api/orders/queue"),
    refetchInterval: 30_000,
    staleTime: 0,
  });

  // A resolution left as a draft (the session expired) opens again on its order, one at most, drawn even when
  // it lies past the cards shown so far.
  const drawn = queue.data
    ? withResume(byDeadline(queue.data.items), (o) => {
        const kept = keptAction(me.id, o);
        return !!kept && QUEUE_ACTIONS.includes(kept);
      }).filter(([, resume], i) => i < shown || resume)
    : [];

  async function changed() {
    await qc.invalidateQueries({ queryKey: ["orders"] });
  }

  return (
    <Flex vertical gap={12} style={{ maxWidth: 720 }}>
      <Flex align="center" gap={8}>
        <Typography.Title level={phone ? 3 : 2} style={{ margin: 0 }}>
          {t("queue.title")}
        </Typography.Title>
        {queue.data && (
          <Typography.Text type="secondary" data-testid="queue-total">
            {t("queue.total", { count: queue.data.total })}
          </Typography.Text>
        )}
        <Button
          style={{ marginLeft: "auto" }}
          icon={<ReloadOutlined spin={queue.isFetching} />}
          aria-label={t("order.refresh")}
          onClick={() => queue.refetch()}
        />
      </Flex>
      {queue.isPending ? (
        <PageLoading />
      ) : queue.error ? (
        <ErrorState error={queue.error} onRetry={() => queue.refetch()} />
      ) : queue.data.items.length === 0 ? (
        <EmptyState description={t("queue.empty")} />
      ) : (
        <Spin spinning={queue.isFetching && !queue.isRefetching}>
          {queue.data.total > queue.data.items.length && (
            <Alert
              type="info"
              showIcon
              style={{ marginBottom: 12 }}
              data-testid="queue-capped"
              title={t("queue.capped", { shown: queue.data.items.length, count: queue.data.total })}
              action={<Link to="/orders">{t("queue.toBoard")}</Link>}
            />
          )}
          <ul className="gk-card-list" aria-label={t("queue.title")}>
            {drawn.map(([o, resume]) => (
              <li key={o.id}>
                <OrderCard order={o}>
                  <div style={{ marginTop: 12 }}>
                    <OrderActions
                      order={o}
                      only={QUEUE_ACTIONS}
                      size="large"
                      block
                      onChanged={changed}
                      resume={resume}
                    />
                  </div>
                </OrderCard>
              </li>
            ))}
          </ul>
          {drawn.length < queue.data.items.length && (
            <Button block size="large" onClick={() => setShown((n) => n + QUEUE_STEP)}>
              {t("queue.more", { count: queue.data.items.length - drawn.length })}
            </Button>
          )}
        </Spin>
      )}
    </Flex>
  );
}
