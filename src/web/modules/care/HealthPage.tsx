import { DeleteOutlined, PrinterOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Drawer,
  Flex,
  Grid,
  Input,
  Popconfirm,
  Select,
  Table,
  Tag,
  Timeline,
  Typography,
} from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import {
  type Answer,
  api,
  type BodyOf,
  type CareAlert,
  type CareConsultation,
  type CarePlan,
  type CareVisit,
  type HealthTimeline,
  type Referral,
  type Resident,
  type TagAssignment,
} from "../../app/api.ts";
import { useAuth } from "../../app/auth.tsx";
import { readDraft } from "../../app/forms.ts";
import { KEY_TAGS } from "../../app/i18n/index.ts";
import { useSelectOrg } from "../../app/selection.tsx";
import { ErrorState, PageLoading } from "../../app/states.tsx";
import { RevealableValue } from "../residents/RevealButton.tsx";
import { ResidentTags } from "../residents/tags.tsx";
import { DueTag, formatDate, formatTime, LEVEL_COLORS, LevelTag, ReferralStateTag } from "./common.tsx";
import { ConsultButton, ReferButton } from "./doctorActions.tsx";
import { PlanAssignment } from "./PlanAssignment.tsx";
import { VisitForm } from "./VisitForm.tsx";
import "./care.css";

/** 健康档案: a key resident's care plan, tags with their evidence, and the health timeline. */

