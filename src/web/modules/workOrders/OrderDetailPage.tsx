import { useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Button,
  Card,
  Col,
  Descriptions,
  Flex,
  Grid,
  List,
  Row,
  Table,
  Tag,
  Timeline,
  Typography,
} from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import {
  api,
  type OrderClock,
  type OrderEvent,
  type OrderPage,
  type OrderUpstream,
  type WorkOrder,
} from "../../app/api.ts";
import { useAuth } from "../../app/auth.tsx";
import { useSelectOrg } from "../../app/selection.tsx";
import { ErrorState, PageLoading } from "../../app/states.tsx";
import { ActionModal, OrderActions } from "./actions.tsx";
import { OrderPhotos } from "./photos.tsx";
import {
  actionLabel,
  Countdown,
  dueOf,
  formatDuration,
  formatTime,
  SLA_COLORS,
  StateTag,
  useNow,
} from "./sla.tsx";
import "./workOrders.css";

/** What a third-party platform sent with the report (GET /api/orders/:id → client). */
interface ClientExtras {
  emailMasked: string | null;
  mediaUrls: string[];
  attributes: { code: string; label: string; value: string }[];
  deviceId: string | null;
  accountId: string | null;
}

const EVENT_COLORS: Record<string, string> = {
  resolve: "green",
  close: "green",
  verify: "green",
  return: "red",
  cancel: "red",
  rework: "red",
  reopen: "red",
  escalate: "orange",
  pause: "gray",
};

