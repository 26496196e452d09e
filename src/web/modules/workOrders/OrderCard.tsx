import { EnvironmentOutlined, RightOutlined } from "@ant-design/icons";
import { Card, Flex, Typography } from "antd";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { WorkOrder } from "../../app/api.ts";
import { Countdown, dueOf, liveStatus, StateTag, useNow } from "./sla.tsx";

/** One order as a phone card: number, state, a live countdown, where and what; a red or orange edge when late. */
export function OrderCard({
  order,
  link,
  children,
}: {
  order: WorkOrder;
  link?: boolean;
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  const at = useNow();
  const due = dueOf(order);
  const status = due === null ? "none" : liveStatus(order, due, at);
  const body = (
    <Card
      className={`gk-order-card gk-order-${status}`}
      data-testid="order-card"
      data-number={order.number}
      hoverable={link}
    >
      <Flex justify="space-between" align="center" gap={8}>
        <Typography.Text strong style={{ fontSize: 17 }}>
          {order.category}
        </Typography.Text>
        <StateTag state={order.state} label={order.stateLabel} />
      </Flex>
      <div style={{ margin: "6px 0" }}>
        <Countdown order={order} large />
      </div>
      <Typography.Paragraph ellipsis={{ rows: 2 }} style={{ margin: "4px 0", color: "#333" }}>
        {order.description}
      </Typography.Paragraph>
      {order.address && (
        <div className="gk-address" style={{ color: "#666" }}>
          <EnvironmentOutlined /> {order.address}
        </div>
      )}
      <Flex justify="space-between" align="center" style={{ marginTop: 6 }}>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {order.number} · {t(`channel.${order.channel}`, { defaultValue: order.channelLabel })}
        </Typography.Text>
        {!link && (
          <Link to={`/orders/${order.id}`} aria-label={t("queue.detailOf", { number: order.number })}>
            {t("queue.detail")} <RightOutlined />
          </Link>
        )}
      </Flex>
      {children}
    </Card>
  );
  return link ? <Link to={`/orders/${order.id}`}>{body}</Link> : body;
}