type TagBody = BodyOf<"/api/care/residents/{id}/tags", "post">;
export default function HealthPage() {
  const { t } = useTranslation();
  const id = Number(useParams().id);
  const { can, me } = useAuth();
  const qc = useQueryClient();
  const phone = Grid.useBreakpoint().md === false;
  // A visit to this resident kept as a draft (the session expired while it was filled) opens again.
  const [visiting, setVisiting] = useState(() => !!me && readDraft(me.id, `visit.${id}`) !== null);
  const resident = useQuery({
    queryKey: ["resident", id],
    queryFn: () => api<Resident>(`/api/residents/${id}`),
  });
  const plan = useQuery({
    queryKey: ["care", "plan", id],
    queryFn: () => api<CarePlan>(`/api/care/residents/${id}/plan`),
  });
  const health = useQuery({
    queryKey: ["care", "health", id],
    queryFn: () => api<HealthTimeline>(`/api/care/residents/${id}/health`),
    enabled: can("health.read"),
  });
  useSelectOrg(resident.data?.orgUnitId);

  if (resident.isPending) return <PageLoading />;
  if (resident.error) return <ErrorState error={resident.error} onRetry={() => resident.refetch()} />;
  const r = resident.data;
  const p = plan.data;

  return (
    <Flex vertical gap={16}>
      <Flex align="center" gap={12} wrap>
        <Typography.Title level={phone ? 3 : 2} style={{ margin: 0 }}>
          {t("care.health.title", { name: r.name })}
        </Typography.Title>
        <Link to={`/residents/${r.id}`}>{t("care.health.profile")}</Link>
        <Flex gap={8} wrap style={{ marginLeft: phone ? undefined : "auto" }}>
          {can("care.write") && (
            <Button type="primary" onClick={() => setVisiting(true)}>
              {t("care.visits.record")}
            </Button>
          )}
          {can("health.write") && <ConsultButton residentId={r.id} residentName={r.name} />}
          {can("health.read") && <ReferButton residentId={r.id} residentName={r.name} />}
          <Button
            icon={<PrinterOutlined />}
            href={`/api/care/residents/${r.id}/card.pdf`}
            target="_blank"
            data-testid="card-link"
          >
            {t("care.health.card")}
          </Button>
        </Flex>
      </Flex>

      <Card
        title={t("care.health.plan")}
        size="small"
        extra={
          can("care.assign") &&
          p?.keyResident && (
            <PlanAssignment residentId={r.id} residentName={r.name} orgUnitId={r.orgUnitId} plan={p} />
          )
        }
      >
        {plan.error ? (
          <ErrorState error={plan.error} />
        ) : !p ? (
          <PageLoading />
        ) : !p.keyResident ? (
          <Typography.Text type="secondary">{t("care.health.notKey")}</Typography.Text>
        ) : (
          <Descriptions
            column={phone ? 1 : 3}
            size="small"
            items={[
              {
                key: "f",
                label: t("care.ledger.frequency"),
                children: p.frequency
                  ? t(`care.frequency.${p.frequency}`, { defaultValue: p.frequencyLabel ?? "" })
                  : "—",
              },
              {
                key: "s",
                label: t("care.health.status"),
                children: p.status ? (
                  <span data-testid="plan-status">
                    <DueTag
                      state={p.status.state}
                      label={p.status.label}
                      days={p.status.daysOverdue || p.status.daysLeft}
                    />
                  </span>
                ) : (
                  "—"
                ),
              },
              { key: "d", label: t("care.health.nextDue"), children: p.status?.dueBy ?? "—" },
              {
                key: "l",
                label: t("care.ledger.lastVisit"),
                children: p.lastVisitAt ? formatTime(p.lastVisitAt) : t("care.ledger.never"),
              },
              {
                key: "w",
                label: t("care.health.worker"),
                children: (
                  <Flex vertical gap={0}>
                    <span data-testid="plan-worker">{p.assignedWorkerName ?? "—"}</span>
                    {p.assignedWorkerId !== null && p.assignedWorkerPhoneMasked && (
                      <span data-testid="plan-worker-phone">
                        <RevealableValue
                          url={`/api/accounts/${p.assignedWorkerId}/reveal`}
                          field="workPhone"
                          masked={p.assignedWorkerPhoneMasked}
                          allowed={can("resident.reveal")}
                        />
                      </span>
                    )}
                  </Flex>
                ),
              },
              {
                key: "doc",
                label: t("care.health.doctor"),
                children: (
                  <Flex vertical gap={0}>
                    <span data-testid="plan-doctor">{p.doctorName ?? "—"}</span>
                    {p.doctorId !== null && p.doctorPhoneMasked && (
                      <span data-testid="plan-doctor-phone">
                        <RevealableValue
                          url={`/api/accounts/${p.doctorId}/reveal`}
                          field="workPhone"
                          masked={p.doctorPhoneMasked}
                          allowed={can("resident.reveal")}
                        />
                      </span>
                    )}
                  </Flex>
                ),
              },
            ]}
          />
        )}
      </Card>

      <TagEvidence
        residentId={r.id}
        canWrite={can("care.write")}
        onChanged={() => qc.invalidateQueries({ queryKey: ["resident", id] })}
      />

      {can("health.read") &&
        (health.isPending ? (
          <PageLoading />
        ) : health.error ? (
          <ErrorState error={health.error} onRetry={() => health.refetch()} />
        ) : (
          <>
            {health.data.contracts.length > 0 && (
              <Card title={t("care.health.contracts")} size="small">
                <Table
                  size="small"
                  rowKey="id"
                  pagination={false}
                  dataSource={health.data.contracts}
                  scroll={{ x: "max-content" }}
                  columns={[
                    { title: t("care.health.doctor"), dataIndex: "doctorName" },
                    { title: t("care.health.package"), dataIndex: "servicePackageLabel" },
                    {
                      title: t("care.health.period"),
                      key: "p",
                      render: (_: unknown, c) => `${c.start} – ${c.end}`,
                    },
                    {
                      title: t("care.health.status"),
                      key: "s",
                      render: (_: unknown, c) => <Tag>{c.status.label}</Tag>,
                    },
                  ]}
                />
              </Card>
            )}
            <Card title={t("care.health.timeline")} size="small">
              <HealthEvents h={health.data} />
            </Card>
          </>
        ))}
      <Drawer
        open={visiting}
        placement={phone ? "bottom" : "right"}
        size={phone ? "92%" : 520}
        title={t("care.visit.title", { name: r.name })}
        onClose={() => setVisiting(false)}
        destroyOnHidden
      >
        {visiting && <VisitForm residentId={r.id} residentName={r.name} onDone={() => setVisiting(false)} />}
      </Drawer>
    </Flex>
  );
}

function HealthEvents({ h }: { h: HealthTimeline }) {
  const { t } = useTranslation();
  const visits = new Map(h.visits.map((v) => [v.id, v]));
  const alerts = new Map(h.alerts.map((a) => [a.id, a]));
  const consults = new Map(h.consultations.map((c) => [c.id, c]));
  const refs = new Map(h.referrals.map((f) => [f.id, f]));
  if (!h.events.length)
    return <Typography.Text type="secondary">{t("care.health.noEvents")}</Typography.Text>;
  return (
    <Timeline
      data-testid="health-timeline"
      items={h.events.map((e) => {
        const color =
          e.type === "visit"
            ? LEVEL_COLORS[visits.get(e.id)?.level ?? "normal"]
            : e.type === "alert"
              ? LEVEL_COLORS[alerts.get(e.id)?.level ?? "abnormal"]
              : e.type === "referral"
                ? "purple"
                : "blue";
        const body =
          e.type === "visit" ? (
            <VisitItem key="v" v={visits.get(e.id)!} />
          ) : e.type === "alert" ? (
            <AlertItem key="a" a={alerts.get(e.id)!} />
          ) : e.type === "consultation" ? (
            <ConsultItem key="c" c={consults.get(e.id)!} />
          ) : (
            <ReferralItem key="f" f={refs.get(e.id)!} />
          );
        return {
          key: `${e.type}-${e.id}`,
          color,
          content: (
            <div data-testid={`event-${e.type}`}>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {formatTime(e.at)} · {t(`care.event.${e.type}`)}
              </Typography.Text>
              {body}
            </div>
          ),
        };
      })}
    />
  );
}

