import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  App,
  Button,
  Card,
  DatePicker,
  Empty,
  Flex,
  Form,
  Input,
  InputNumber,
  List,
  Modal,
  Progress,
  Select,
  Space,
  Statistic,
  Tag,
  Typography,
} from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../app/api.ts";
import { useAuth } from "../../app/auth.tsx";
import { ErrorState, PageLoading } from "../../app/states.tsx";
import { formatTime } from "../../app/time.ts";
import { type MaEvent, type MaEventDetail, type MaNotice, ResidentPicker } from "./common.tsx";

const TAGS = ["aged_80_plus", "living_alone", "empty_nest", "chronic_disease", "disabled_care", "low_income"];
const TAG_LABELS: Record<string, string> = {
  aged_80_plus: "高龄80+",
  living_alone: "独居",
  empty_nest: "空巢",
  chronic_disease: "慢病",
  disabled_care: "失能",
  low_income: "低保",
};

/** 活动报名: events of the community with places, waitlist, sign-up on a resident's behalf, check-in and figures. */
export default function EventsPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const [open, setOpen] = useState<number | null>(null);
  const [publishing, setPublishing] = useState(false);
  const list = useQuery({
    queryKey: ["ma", "events"],
    queryFn: () => api<{ items: MaEvent[] }>("/api/mutual-aid/events"),
  });
  if (open) return <EventDetail id={open} onBack={() => setOpen(null)} />;
  if (list.isLoading) return <PageLoading />;
  if (list.error) return <ErrorState error={list.error} />;
  return (
    <Flex vertical gap={12} style={{ maxWidth: 760 }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t("mutualAid.events.title")}
      </Typography.Title>
      {can("event.manage") && !publishing && (
        <Button type="primary" onClick={() => setPublishing(true)}>
          {t("mutualAid.events.publish")}
        </Button>
      )}
      {publishing && <Publish onClose={() => setPublishing(false)} />}
      {can("notice.send") && <Notices />}
      {list.data!.items.length === 0 ? (
        <Empty description={t("mutualAid.events.empty")} />
      ) : (
        list.data!.items.map((e) => (
          <Card
            key={e.id}
            size="small"
            hoverable
            onClick={() => setOpen(e.id)}
            title={
              <Space wrap>
                <Tag color="blue">{e.kindLabel}</Tag>
                <span>{e.title}</span>
              </Space>
            }
          >
            <Flex vertical gap={4}>
              <Typography.Text type="secondary">
                {formatTime(e.startsAt)} · {e.place}
              </Typography.Text>
              <Space wrap>
                <span>
                  {t("mutualAid.events.taken")} {e.taken}/{e.capacity}
                </span>
                {e.waitlisted > 0 && (
                  <Tag color="orange">
                    {t("mutualAid.events.waitlisted")} {e.waitlisted}
                  </Tag>
                )}
                {e.audienceTags.map((g) => (
                  <Tag key={g}>{TAG_LABELS[g] ?? g}</Tag>
                ))}
              </Space>
            </Flex>
          </Card>
        ))
      )}
    </Flex>
  );
}

function Notices() {
  const { t } = useTranslation();
  const list = useQuery({
    queryKey: ["ma", "notices"],
    queryFn: () => api<{ items: MaNotice[] }>("/api/mutual-aid/notices"),
    refetchInterval: 5000,
  });
  const items = list.data?.items ?? [];
  if (items.length === 0) return null;
  return (
    <Card size="small" title={t("mutualAid.events.notices")}>
      <List
        size="small"
        dataSource={items.slice(0, 5)}
        renderItem={(n) => (
          <List.Item data-testid={`ma-notice-${n.id}`}>{t("mutualAid.events.noticeLine", n)}</List.Item>
        )}
      />
    </Card>
  );
}

function Notify({ event }: { event: MaEventDetail["event"] }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [template, setTemplate] = useState(() => t("mutualAid.events.defaultTemplate"));
  const send = useMutation({
    mutationFn: () =>
      api<{ recipients: number; duplicates: number; optedOut: number }>("/api/mutual-aid/notices", {
        method: "POST",
        body: {
          title: event.title,
          template,
          orgUnitId: event.orgUnitId,
          audience: { kind: "event", eventId: event.id },
        },
      }),
    onSuccess: (r) => {
      message.success(t("mutualAid.events.queued", r));
      setOpen(false);
      qc.invalidateQueries({ queryKey: ["ma", "notices"] });
    },
    onError: (e: Error) => message.error(e.message),
  });
  return (
    <>
      <Button onClick={() => setOpen(true)}>{t("mutualAid.events.notify")}</Button>
      <Modal
        open={open}
        title={t("mutualAid.events.notify")}
        onCancel={() => setOpen(false)}
        onOk={() => send.mutate()}
        confirmLoading={send.isPending}
      >
        <label htmlFor="ma-notice-template">{t("mutualAid.events.template")}</label>
        <Input.TextArea
          id="ma-notice-template"
          rows={4}
          maxLength={300}
          value={template}
          onChange={(e) => setTemplate(e.target.value)}
        />
      </Modal>
    </>
  );
}

