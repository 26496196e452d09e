import { CameraOutlined, CloudSyncOutlined, DisconnectOutlined, WifiOutlined } from "@ant-design/icons";
import {
  App as AntApp,
  Button,
  Card,
  Checkbox,
  Drawer,
  Empty,
  Flex,
  Input,
  InputNumber,
  List,
  Radio,
  Segmented,
  Select,
  Switch,
  Tag,
  Typography,
} from "antd";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import {
  type Answers,
  checkAnswers,
  isShown,
  type Question,
} from "../../../domain/campaigns/questionnaire.ts";
import { type Answer, ApiError, api } from "../../app/api.ts";
import { useMe } from "../../app/auth.tsx";
import { PageLoading } from "../../app/states.tsx";
import {
  compressPhoto,
  enqueue,
  installOffline,
  keep,
  position,
  type QueuedRecord,
  queued,
  recall,
  remove,
} from "./offline.ts";

type Field = Answer<"/api/campaigns/field">;
type Campaign = Field["campaigns"][number];
type Household = Campaign["households"][number];

const OUTCOMES = ["done", "not_home", "refused", "moved", "other"] as const;
const METHODS = ["hand", "door", "phone"] as const;
const BATCH = 10;
/** Doors per page: one stairwell or two at a time on a phone screen. */
const PAGE = 30;

function useOnline() {
  const [online, setOnline] = useState(navigator.onLine);
  useEffect(() => {
    const on = () => setOnline(true);
    const off = () => setOnline(false);
    window.addEventListener("online", on);
    window.addEventListener("offline", off);
    return () => {
      window.removeEventListener("online", on);
      window.removeEventListener("offline", off);
    };
  }, []);
  return online;
}

/**
 * 入户登记: the member's households on the phone, in walking order, recorded in a few taps and kept on the
 * phone until there is signal. Works offline once opened online: the service worker keeps the app, the
 * assignment is kept in IndexedDB, and every record waits in a queue the member can see.
 */