function VisitItem({ v }: { v: CareVisit }) {
  const { t } = useTranslation();
  if (!v) return null;
  return (
    <div>
      <div>
        <strong>{t(`care.visitKind.${v.kind}`, { defaultValue: v.kindLabel })}</strong> ·{" "}
        {t("care.health.minutes", { count: v.durationMinutes })} · {v.visitorName}{" "}
        <LevelTag level={v.level} label={v.levelLabel} />
      </div>
      {v.flags.length > 0 && (
        <Flex gap={4} wrap style={{ margin: "4px 0" }} data-testid="vital-flags">
          {v.flags.map((f) => (
            <Tag key={f.code + f.reading} color={LEVEL_COLORS[f.level]} data-level={f.level}>
              {f.label}：{f.reading}
            </Tag>
          ))}
        </Flex>
      )}
      {v.findings && <div>{v.findings}</div>}
      {v.needs.length > 0 && (
        <div>
          {t("care.visit.needs")}：
          {v.needs.map((n) => (
            <Tag key={n.kind} color={n.urgency === "urgent" ? "red" : undefined}>
              {t(`care.need.${n.kind}`, { defaultValue: n.label })}
              {n.urgency === "urgent" ? `（${t("care.visit.urgentShort")}）` : ""}
            </Tag>
          ))}
        </div>
      )}
      {v.location && (
        <div data-testid="visit-location" style={{ color: "#555", fontSize: 13 }}>
          {t("evidence.checkedIn", {
            lat: v.location.lat.toFixed(5),
            long: v.location.long.toFixed(5),
            accuracy: v.location.accuracy ?? "?",
          })}
        </div>
      )}
      {v.photoIds?.length > 0 && (
        <Flex gap={6} wrap style={{ margin: "4px 0" }} data-testid="visit-photos">
          {v.photoIds.map((id, i) => (
            <a key={id} href={`/api/care/photos/${id}`} target="_blank" rel="noreferrer">
              <img
                src={`/api/care/photos/${id}`}
                alt={t("evidence.photoAlt", { n: i + 1 })}
                loading="lazy"
                style={{ width: 72, height: 72, objectFit: "cover", borderRadius: 6 }}
              />
            </a>
          ))}
        </Flex>
      )}
      {v.workOrderId ? <Link to={`/orders/${v.workOrderId}`}>{t("care.followups.order")}</Link> : null}
    </div>
  );
}

function AlertItem({ a }: { a: CareAlert }) {
  const { t } = useTranslation();
  if (!a) return null;
  return (
    <div>
      <LevelTag level={a.level} label={a.levelLabel} />
      <Tag color={a.state === "open" ? "red" : "default"}>
        {t(`care.alertState.${a.state}`, { defaultValue: a.stateLabel })}
      </Tag>
      <div>{a.reasons.join("；")}</div>
      {a.ackNote && <Typography.Text type="secondary">{a.ackNote}</Typography.Text>}
    </div>
  );
}

function ConsultItem({ c }: { c: CareConsultation }) {
  const { t } = useTranslation();
  if (!c) return null;
  return (
    <div>
      <strong>{t(`care.consultMode.${c.mode}`, { defaultValue: c.modeLabel })}</strong> · {c.doctorName}
      <div>{c.summary}</div>
      {c.advice && (
        <div>
          {t("care.consult.advice")}：{c.advice}
        </div>
      )}
    </div>
  );
}

function ReferralItem({ f }: { f: Referral }) {
  const { t } = useTranslation();
  if (!f) return null;
  return (
    <div>
      {f.hospitalName}
      {f.department ? ` · ${f.department}` : ""} <ReferralStateTag state={f.state} label={f.stateLabel} />
      {f.greenChannel && <Tag color="green">{t("care.refer.greenChannel")}</Tag>}
      <div>{f.reason}</div>
    </div>
  );
}