function Publish({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const { me } = useAuth();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const create = useMutation({
    mutationFn: (v: {
      kind: string;
      title: string;
      place: string;
      startsAt: { toDate(): Date };
      hours: number;
      capacity: number;
      audienceTags?: string[];
      description?: string;
    }) => {
      const start = v.startsAt.toDate();
      return api("/api/mutual-aid/events", {
        method: "POST",
        body: {
          kind: v.kind,
          title: v.title,
          place: v.place,
          description: v.description || undefined,
          orgUnitId: me!.org.id,
          startsAt: start.toISOString(),
          endsAt: new Date(start.getTime() + v.hours * 3600_000).toISOString(),
          capacity: v.capacity,
          audienceTags: v.audienceTags ?? [],
        },
      });
    },
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: ["ma", "events"] });
      onClose();
    },
    onError: (e: Error) => message.error(e.message),
  });
  return (
    <Card size="small" title={t("mutualAid.events.publish")}>
      <Form
        layout="vertical"
        onFinish={(v) => create.mutate(v)}
        initialValues={{ kind: "clinic", hours: 3, capacity: 30 }}
      >
        <Form.Item name="kind" label={t("mutualAid.events.titleField")} rules={[{ required: true }]}>
          <Select
            options={(["clinic", "fair", "talk"] as const).map((k) => ({
              value: k,
              label: t(`mutualAid.events.kind.${k}`),
            }))}
          />
        </Form.Item>
        <Form.Item name="title" label={t("mutualAid.events.titleField")} rules={[{ required: true, min: 2 }]}>
          <Input maxLength={60} />
        </Form.Item>
        <Form.Item name="place" label={t("mutualAid.events.place")} rules={[{ required: true, min: 2 }]}>
          <Input maxLength={120} />
        </Form.Item>
        <Form.Item name="startsAt" label={t("mutualAid.events.startsAt")} rules={[{ required: true }]}>
          <DatePicker showTime={{ format: "HH:mm" }} format="YYYY-MM-DD HH:mm" style={{ width: "100%" }} />
        </Form.Item>
        <Space wrap>
          <Form.Item name="hours" label={t("mutualAid.events.hours")} rules={[{ required: true }]}>
            <InputNumber min={1} max={24} />
          </Form.Item>
          <Form.Item name="capacity" label={t("mutualAid.events.capacity")} rules={[{ required: true }]}>
            <InputNumber min={1} max={10000} />
          </Form.Item>
        </Space>
        <Form.Item name="audienceTags" label={t("mutualAid.events.audienceTags")}>
          <Select mode="multiple" options={TAGS.map((g) => ({ value: g, label: TAG_LABELS[g] }))} />
        </Form.Item>
        <Space>
          <Button type="primary" htmlType="submit" loading={create.isPending}>
            {t("mutualAid.events.publish")}
          </Button>
          <Button onClick={onClose}>{t("mutualAid.cancel")}</Button>
        </Space>
      </Form>
    </Card>
  );
}