export default function FieldPage() {
  const { t } = useTranslation();
  const me = useMe();
  const { message } = AntApp.useApp();
  const online = useOnline();
  const [data, setData] = useState<Field | null>(null);
  const [fromCache, setFromCache] = useState<string | null>(null);
  const [queue, setQueue] = useState<QueuedRecord[]>([]);
  const [campaignId, setCampaignId] = useState<number | null>(null);
  const [tab, setTab] = useState<"todo" | "revisit" | "all">("todo");
  const [open, setOpen] = useState<Household | null>(null);
  const [showQueue, setShowQueue] = useState(false);
  const [syncing, setSyncing] = useState(false);
  const syncingRef = useRef(false);
  const key = `field:${me.id}`;

  const refreshQueue = useCallback(async () => setQueue(await queued(me.id)), [me.id]);

  const load = useCallback(async () => {
    try {
      const fresh = await api<Field>("/api/campaigns/field");
      setData(fresh);
      setFromCache(null);
      await keep(key, fresh);
    } catch (e) {
      const kept = await recall<Field>(key);
      if (kept) {
        setData(kept);
        setFromCache(String(kept.at));
      } else if (!(e instanceof ApiError && e.status === 0)) throw e;
    }
  }, [key]);

  const sync = useCallback(async () => {
    if (syncingRef.current) return;
    syncingRef.current = true;
    setSyncing(true);
    let sent = 0;
    try {
      const waiting = (await queued(me.id)).filter((r) => !r.rejected);
      const post = (records: QueuedRecord[]) =>
        api<{ results: { clientId: string }[] }>("/api/campaigns/sync", {
          method: "POST",
          body: {
            records: records.map(({ accountId, address, rejected, ...r }) => r),
          },
        });
      for (let i = 0; i < waiting.length; i += BATCH) {
        const batch = waiting.slice(i, i + BATCH);
        try {
          await post(batch);
          await remove(batch.map((r) => r.clientId));
          sent += batch.length;
        } catch (e) {
          if (!(e instanceof ApiError) || e.status === 0 || e.status === 401 || e.status >= 500) throw e;
          // One record the server will not take: find it, keep it aside with the reason, send the rest.
          for (const r of batch) {
            try {
              await post([r]);
              await remove([r.clientId]);
              sent++;
            } catch (e1) {
              if (!(e1 instanceof ApiError) || e1.status === 0 || e1.status >= 500) throw e1;
              await enqueue({ ...r, rejected: e1.message });
            }
          }
        }
      }
      if (sent) {
        void message.success(t("campaigns.field.syncDone", { n: sent }));
        await load();
      }
    } catch {
      // No signal (or the session ended): the records stay queued for the next try.
    } finally {
      syncingRef.current = false;
      setSyncing(false);
      await refreshQueue();
    }
  }, [me.id, load, refreshQueue, message, t]);

  useEffect(() => {
    let stop = false;
    void (async () => {
      const kept = await recall<Field>(key);
      if (kept && !stop) {
        setData(kept);
        setFromCache(String(kept.at));
      }
      await refreshQueue();
      // The worker first, so that the calls below are kept for the next time there is no signal.
      try {
        if (await installOffline()) await fetch("/api/me", { credentials: "same-origin" });
      } catch {
        // Offline, or no service worker: the page still works from IndexedDB while it stays open.
      }
      if (!stop) await load();
      if (!stop && navigator.onLine) await sync();
    })();
    return () => {
      stop = true;
    };
  }, [key, load, refreshQueue, sync]);

  useEffect(() => {
    if (!online) return;
    void sync();
    const timer = setInterval(() => void sync(), 20_000);
    return () => clearInterval(timer);
  }, [online, sync]);

  const campaign = useMemo(
    () => data?.campaigns.find((c) => c.id === campaignId) ?? data?.campaigns[0] ?? null,
    [data, campaignId],
  );
  const local = useMemo(() => {
    const m = new Map<string, QueuedRecord>();
    for (const r of queue) if (!r.rejected) m.set(`${r.campaignId}:${r.householdId}`, r);
    return m;
  }, [queue]);

  if (!data) return <PageLoading />;
  const pending = queue.filter((r) => !r.rejected).length;
  const statusOf = (h: Household) => {
    const r = campaign && local.get(`${campaign.id}:${h.id}`);
    if (!r) return h.status;
    return r.outcome === "not_home" ? "revisit" : r.outcome;
  };
  const households = (campaign?.households ?? []).filter((h) => {
    const s = statusOf(h);
    if (tab === "todo") return s === "pending";
    if (tab === "revisit") return s === "revisit";
    return true;
  });
  if (tab === "revisit") households.sort((a, b) => Number(b.overdue) - Number(a.overdue));
  const order = new Map(households.map((h, i) => [h.id, i]));

  return (
    <Flex vertical gap={12}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t("campaigns.field.title")}
        </Typography.Title>
        <Tag
          color={online ? "green" : "orange"}
          icon={online ? <WifiOutlined /> : <DisconnectOutlined />}
          data-testid="net-state"
        >
          {online ? t("campaigns.field.online") : t("campaigns.field.offline")}
        </Tag>
      </Flex>
      {!online && <Typography.Text type="warning">{t("campaigns.field.offlineHint")}</Typography.Text>}
      <Card size="small">
        <Flex justify="space-between" align="center" gap={8}>
          <Button
            type="link"
            style={{ padding: 0 }}
            data-testid="pending-count"
            onClick={() => setShowQueue(true)}
          >
            {pending || queue.length
              ? t("campaigns.field.pending", { n: pending })
              : t("campaigns.field.synced")}
          </Button>
          <Button
            icon={<CloudSyncOutlined />}
            loading={syncing}
            disabled={!online || pending === 0}
            onClick={() => void sync()}
          >
            {t("campaigns.field.syncNow")}
          </Button>
        </Flex>
        {fromCache && (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t("campaigns.field.cached", { at: new Date(fromCache).toLocaleString("zh-CN") })}
          </Typography.Text>
        )}
      </Card>
      {!campaign ? (
        <Empty description={t("campaigns.field.empty")} />
      ) : (
        <>
          {data.campaigns.length > 1 && (
            <Select
              value={campaign.id}
              onChange={setCampaignId}
              options={data.campaigns.map((c) => ({ value: c.id, label: c.name }))}
            />
          )}
          <Flex vertical gap={2}>
            <Typography.Text strong>{campaign.name}</Typography.Text>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {campaign.startsOn} ~ {campaign.endsOn} ·{" "}
              {t("campaigns.field.households", { n: campaign.households.length })}
            </Typography.Text>
          </Flex>
          <Segmented
            block
            value={tab}
            onChange={(v) => setTab(v as typeof tab)}
            options={(["todo", "revisit", "all"] as const).map((k) => ({
              value: k,
              label: t(`campaigns.field.tabs.${k}`),
            }))}
          />
          <List
            size="small"
            dataSource={households}
            pagination={households.length > PAGE ? { pageSize: PAGE, simple: true, align: "center" } : false}
            locale={{ emptyText: <Empty description={t("campaigns.field.empty")} /> }}
            renderItem={(h) => {
              const s = statusOf(h);
              const prev = households[order.get(h.id)! - 1];
              const header = !prev || prev.building !== h.building || prev.unitNo !== h.unitNo;
              return (
                <>
                  {header && (
                    <Typography.Text type="secondary" style={{ display: "block", padding: "8px 0 2px" }}>
                      {h.building}
                      {h.unitNo ? ` · ${t("campaigns.field.unit", { n: h.unitNo })}` : ""}
                    </Typography.Text>
                  )}
                  <List.Item
                    data-testid={`hh-${h.id}`}
                    onClick={() => setOpen(h)}
                    style={{ cursor: "pointer", minHeight: 48 }}
                    extra={
                      <Button type="primary" size="small">
                        {t("campaigns.field.record")}
                      </Button>
                    }
                  >
                    <Flex gap={6} align="center" wrap>
                      <Typography.Text strong>{h.roomNo ?? h.address}</Typography.Text>
                      {h.floor != null && (
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          {t("campaigns.field.floor", { n: h.floor })}
                        </Typography.Text>
                      )}
                      <Tag color={s === "done" ? "green" : s === "pending" ? "default" : "orange"}>
                        {local.has(`${campaign.id}:${h.id}`)
                          ? t("campaigns.field.localDone")
                          : t(`campaigns.status.${s}`)}
                      </Tag>
                      {h.overdue && <Tag color="red">{t("campaigns.field.overdue")}</Tag>}
                      {h.flagged && <Tag color="purple">{t("campaigns.field.flagged")}</Tag>}
                    </Flex>
                  </List.Item>
                </>
              );
            }}
          />
        </>
      )}
      {open && campaign && (
        <RecordDrawer
          campaign={campaign}
          household={open}
          accountId={me.id}
          onClose={() => setOpen(null)}
          onSaved={async () => {
            setOpen(null);
            void message.success(t("campaigns.field.saved"));
            await refreshQueue();
            if (navigator.onLine) void sync();
          }}
        />
      )}
      <Drawer
        open={showQueue}
        onClose={() => setShowQueue(false)}
        placement="bottom"
        height="70%"
        title={t("campaigns.field.pendingTitle")}
      >
        <List
          size="small"
          dataSource={queue}
          renderItem={(r) => (
            <List.Item
              data-testid="queued-record"
              actions={
                r.rejected
                  ? [
                      <Button
                        key="x"
                        size="small"
                        danger
                        onClick={async () => {
                          await remove([r.clientId]);
                          await refreshQueue();
                        }}
                      >
                        {t("campaigns.field.discard")}
                      </Button>,
                    ]
                  : []
              }
            >
              <Flex vertical>
                <Typography.Text>{r.address}</Typography.Text>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t(`campaigns.outcomes.${r.outcome}`)} ·{" "}
                  {new Date(r.deviceTime).toLocaleTimeString("zh-CN")}
                  {r.notice ? ` · ${t(`campaigns.methods.${r.notice.method}`)}` : ""}
                  {r.photos?.length ? ` · ${t("campaigns.field.withPhoto")}` : ""}
                </Typography.Text>
                {r.rejected && (
                  <Typography.Text type="danger" style={{ fontSize: 12 }}>
                    {t("campaigns.field.rejected")}：{r.rejected}
                  </Typography.Text>
                )}
              </Flex>
            </List.Item>
          )}
        />
      </Drawer>
    </Flex>
  );
}