function TagEvidence({
  residentId,
  canWrite,
  onChanged,
}: {
  residentId: number;
  canWrite: boolean;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [tag, setTag] = useState<TagBody["tag"] | undefined>();
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | null>(null);
  const q = useQuery({
    queryKey: ["care", "tags", residentId],
    queryFn: () => api<Answer<"/api/care/residents/{id}/tags">>(`/api/care/residents/${residentId}/tags`),
  });
  async function changed() {
    await qc.invalidateQueries({ queryKey: ["care"] });
    onChanged();
  }
  async function add() {
    if (!tag) return;
    setError(null);
    try {
      await api(`/api/care/residents/${residentId}/tags`, {
        method: "POST",
        body: { tag, note: note.trim() || undefined } satisfies TagBody,
      });
      setTag(undefined);
      setNote("");
      void message.success(t("care.tags.added"));
      await changed();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }
  async function remove(k: string) {
    try {
      await api(`/api/care/residents/${residentId}/tags/${k}`, { method: "DELETE" });
      await changed();
    } catch (e) {
      void message.error(e instanceof Error ? e.message : String(e));
    }
  }
  const current = q.data?.tags ?? [];
  // Tags from the registry before the ledger kept evidence have no row: show them as 户籍登记.
  const rows: (TagAssignment | { id: string; tag: string; legacy: true })[] = [
    ...(q.data?.items ?? []),
    ...current
      .filter((k) => !(q.data?.items ?? []).some((a) => a.tag === k && a.current))
      .map((k) => ({ id: `legacy-${k}`, tag: k, legacy: true as const })),
  ];
  return (
    <Card title={t("care.tags.title")} size="small" extra={<ResidentTags tags={current} />}>
      {q.error ? (
        <ErrorState error={q.error} />
      ) : (
        <Table
          size="small"
          rowKey="id"
          loading={q.isPending}
          pagination={false}
          dataSource={rows}
          data-testid="tag-evidence"
          scroll={{ x: "max-content" }}
          columns={[
            {
              title: t("resident.tags"),
              key: "tag",
              render: (_: unknown, a) => <ResidentTags tags={[a.tag]} />,
            },
            {
              title: t("care.tags.source"),
              key: "source",
              render: (_: unknown, a) =>
                "legacy" in a
                  ? t("care.tags.registry")
                  : t(`care.tagSource.${a.source}`, { defaultValue: a.sourceLabel }),
            },
            {
              title: t("care.tags.by"),
              key: "by",
              render: (_: unknown, a) => ("legacy" in a ? "—" : (a.setByName ?? "—")),
            },
            {
              title: t("care.tags.at"),
              key: "at",
              render: (_: unknown, a) => ("legacy" in a ? "—" : formatDate(a.setAt)),
            },
            {
              title: t("care.tags.note"),
              key: "note",
              render: (_: unknown, a) => ("legacy" in a ? "" : (a.note ?? "")),
            },
            {
              title: t("care.tags.state"),
              key: "state",
              render: (_: unknown, a) =>
                "legacy" in a || a.current ? (
                  <Flex gap={4} align="center">
                    <Tag color="green">{t("care.tags.current")}</Tag>
                    {canWrite && current.includes(a.tag) && (
                      <Popconfirm title={t("care.tags.removeConfirm")} onConfirm={() => remove(a.tag)}>
                        <Button
                          size="small"
                          type="text"
                          danger
                          icon={<DeleteOutlined />}
                          aria-label={t("care.tags.remove")}
                        />
                      </Popconfirm>
                    )}
                  </Flex>
                ) : (
                  <Tag>{t("care.tags.removed", { at: formatDate(a.removedAt) })}</Tag>
                ),
            },
          ]}
        />
      )}
      {canWrite && (
        <Flex gap={8} wrap style={{ marginTop: 12 }}>
          <Select
            aria-label={t("care.tags.add")}
            placeholder={t("care.tags.add")}
            style={{ minWidth: 160 }}
            value={tag}
            onChange={setTag}
            options={KEY_TAGS.filter((k) => !current.includes(k)).map((k) => ({
              value: k,
              label: t(`tag.${k}`),
            }))}
          />
          <Input
            aria-label={t("care.tags.note")}
            placeholder={t("care.tags.notePlaceholder")}
            value={note}
            onChange={(e) => setNote(e.target.value)}
            style={{ flex: "1 1 200px", maxWidth: 360 }}
          />
          <Button onClick={add} disabled={!tag}>
            {t("care.tags.addButton")}
          </Button>
          {error && <Alert type="error" showIcon title={error} />}
        </Flex>
      )}
    </Card>
  );
}
