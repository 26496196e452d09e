import { ReloadOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, DatePicker, Flex, Grid, Input, Modal, Tag, Typography } from "antd";
import type { Dayjs } from "dayjs";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { type Answer, api, type BodyOf, qs, type Referral } from "../../app/api.ts";
import { useAuth } from "../../app/auth.tsx";
import { EmptyState, ErrorState, PageLoading } from "../../app/states.tsx";
import { formatTime, ReferralStateTag, useScopeOrg } from "./common.tsx";
import "./care.css";

/** The board's columns, in the order a referral moves; closed ones (declined, cancelled) last. */
const COLUMNS = [
  "requested",
  "accepted",
  "scheduled",
  "completed",
  "returned_to_community",
  "closed",
] as const;
const columnOf = (state: string) => (state === "declined" || state === "cancelled" ? "closed" : state);

/** 转诊看板: referrals by state, green channel first (the server's order), with the allowed steps. */
export default function ReferralBoardPage() {
  const { t } = useTranslation();
  const phone = Grid.useBreakpoint().md === false;
  const { org, param } = useScopeOrg();
  const board = useQuery({
    queryKey: ["care", "referrals", org],
    queryFn: () => api<Answer<"/api/care/referrals">>(`/api/care/referrals${qs({ org: param, limit: 500 })}`),
    staleTime: 0,
    refetchInterval: 60_000,
  });

  return (
    <Flex vertical gap={12}>
      <Flex align="center" gap={8}>
        <Typography.Title level={phone ? 3 : 2} style={{ margin: 0 }}>
          {t("care.referrals.title")}
        </Typography.Title>
        <Typography.Text type="secondary">{t("care.referrals.order")}</Typography.Text>
        <Button
          style={{ marginLeft: "auto" }}
          icon={<ReloadOutlined spin={board.isFetching} />}
          aria-label={t("care.refresh")}
          onClick={() => board.refetch()}
        />
      </Flex>
      {board.isPending ? (
        <PageLoading />
      ) : board.error ? (
        <ErrorState error={board.error} onRetry={() => board.refetch()} />
      ) : (
        <div className={phone ? "gk-care-board gk-care-board-phone" : "gk-care-board"}>
          {COLUMNS.map((col) => {
            const items = board.data.items.filter((r) => columnOf(r.state) === col);
            return (
              <section
                key={col}
                className="gk-care-column"
                data-column={col}
                aria-label={t(`care.referralColumn.${col}`)}
              >
                <h2 className="gk-care-column-title">
                  {t(`care.referralColumn.${col}`)} <Tag>{items.length}</Tag>
                </h2>
                {items.length === 0 ? (
                  <EmptyState description={t("care.referrals.none")} />
                ) : (
                  <Flex vertical gap={8}>
                    {items.map((r) => (
                      <ReferralCard key={r.id} referral={r} />
                    ))}
                  </Flex>
                )}
              </section>
            );
          })}
        </div>
      )}
    </Flex>
  );
}

function ReferralCard({ referral: r }: { referral: Referral }) {
  const { t } = useTranslation();
  // A hospital's liaison sees the referral, not the resident's health record behind it.
  const { can } = useAuth();
  const name = <Typography.Text strong>{r.residentName}</Typography.Text>;
  return (
    <Card
      size="small"
      className={r.greenChannel ? "gk-care-referral gk-care-green" : "gk-care-referral"}
      data-testid="referral-card"
      data-id={r.id}
      data-state={r.state}
    >
      <Flex justify="space-between" align="center" gap={4} wrap>
        {can("health.read") ? <Link to={`/care/residents/${r.residentId}`}>{name}</Link> : name}
        <span>
          {r.greenChannel && (
            <Tag color="green" data-testid="green-channel">
              {t("care.refer.greenChannel")}
            </Tag>
          )}
          <ReferralStateTag state={r.state} label={r.stateLabel} />
        </span>
      </Flex>
      <div style={{ margin: "4px 0" }}>
        {r.hospitalName}
        {r.department ? ` · ${r.department}` : ""}
      </div>
      <Typography.Paragraph ellipsis={{ rows: 2 }} type="secondary" style={{ margin: 0, fontSize: 13 }}>
        {r.reason}
      </Typography.Paragraph>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t("care.referrals.requested", { at: formatTime(r.requestedAt), by: r.requestedByName ?? "—" })}
      </Typography.Text>
      {r.appointmentAt && (
        <div style={{ fontSize: 13 }}>
          {t("care.referrals.appointment", { at: formatTime(r.appointmentAt) })}
        </div>
      )}
      {r.allowedActions.length > 0 && (
        <Flex gap={6} wrap style={{ marginTop: 8 }}>
          {r.allowedActions.map((a) => (
            <ReferralAction key={a.action} referral={r} action={a.action} label={a.label} />
          ))}
        </Flex>
      )}
    </Card>
  );
}

/** Steps that need more than a click ask for it: schedule a time, decline or return with a note. */
const NEEDS_NOTE = ["decline", "return_to_community"];

export function ReferralAction({
  referral,
  action,
  label,
}: {
  referral: Referral;
  action: string;
  label: string;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState("");
  const [at, setAt] = useState<Dayjs | null>(null);
  const [error, setError] = useState<string | null>(null);
  const text = t(`care.referralAction.${action}`, { defaultValue: label });
  const form = action === "schedule" || NEEDS_NOTE.includes(action) || action === "complete";

  async function run() {
    setBusy(true);
    setError(null);
    try {
      await api(`/api/care/referrals/${referral.id}/actions/${action}`, {
        method: "POST",
        body: {
          version: referral.version,
          ...(note.trim() ? { note: note.trim() } : {}),
          ...(action === "schedule" && at ? { appointmentAt: at.toISOString() } : {}),
        } satisfies BodyOf<"/api/care/referrals/{id}/actions/{action}", "post">,
      });
      void message.success(t("care.referrals.done", { action: text }));
      setOpen(false);
      await qc.invalidateQueries({ queryKey: ["care"] });
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (form) setError(msg);
      else void message.error(msg);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <Button
        size="small"
        type={action === "cancel" || action === "decline" ? "default" : "primary"}
        danger={action === "cancel" || action === "decline"}
        loading={busy && !form}
        data-action={action}
        onClick={() => (form ? setOpen(true) : run())}
      >
        {text}
      </Button>
      {form && (
        <Modal
          open={open}
          title={`${text} · ${referral.residentName}`}
          okText={text}
          confirmLoading={busy}
          onOk={run}
          onCancel={() => setOpen(false)}
          destroyOnHidden
        >
          <Flex vertical gap={8}>
            {action === "schedule" && (
              <>
                <label htmlFor={`gk-appt-${referral.id}`}>{t("care.referrals.appointmentAt")}</label>
                <DatePicker
                  id={`gk-appt-${referral.id}`}
                  showTime={{ format: "HH:mm" }}
                  format="YYYY-MM-DD HH:mm"
                  value={at}
                  onChange={setAt}
                  style={{ width: "100%" }}
                />
              </>
            )}
            <label htmlFor={`gk-note-${referral.id}`}>
              {t(action === "return_to_community" ? "care.referrals.returnNote" : "care.referrals.note")}
            </label>
            <Input.TextArea
              id={`gk-note-${referral.id}`}
              rows={3}
              value={note}
              onChange={(e) => setNote(e.target.value)}
            />
            {error && <Alert type="error" showIcon title={error} />}
          </Flex>
        </Modal>
      )}
    </>
  );
}