export default function OrderDetailPage() {
  const { t } = useTranslation();
  const id = Number(useParams().id);
  const qc = useQueryClient();
  const { can } = useAuth();
  const screens = Grid.useBreakpoint();
  const [mergeInto, setMergeInto] = useState<WorkOrder | null>(null);
  const q = useQuery({
    queryKey: ["order", id],
    queryFn: () =>
      api<{ order: WorkOrder; events: OrderEvent[]; client: ClientExtras; upstream: OrderUpstream }>(
        `/api/orders/${id}`,
      ),
    staleTime: 0,
  });
  const dups = useQuery({
    queryKey: ["order", id, "duplicates"],
    queryFn: () => api<OrderPage>(`/api/orders/${id}/duplicates`),
    enabled: q.isSuccess,
  });
  useSelectOrg(q.data?.order.orgUnitId);

  async function refresh() {
    await Promise.all([
      qc.invalidateQueries({ queryKey: ["order", id] }),
      qc.invalidateQueries({ queryKey: ["orders"] }),
    ]);
  }

  /** Callbacks without an account are the resident's rating on the public page. */
  const actorOf = (e: OrderEvent) =>
    !e.actorName || e.actorName === "系统"
      ? ["close", "reopen"].includes(e.action)
        ? t("order.residentRating")
        : t("order.system")
      : e.actorName;

  if (q.isPending) return <PageLoading />;
  if (q.error) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  const { order: o, events } = q.data;
  const canMerge = o.allowedActions.some((a) => a.action === "merge");

  const callback =
    o.callbackSolved === null && !o.satisfaction
      ? null
      : `${o.callbackSolved === null ? "" : o.callbackSolved ? t("callback.solvedYes") : t("callback.solvedNo")}${
          o.satisfaction ? ` · ${t(`satisfaction.${o.satisfaction}`)}` : ""
        }`;

  const details = (
    <Card title={t("order.info")}>
      <Descriptions
        column={screens.md ? 2 : 1}
        size="small"
        items={[
          { key: "category", label: t("order.category"), children: o.category },
          {
            key: "channel",
            label: t("order.channel"),
            children: t(`channel.${o.channel}`, { defaultValue: o.channelLabel }),
          },
          {
            key: "org",
            label: t("order.org"),
            children: (
              <>
                {o.orgName} <Tag>{t(`kind.${o.routedLevel}`, { defaultValue: o.routedLevel })}</Tag>
              </>
            ),
          },
          {
            key: "policy",
            label: t("order.policy"),
            children: `${t(`policy.${o.slaPolicy}`, { defaultValue: o.slaPolicy })} · ${t(`order.track.${o.track}`)}`,
          },
          { key: "caller", label: t("order.caller"), children: o.callerName ?? "—" },
          { key: "phone", label: t("order.callerPhone"), children: o.callerPhoneMasked ?? "—" },
          {
            key: "resident",
            label: t("order.resident"),
            children: o.residentId ? (
              <Link to={`/residents/${o.residentId}`}>{t("order.viewResident")}</Link>
            ) : (
              "—"
            ),
          },
          { key: "created", label: t("order.createdAt"), children: formatTime(o.createdAt) },
          { key: "address", label: t("order.address"), children: o.address ?? "—", span: screens.md ? 2 : 1 },
          {
            key: "description",
            label: t("order.description"),
            children: <span style={{ whiteSpace: "pre-wrap" }}>{o.description}</span>,
            span: screens.md ? 2 : 1,
          },
          ...(o.checkIn
            ? [
                {
                  key: "checkIn",
                  label: t("order.checkIn"),
                  children: (
                    <span data-testid="order-check-in">
                      {t("order.checkInValue", {
                        lat: o.checkIn.lat.toFixed(5),
                        long: o.checkIn.long.toFixed(5),
                      })}
                    </span>
                  ),
                  span: screens.md ? 2 : 1,
                },
              ]
            : []),
          ...(callback
            ? [
                {
                  key: "callback",
                  label: t("order.callbackResult"),
                  children: callback,
                  span: screens.md ? 2 : 1,
                },
              ]
            : []),
          ...(o.pendingExtension
            ? [
                {
                  key: "ext",
                  label: t("order.pendingExtension"),
                  children: `${o.pendingExtension.extra.amount} ${t(`order.unit.${o.pendingExtension.extra.unit}`)} · ${o.pendingExtension.reason}`,
                  span: screens.md ? 2 : 1,
                },
              ]
            : []),
          ...(o.mergedIntoId
            ? [
                {
                  key: "merged",
                  label: t("order.mergedInto"),
                  children: <Link to={`/orders/${o.mergedIntoId}`}>{t("order.viewMerged")}</Link>,
                },
              ]
            : []),
        ]}
      />
    </Card>
  );

  const c = q.data.client;
  const client = c && (
    <Card title={t("order.clientTitle")} data-testid="client-extras">
      <Descriptions
        size="small"
        column={1}
        items={[
          ...(c.emailMasked
            ? [{ key: "email", label: t("order.clientEmail"), children: c.emailMasked }]
            : []),
          ...c.attributes.map((a) => ({ key: `a-${a.code}`, label: a.label, children: a.value })),
          ...(c.mediaUrls.length
            ? [
                {
                  key: "media",
                  label: t("order.clientMedia"),
                  children: (
                    <Flex gap={8} wrap>
                      {c.mediaUrls.map((u, i) => (
                        <a key={u} href={u} target="_blank" rel="noopener noreferrer nofollow">
                          {t("order.clientMediaItem", { n: i + 1 })}
                        </a>
                      ))}
                    </Flex>
                  ),
                },
              ]
            : []),
          ...(c.accountId
            ? [{ key: "account", label: t("order.clientAccount"), children: c.accountId }]
            : []),
          ...(c.deviceId ? [{ key: "device", label: t("order.clientDevice"), children: c.deviceId }] : []),
        ]}
      />
    </Card>
  );

  // 上级交办: the city platform's id for this order and whether our steps have reached it (staff only).
  const up = q.data.upstream;
  const upstream = up && (
    <Card title={t("order.upstreamTitle")} data-testid="order-upstream">
      <Descriptions
        size="small"
        column={1}
        items={[
          { key: "platform", label: t("order.upstreamPlatform"), children: up.platform },
          {
            key: "id",
            label: t("order.upstreamId"),
            children: <span className="gk-code">{up.upstreamId}</span>,
          },
          {
            key: "state",
            label: t("order.upstreamSync"),
            children: (
              <Tag
                color={up.syncState === "synced" ? "green" : up.syncState === "pending" ? "orange" : "red"}
              >
                {up.syncLabel}
              </Tag>
            ),
          },
          ...(up.lastError && up.syncState !== "synced"
            ? [{ key: "error", label: t("order.upstreamError"), children: up.lastError }]
            : []),
        ]}
      />
    </Card>
  );

  const clocks = (
    <Card title={t("order.clocks")}>
      {o.clocks.length === 0 ? (
        <Typography.Text type="secondary">{t("order.noClocks")}</Typography.Text>
      ) : (
        <Table<OrderClock>
          rowKey="clock"
          size="small"
          pagination={false}
          dataSource={o.clocks}
          columns={[
            {
              title: t("order.clock"),
              dataIndex: "label",
              render: (l: string, c) => t(`clock.${c.clock}`, { defaultValue: l }),
            },
            { title: t("order.deadline"), dataIndex: "deadline", render: (d: string) => formatTime(d) },
            {
              title: t("order.clockState"),
              key: "state",
              render: (_: unknown, c) => <ClockState clock={c} />,
            },
          ]}
        />
      )}
    </Card>
  );

  const timeline = (
    <Card title={t("order.timeline")}>
      <Timeline
        data-testid="order-timeline"
        items={events.map((e) => ({
          key: e.id,
          color: EVENT_COLORS[e.action] ?? "blue",
          content: (
            <div className="gk-event">
              <div>
                <Typography.Text strong>{actionLabel(t, e.action)}</Typography.Text>
                {e.fromState !== e.toState && (
                  <Typography.Text type="secondary">
                    {" "}
                    → {t(`orderState.${e.toState}`, { defaultValue: e.toState })}
                  </Typography.Text>
                )}
              </div>
              <Typography.Text type="secondary" style={{ fontSize: 13 }}>
                {actorOf(e)} · {formatTime(e.at)}
              </Typography.Text>
              {e.note && <div className="gk-event-note">{e.note}</div>}
              <EventDetail event={e} />
            </div>
          ),
        }))}
      />
    </Card>
  );

  const duplicates = (dups.data?.items.length ?? 0) > 0 && (
    <Card title={t("order.duplicates")} data-testid="duplicates">
      <List
        dataSource={dups.data!.items}
        renderItem={(d) => (
          <List.Item
            actions={
              canMerge
                ? [
                    <Button key="merge" size="small" onClick={() => setMergeInto(d)}>
                      {t("order.mergeIntoThis")}
                    </Button>,
                  ]
                : []
            }
          >
            <List.Item.Meta
              title={<Link to={`/orders/${d.id}`}>{d.number}</Link>}
              description={
                <>
                  <StateTag state={d.state} label={d.stateLabel} /> {d.category} · {formatTime(d.createdAt)}
                  <div className="gk-address">{d.description}</div>
                </>
              }
            />
          </List.Item>
        )}
      />
    </Card>
  );

  return (
    <Flex vertical gap={16}>
      <Flex align="center" gap={12} wrap>
        <Typography.Title level={screens.md ? 2 : 3} style={{ margin: 0 }}>
          {t("order.title", { number: o.number })}
        </Typography.Title>
        <StateTag state={o.state} label={o.stateLabel} />
        {dueOf(o) !== null && <Countdown order={o} />}
      </Flex>
      <OrderActions order={o} onChanged={refresh} size={screens.md ? "middle" : "large"} resume />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={14}>
          <Flex vertical gap={16}>
            {details}
            {client}
            {upstream}
            {clocks}
            <Card title={t("photo.title")}>
              <OrderPhotos orderId={o.id} canUpload={can("order.act")} />
            </Card>
            {duplicates}
          </Flex>
        </Col>
        <Col xs={24} xl={10}>
          {timeline}
        </Col>
      </Row>
      {mergeInto && (
        <ActionModal
          order={o}
          action="merge"
          intoOrderId={mergeInto.id}
          onClose={() => setMergeInto(null)}
          onDone={() => {
            setMergeInto(null);
            void refresh();
          }}
          onRefresh={() => {
            setMergeInto(null);
            void refresh();
          }}
        />
      )}
    </Flex>
  );
}