function EventDetail({ id, onBack }: { id: number; onBack: () => void }) {
  const { t } = useTranslation();
  const { can } = useAuth();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [resident, setResident] = useState<number | undefined>();
  const detail = useQuery({
    queryKey: ["ma", "event", id],
    queryFn: () => api<MaEventDetail>(`/api/mutual-aid/events/${id}`),
  });
  const refresh = () => qc.invalidateQueries({ queryKey: ["ma"] });
  const signUp = useMutation({
    mutationFn: (residentId: number) =>
      api<{ state: string }>(`/api/mutual-aid/events/${id}/signups`, {
        method: "POST",
        body: { residentId },
      }),
    onSuccess: (r) => {
      message.success(
        t(r.state === "confirmed" ? "mutualAid.events.signedUp" : "mutualAid.events.waitlistedMsg"),
      );
      setResident(undefined);
      refresh();
    },
    onError: (e: Error) => message.error(e.message),
  });
  const cancel = useMutation({
    mutationFn: (residentId: number) =>
      api(`/api/mutual-aid/events/${id}/cancellations`, { method: "POST", body: { residentId } }),
    onSuccess: () => {
      message.success(t("mutualAid.events.promoted"));
      refresh();
    },
    onError: (e: Error) => message.error(e.message),
  });
  const checkIn = useMutation({
    mutationFn: (signupId: number) =>
      api(`/api/mutual-aid/events/${id}/check-ins`, { method: "POST", body: { signupId } }),
    onSuccess: refresh,
    onError: (e: Error) => message.error(e.message),
  });
  if (detail.isLoading) return <PageLoading />;
  if (detail.error) return <ErrorState error={detail.error} />;
  const { event: e, signups, figures, reminders } = detail.data!;
  const active = signups.filter((s) => s.state !== "cancelled");
  return (
    <Flex vertical gap={12} style={{ maxWidth: 760 }}>
      <Space wrap>
        <Button onClick={onBack}>{t("mutualAid.medicine.back")}</Button>
        {can("notice.send") && <Notify event={e} />}
      </Space>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {e.title}
      </Typography.Title>
      <Typography.Text type="secondary">
        {e.kindLabel} · {formatTime(e.startsAt)} · {e.place}
      </Typography.Text>
      <Card size="small">
        <Space wrap size="large">
          <Statistic
            title={t("mutualAid.events.taken")}
            value={figures.confirmed}
            suffix={`/ ${figures.capacity}`}
          />
          <Statistic title={t("mutualAid.events.waitlisted")} value={figures.waitlisted} />
          <Statistic title={t("mutualAid.events.checkedIn")} value={figures.checkedIn} />
          <div>
            <Typography.Text type="secondary">{t("mutualAid.events.figures")}</Typography.Text>
            <Progress
              percent={Math.round(figures.attendanceRate * 100)}
              size="small"
              style={{ width: 140 }}
            />
          </div>
        </Space>
      </Card>
      <Card size="small" title={t("mutualAid.reminders.title")} data-testid="ma-event-reminders">
        {reminders.length === 0 ? (
          <Typography.Text type="secondary">{t("mutualAid.reminders.none")}</Typography.Text>
        ) : (
          <Flex vertical gap={4}>
            {reminders.map((r) => (
              <Typography.Text key={r.kind}>
                {t("mutualAid.reminders.sent", { label: r.kindLabel, sent: r.sent, optedOut: r.optedOut })} ·{" "}
                {formatTime(r.at)}
              </Typography.Text>
            ))}
          </Flex>
        )}
      </Card>
      {can("event.signup") && (
        <Card size="small" title={t("mutualAid.events.signUpFor")}>
          <Space.Compact style={{ width: "100%" }}>
            <ResidentPicker
              id="ma-event-resident"
              value={resident}
              onChange={setResident}
              placeholder={t("mutualAid.medicine.resident")}
              ariaLabel={t("mutualAid.medicine.resident")}
            />
            <Button
              type="primary"
              disabled={!resident}
              loading={signUp.isPending}
              onClick={() => resident && signUp.mutate(resident)}
            >
              {t("mutualAid.app.signUp")}
            </Button>
          </Space.Compact>
        </Card>
      )}
      <List
        bordered
        dataSource={active}
        renderItem={(s) => (
          <List.Item
            data-testid={`ma-signup-${s.residentId}`}
            actions={[
              can("event.manage") && s.state === "confirmed" && !s.checkedInAt && (
                <Button key="c" size="small" onClick={() => checkIn.mutate(s.id)}>
                  {t("mutualAid.events.checkIn")}
                </Button>
              ),
              can("event.signup") && (
                <Button key="x" size="small" danger onClick={() => cancel.mutate(s.residentId)}>
                  {t("mutualAid.events.cancelFor")}
                </Button>
              ),
            ].filter(Boolean)}
          >
            <Space wrap>
              <span>{s.residentName}</span>
              <Tag color={s.state === "confirmed" ? "green" : "orange"}>
                {t(`mutualAid.events.state.${s.state}`)}
              </Tag>
              {s.checkedInAt && <Tag color="blue">{t("mutualAid.events.checkedIn")}</Tag>}
            </Space>
          </List.Item>
        )}
      />
    </Flex>
  );
}
