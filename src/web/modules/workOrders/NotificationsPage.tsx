import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Badge, Card, Flex, Grid, Segmented, Table, Tag, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { api, type NotificationItem, qs } from "../../app/api.ts";
import { EmptyState, ErrorState } from "../../app/states.tsx";
import { formatTime } from "./sla.tsx";

const STATE_BADGE = { pending: "processing", sent: "success", failed: "error" } as const;

function DeliveryState({ n }: { n: NotificationItem }) {
  const { t } = useTranslation();
  return <Badge status={STATE_BADGE[n.state]} text={t(`notification.state.${n.state}`)} />;
}

export default function NotificationsPage() {
  const { t } = useTranslation();
  const phone = Grid.useBreakpoint().md === false;
  const [params, setParams] = useSearchParams();
  const state = params.get("state") ?? "";
  const list = useQuery({
    queryKey: ["notifications", state],
    queryFn: () => api<{ items: NotificationItem[] }>(`/api/notifications${qs({ state, limit: 200 })}`),
    placeholderData: keepPreviousData,
    refetchInterval: 30_000,
  });
  const items = list.data?.items ?? [];
  const kind = (k: string) => t(`notification.kind.${k}`, { defaultValue: k });

  return (
    <Flex vertical gap={16}>
      <Typography.Title level={phone ? 3 : 2} style={{ margin: 0 }}>
        {t("notification.title")}
      </Typography.Title>
      <Segmented
        value={state}
        onChange={(v) => setParams(v ? { state: String(v) } : {})}
        options={[
          { value: "", label: t("notification.all") },
          { value: "pending", label: t("notification.state.pending") },
          { value: "sent", label: t("notification.state.sent") },
          { value: "failed", label: t("notification.state.failed") },
        ]}
      />
      {list.error ? (
        <ErrorState error={list.error} onRetry={() => list.refetch()} />
      ) : phone ? (
        items.length === 0 && list.data ? (
          <EmptyState description={t("notification.empty")} />
        ) : (
          <ul className="gk-card-list" aria-label={t("notification.title")}>
            {items.map((n) => (
              <li key={n.id}>
                <Card size="small">
                  <Flex justify="space-between" gap={8}>
                    <Typography.Text strong>{n.title}</Typography.Text>
                    <Tag>{kind(n.kind)}</Tag>
                  </Flex>
                  <div style={{ color: "#555", margin: "4px 0" }}>{n.body}</div>
                  <Flex justify="space-between" wrap gap={8}>
                    <DeliveryState n={n} />
                    <Typography.Text type="secondary">{formatTime(n.createdAt)}</Typography.Text>
                  </Flex>
                  {n.lastError && <Typography.Text type="danger">{n.lastError}</Typography.Text>}
                </Card>
              </li>
            ))}
          </ul>
        )
      ) : (
        <Table<NotificationItem>
          rowKey="id"
          size="middle"
          loading={list.isFetching && !list.data}
          dataSource={items}
          scroll={{ x: "max-content" }}
          pagination={{ pageSize: 20, showSizeChanger: false }}
          locale={{ emptyText: list.isPending ? " " : <EmptyState description={t("notification.empty")} /> }}
          columns={[
            {
              title: t("notification.createdAt"),
              dataIndex: "createdAt",
              render: (d: string) => formatTime(d),
            },
            {
              title: t("notification.kindLabel"),
              dataIndex: "kind",
              render: (k: string) => <Tag>{kind(k)}</Tag>,
            },
            {
              title: t("notification.message"),
              dataIndex: "title",
              render: (title: string, n) => (
                <div style={{ maxWidth: 420 }}>
                  <div>{n.orderId ? <Link to={`/orders/${n.orderId}`}>{title}</Link> : title}</div>
                  <Typography.Text type="secondary">{n.body}</Typography.Text>
                </div>
              ),
            },
            {
              title: t("notification.transport"),
              dataIndex: "transport",
              render: (v: string | null) => v ?? "—",
            },
            {
              title: t("notification.stateLabel"),
              dataIndex: "state",
              render: (_: string, n) => <DeliveryState n={n} />,
            },
            { title: t("notification.attempts"), dataIndex: "attempts" },
            {
              title: t("notification.sentAt"),
              key: "when",
              render: (_: unknown, n) =>
                n.sentAt
                  ? formatTime(n.sentAt)
                  : n.state === "pending"
                    ? t("notification.nextAttempt", { time: formatTime(n.nextAttemptAt) })
                    : "—",
            },
            {
              title: t("notification.lastError"),
              dataIndex: "lastError",
              render: (e: string | null) => (e ? <Typography.Text type="danger">{e}</Typography.Text> : "—"),
            },
          ]}
        />
      )}
    </Flex>
  );
}