function ClockState({ clock }: { clock: OrderClock }) {
  const { t } = useTranslation();
  const at = useNow();
  if (clock.stoppedAt) {
    const late = Date.parse(clock.stoppedAt) > Date.parse(clock.deadline);
    return (
      <Tag color={late ? "red" : "green"}>
        {t(late ? "order.clockLate" : "order.clockMet", { time: formatTime(clock.stoppedAt) })}
      </Tag>
    );
  }
  if (clock.paused) return <Tag>{t("order.clockPaused")}</Tag>;
  const left = Date.parse(clock.deadline) - at;
  return (
    <span style={{ color: left < 0 ? SLA_COLORS.overdue : undefined, fontWeight: 500 }}>
      {left >= 0
        ? t("sla.left", { time: formatDuration(left, t) })
        : t("sla.overdueBy", { time: formatDuration(left, t) })}
    </span>
  );
}

/** The parts of an event's detail worth reading: callback result, escalation target, extension asked. */
function EventDetail({ event }: { event: OrderEvent }) {
  const { t } = useTranslation();
  const d = event.detail as {
    callback?: { solved: boolean; satisfaction: string | null };
    escalateTo?: { level: string; unitId: string };
    extra?: { amount: number; unit: string };
    status?: string;
  } | null;
  if (!d) return null;
  const parts: string[] = [];
  if (d.callback) {
    parts.push(d.callback.solved ? t("callback.solvedYes") : t("callback.solvedNo"));
    if (d.callback.satisfaction) parts.push(t(`satisfaction.${d.callback.satisfaction}`));
  }
  if (d.escalateTo) parts.push(`${t(`order.escalate_${d.escalateTo.level}`)}`);
  if (d.extra) parts.push(`${d.extra.amount} ${t(`order.unit.${d.extra.unit}`)}`);
  if (event.action === "client_update" && d.status) parts.push(t("order.clientStatus", { status: d.status }));
  if (!parts.length) return null;
  return <div className="gk-event-detail">{parts.join(" · ")}</div>;
}
