import { EnvironmentOutlined, ReloadOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Button, Card, Flex, Grid, Segmented, Spin, Tag, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { type Answer, api, type CareAlert, qs } from "../../app/api.ts";
import { EmptyState, ErrorState, PageLoading } from "../../app/states.tsx";
import { formatTime, LevelTag } from "./common.tsx";
import { AckButton, ConsultButton, ReferButton } from "./doctorActions.tsx";
import "./care.css";

/** 今日随访: the doctor's open alerts (abnormal readings), each answered from the card. */
export default function FollowupsPage() {
  const { t } = useTranslation();
  const phone = Grid.useBreakpoint().md === false;
  const [state, setState] = useState<"open" | "acknowledged">("open");
  // Today's list keeps the alerts followed up today (marked handled) beside the open ones: a follow-up does
  // not hide the alert it came from, so the doctor can still refer from it.
  const handledSince = state === "open" ? startOfToday() : undefined;
  const alerts = useQuery({
    queryKey: ["care", "alerts", state, handledSince],
    queryFn: () =>
      api<Answer<"/api/care/alerts">>(`/api/care/alerts${qs({ state, handledSince, limit: 200 })}`),
    staleTime: 0,
    refetchInterval: 60_000,
  });

  return (
    <Flex vertical gap={12} style={{ maxWidth: 720 }}>
      <Flex align="center" gap={8}>
        <Typography.Title level={phone ? 3 : 2} style={{ margin: 0 }}>
          {t("care.followups.title")}
        </Typography.Title>
        {alerts.data && state === "open" && (
          <Typography.Text type="secondary" data-testid="alerts-total">
            {t("care.followups.total", {
              count: alerts.data.items.filter((a) => a.state === "open").length,
            })}
          </Typography.Text>
        )}
        <Button
          style={{ marginLeft: "auto" }}
          icon={<ReloadOutlined spin={alerts.isFetching} />}
          aria-label={t("care.refresh")}
          onClick={() => alerts.refetch()}
        />
      </Flex>
      <Segmented
        block
        size={phone ? "large" : "middle"}
        value={state}
        onChange={(v) => setState(v as "open" | "acknowledged")}
        options={[
          { value: "open", label: t("care.followups.open") },
          { value: "acknowledged", label: t("care.followups.handled") },
        ]}
      />
      {alerts.isPending ? (
        <PageLoading />
      ) : alerts.error ? (
        <ErrorState error={alerts.error} onRetry={() => alerts.refetch()} />
      ) : alerts.data.items.length === 0 ? (
        <EmptyState
          description={t(state === "open" ? "care.followups.empty" : "care.followups.noneHandled")}
        />
      ) : (
        <Spin spinning={alerts.isFetching && !alerts.isRefetching}>
          <ul className="gk-card-list" aria-label={t("care.followups.title")}>
            {alerts.data.items.map((a) => (
              <li key={a.id}>
                <AlertCard alert={a} size={phone ? "large" : "middle"} />
              </li>
            ))}
          </ul>
        </Spin>
      )}
    </Flex>
  );
}

function startOfToday(): string {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d.toISOString();
}

function AlertCard({ alert, size }: { alert: CareAlert; size: "large" | "middle" }) {
  const { t } = useTranslation();
  const open = alert.state === "open";
  return (
    <Card
      className={`gk-care-alert gk-care-alert-${alert.level}`}
      data-testid="alert-card"
      data-resident={alert.residentId}
      data-state={alert.state}
    >
      <Flex justify="space-between" align="center" gap={8}>
        <Link to={`/care/residents/${alert.residentId}`}>
          <Typography.Text strong style={{ fontSize: 18 }}>
            {alert.residentName}
          </Typography.Text>
        </Link>
        <span>
          <LevelTag level={alert.level} label={alert.levelLabel} />
          <Tag color={open ? "red" : "default"}>
            {t(`care.alertState.${alert.state}`, { defaultValue: alert.stateLabel })}
          </Tag>
        </span>
      </Flex>
      <ul className="gk-care-reasons" data-testid="alert-reasons">
        {alert.reasons.map((r) => (
          <li key={r}>{r}</li>
        ))}
      </ul>
      <div className="gk-address" style={{ color: "#555" }}>
        <EnvironmentOutlined /> {alert.address}
      </div>
      <Typography.Text type="secondary" style={{ fontSize: 13 }}>
        {formatTime(alert.createdAt)}
        {alert.workOrderId ? (
          <>
            {" · "}
            <Link to={`/orders/${alert.workOrderId}`}>{t("care.followups.order")}</Link>
          </>
        ) : null}
        {alert.ackNote ? ` · ${alert.ackNote}` : ""}
      </Typography.Text>
      <Flex gap={8} wrap style={{ marginTop: 10 }}>
        {open && (
          <ConsultButton
            residentId={alert.residentId}
            residentName={alert.residentName}
            alertId={alert.id}
            size={size}
            primary
          />
        )}
        <ReferButton
          residentId={alert.residentId}
          residentName={alert.residentName}
          reason={alert.reasons.join("；")}
          size={size}
        />
        {open && <AckButton alert={alert} size={size} />}
      </Flex>
    </Card>
  );
}