function RecordDrawer({
  campaign,
  household,
  accountId,
  onClose,
  onSaved,
}: {
  campaign: Campaign;
  household: Household;
  accountId: number;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [outcome, setOutcome] = useState<(typeof OUTCOMES)[number] | null>(null);
  const [answers, setAnswers] = useState<Answers>({});
  const [photos, setPhotos] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState(false);
  const [method, setMethod] = useState<(typeof METHODS)[number]>("hand");
  const [to, setTo] = useState("");
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const questions = campaign.questions as Question[];

  const set = (id: string, v: Answers[string] | undefined) =>
    setAnswers((a) => {
      const next = { ...a };
      if (v === undefined || v === "" || (Array.isArray(v) && v.length === 0)) delete next[id];
      else next[id] = v;
      // Answers to questions no longer shown go with them.
      for (const q of questions) if (!isShown(q, next)) delete next[q.id];
      return next;
    });

  const photoInput = (key: string, onDone: () => void) => (
    <PhotoButton
      testId={`photo-${key}`}
      added={!!photos[key]}
      onPhoto={(data) => {
        setPhotos((p) => ({ ...p, [key]: data }));
        onDone();
      }}
    />
  );

  async function save() {
    if (!outcome) return;
    const done = outcome === "done";
    const kept = done ? answers : {};
    const errors = checkAnswers(questions, kept, done);
    if (errors.length) {
      void message.error(errors[0].message);
      return;
    }
    setBusy(true);
    try {
      const keys = new Set([
        ...(notice && photos.notice ? ["notice"] : []),
        ...questions.filter((q) => q.kind === "photo" && kept[q.id]).map((q) => q.id),
      ]);
      const now = new Date().toISOString();
      await enqueue({
        clientId: crypto.randomUUID(),
        accountId,
        campaignId: campaign.id,
        householdId: household.id,
        address: household.address,
        outcome,
        questionnaireVersion: campaign.version,
        answers: kept as QueuedRecord["answers"],
        deviceTime: now,
        ...(note.trim() ? { note: note.trim() } : {}),
        ...(await position().then((location) => (location ? { location } : {}))),
        ...(notice ? { notice: { method, ...(to.trim() ? { to: to.trim() } : {}), at: now } } : {}),
        ...(keys.size ? { photos: [...keys].map((key) => ({ key, data: photos[key] })) } : {}),
      });
      onSaved();
    } finally {
      setBusy(false);
    }
  }

  return (
    <Drawer
      open
      onClose={onClose}
      placement="bottom"
      height="92%"
      title={household.address}
      footer={
        <Button
          type="primary"
          block
          size="large"
          disabled={!outcome}
          loading={busy}
          onClick={() => void save()}
        >
          {t("campaigns.field.save")}
        </Button>
      }
    >
      <Flex vertical gap={16}>
        <div>
          <Typography.Text strong>{t("campaigns.field.outcome")}</Typography.Text>
          <Radio.Group
            value={outcome}
            onChange={(e) => setOutcome(e.target.value)}
            style={{ display: "flex", flexWrap: "wrap", gap: 8, marginTop: 8 }}
            optionType="button"
            buttonStyle="solid"
            options={OUTCOMES.map((o) => ({ value: o, label: t(`campaigns.outcomes.${o}`) }))}
          />
        </div>
        {outcome === "done" && (
          <Flex vertical gap={12}>
            <Typography.Text strong>{t("campaigns.field.answers")}</Typography.Text>
            {questions
              .filter((q) => isShown(q, answers))
              .map((q) => (
                <div key={q.id} data-testid={`q-${q.id}`}>
                  <Typography.Text>
                    {q.label}
                    {q.required && <Typography.Text type="danger"> *</Typography.Text>}
                  </Typography.Text>
                  <div style={{ marginTop: 4 }}>
                    {q.kind === "yesno" && (
                      <Radio.Group
                        optionType="button"
                        value={answers[q.id]}
                        onChange={(e) => set(q.id, e.target.value)}
                        options={[
                          { value: "yes", label: t("campaigns.field.yes") },
                          { value: "no", label: t("campaigns.field.no") },
                        ]}
                      />
                    )}
                    {q.kind === "single" && (
                      <Radio.Group
                        value={answers[q.id]}
                        onChange={(e) => set(q.id, e.target.value)}
                        options={(q.options ?? []).map((o) => ({ value: o, label: o }))}
                      />
                    )}
                    {q.kind === "multi" && (
                      <Checkbox.Group
                        value={(answers[q.id] as string[]) ?? []}
                        onChange={(v) => set(q.id, v as string[])}
                        options={(q.options ?? []).map((o) => ({ value: o, label: o }))}
                      />
                    )}
                    {q.kind === "number" && (
                      <InputNumber
                        inputMode="numeric"
                        value={answers[q.id] as number | undefined}
                        onChange={(v) => set(q.id, v ?? undefined)}
                        style={{ width: 140 }}
                      />
                    )}
                    {q.kind === "text" && (
                      <Input.TextArea
                        rows={2}
                        maxLength={500}
                        value={(answers[q.id] as string) ?? ""}
                        onChange={(e) => set(q.id, e.target.value)}
                      />
                    )}
                    {q.kind === "photo" && photoInput(q.id, () => set(q.id, `photo:${q.id}`))}
                  </div>
                </div>
              ))}
          </Flex>
        )}
        {campaign.noticeTitle && (
          <Flex vertical gap={8}>
            <Flex gap={8} align="center">
              <Switch checked={notice} onChange={setNotice} data-testid="notice-switch" />
              <Typography.Text strong>
                {t("campaigns.field.notice")}《{campaign.noticeTitle}》
              </Typography.Text>
            </Flex>
            {notice && (
              <>
                <Segmented
                  value={method}
                  onChange={(v) => setMethod(v as typeof method)}
                  options={METHODS.map((m) => ({ value: m, label: t(`campaigns.methods.${m}`) }))}
                />
                <Input
                  placeholder={t("campaigns.field.noticeTo")}
                  maxLength={20}
                  value={to}
                  onChange={(e) => setTo(e.target.value)}
                />
                <Flex gap={8} align="center">
                  <Typography.Text type="secondary">{t("campaigns.field.noticePhoto")}</Typography.Text>
                  {photoInput("notice", () => {})}
                </Flex>
              </>
            )}
          </Flex>
        )}
        <Input.TextArea
          rows={2}
          maxLength={500}
          placeholder={t("campaigns.field.note")}
          value={note}
          onChange={(e) => setNote(e.target.value)}
        />
      </Flex>
    </Drawer>
  );
}

/** A camera button: the photo is made small on the phone (canvas) before it is kept. */
function PhotoButton({
  testId,
  added,
  onPhoto,
}: {
  testId: string;
  added: boolean;
  onPhoto: (base64: string) => void;
}) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <input
        ref={input}
        type="file"
        accept="image/*"
        capture="environment"
        data-testid={testId}
        style={{ display: "none" }}
        onChange={async (e) => {
          const file = e.target.files?.[0];
          if (!file) return;
          try {
            onPhoto(await compressPhoto(file));
          } catch (err) {
            void message.error(err instanceof Error ? err.message : String(err));
          }
        }}
      />
      <Button icon={<CameraOutlined />} onClick={() => input.current?.click()}>
        {added ? t("campaigns.field.photoAdded") : t("campaigns.field.takePhoto")}
      </Button>
    </>
  );
}
