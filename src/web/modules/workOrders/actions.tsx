import { useQuery } from "@tanstack/react-query";
import {
  Alert,
  App,
  Button,
  Flex,
  Form,
  Input,
  InputNumber,
  Modal,
  Radio,
  Select,
  Space,
  Typography,
} from "antd";
import type { TFunction } from "i18next";
import { type ReactNode, useState } from "react";
import { useTranslation } from "react-i18next";
import {
  ApiError,
  api,
  type Category,
  type Crumb,
  type OrderPage,
  type OrgNode,
  qs,
  type WorkOrder,
} from "../../app/api.ts";
import { useMe } from "../../app/auth.tsx";
import { draftsOf, useDraft } from "../../app/forms.ts";
import { OrgTreeSelect } from "./OrgTreeSelect.tsx";
import { PhotoPicker, uploadPhotos } from "./photos.tsx";
import { actionLabel } from "./sla.tsx";

// The workflow buttons of an order: the actions the server says this person may take from the current
// state, each with the form it needs (a reason, a target, a callback result, photos).

export interface ActionResult {
  id: number;
  state: string;
  version: number;
}

type Field = "reason" | "note" | "target" | "photos" | "escalate" | "extra" | "callback" | "into";

const FORMS: Record<string, Field[]> = {
  dispatch: ["target", "note"],
  reassign: ["target", "note"],
  resolve: ["photos", "note"],
  plan: ["note"],
  reply: ["note"],
  rework: ["reason"],
  return: ["reason"],
  cancel: ["reason"],
  refuse_extension: ["reason"],
  pause: ["reason"],
  escalate: ["escalate", "reason"],
  request_extension: ["extra", "reason"],
  close: ["callback", "note"],
  reopen: ["callback", "note"],
  merge: ["into", "note"],
};

/** Moves forward: shown as the primary button. */
const FORWARD = new Set(["dispatch", "accept", "arrive", "resolve", "verify", "close", "plan", "reply"]);
const DANGER = new Set(["cancel", "return", "rework", "reopen", "refuse_extension"]);

/** The allowed actions that make sense right now (resume only while paused, extension rulings only when asked). */
export function visibleActions(o: WorkOrder): WorkOrder["allowedActions"] {
  const paused = o.clocks.some((c) => c.paused && !c.stoppedAt);
  return o.allowedActions.filter((a) => {
    switch (a.action) {
      case "resume":
        return paused;
      case "pause":
        return !paused;
      case "approve_extension":
      case "refuse_extension":
        return !!o.pendingExtension;
      case "request_extension":
        return !o.pendingExtension;
      default:
        return true;
    }
  });
}

export function runAction(order: WorkOrder, action: string, body: Record<string, unknown> = {}) {
  return api<ActionResult>(`/api/orders/${order.id}/actions/${action}`, {
    method: "POST",
    body: { version: order.version, ...body },
  });
}

/** The server's refusal, with what is allowed now (409 illegal_transition) and a refresh for stale pages. */
export function ActionError({ error, onRefresh }: { error: unknown; onRefresh: () => void }) {
  const { t } = useTranslation();
  const message = error instanceof Error ? error.message : String(error);
  const e = error instanceof ApiError ? error : null;
  const allowed = (e?.details as { allowedActions?: string[] } | undefined)?.allowedActions;
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      data-testid="action-error"
      title={message}
      description={
        allowed?.length
          ? t("order.allowedNow", { actions: allowed.map((a) => actionLabel(t, a)).join("、") })
          : undefined
      }
      action={
        e?.status === 409 ? (
          <Button size="small" onClick={onRefresh}>
            {t("order.refresh")}
          </Button>
        ) : undefined
      }
    />
  );
}

/**
 * An action's form half-filled, kept in this browser per user, order and action ("order.<id>.<action>") so
 * an expired session loses nothing; photos are files and are not kept (the form says so).
 */
interface ActionDraft {
  values: Omit<FormValues, "photos">;
  photoCount: number;
}

/** The action of `order` whose form this user left as a draft, if it may still be taken. */
export function keptAction(userId: number, order: WorkOrder): string | null {
  const kept = new Set(draftsOf(userId, `order.${order.id}.`).map((k) => k.split(".")[2]));
  return visibleActions(order).find((a) => FORMS[a.action] && kept.has(a.action))?.action ?? null;
}

export function OrderActions({
  order,
  onChanged,
  only,
  size,
  block,
  extra,
  resume,
}: {
  order: WorkOrder;
  /** After a successful action, or when the person asks to refresh after a conflict. */
  onChanged: (r?: ActionResult) => void;
  /** Show only these actions (the phone queue's accept / arrive / resolve). */
  only?: string[];
  size?: "large" | "middle";
  block?: boolean;
  extra?: ReactNode;
  /** Open the form this person left as a draft (after signing in again), if its action is still allowed. */
  resume?: boolean;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const me = useMe();
  const [active, setActive] = useState<string | null>(() => {
    const kept = resume ? keptAction(me.id, order) : null;
    return kept && (!only || only.includes(kept)) ? kept : null;
  });
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const actions = visibleActions(order).filter((a) => !only || only.includes(a.action));

  async function direct(action: string) {
    setBusy(action);
    setError(null);
    try {
      const r = await runAction(order, action);
      message.success(t("order.done", { action: actionLabel(t, action) }));
      onChanged(r);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  }

  if (actions.length === 0 && !error && !extra) return null;
  return (
    <Flex vertical gap={8} style={{ width: block ? "100%" : undefined }}>
      <Flex gap={8} wrap className={block ? "gk-action-row" : undefined}>
        {actions.map((a) => (
          <Button
            key={a.action}
            data-action={a.action}
            size={size}
            type={FORWARD.has(a.action) ? "primary" : "default"}
            danger={DANGER.has(a.action)}
            loading={busy === a.action}
            onClick={() => {
              setError(null);
              if (FORMS[a.action]) setActive(a.action);
              else void direct(a.action);
            }}
          >
            {actionLabel(t, a.action, a.label)}
          </Button>
        ))}
        {extra}
      </Flex>
      {error ? (
        <ActionError
          error={error}
          onRefresh={() => {
            setError(null);
            onChanged();
          }}
        />
      ) : null}
      {active && (
        <ActionModal
          order={order}
          action={active}
          onClose={() => setActive(null)}
          onDone={(r) => {
            setActive(null);
            message.success(t("order.done", { action: actionLabel(t, active) }));
            onChanged(r);
          }}
          onRefresh={() => {
            setActive(null);
            onChanged();
          }}
        />
      )}
    </Flex>
  );
}

interface FormValues {
  reason?: string;
  note?: string;
  target?: number | null;
  photos?: File[];
  level?: "street" | "department";
  unitId?: string;
  amount?: number;
  unit?: "minutes" | "hours" | "days";
  solved?: boolean;
  satisfaction?: string;
  into?: number;
}

/** Server field names → this form's fields. */
const FIELD_OF: Record<string, keyof FormValues> = {
  reason: "reason",
  note: "note",
  orgUnitId: "target",
  escalateTo: "unitId",
  extra: "amount",
  callback: "solved",
  intoOrderId: "into",
};

function defaults(action: string): FormValues {
  if (action === "close") return { solved: true, satisfaction: "satisfied" };
  if (action === "reopen") return { solved: false, satisfaction: "unsatisfied" };
  if (action === "escalate") return { level: "street" };
  if (action === "request_extension") return { amount: 1, unit: "days" };
  return {};
}

function bodyOf(action: string, v: FormValues): Record<string, unknown> {
  const b: Record<string, unknown> = {};
  const fields = FORMS[action] ?? [];
  if (v.note?.trim()) b.note = v.note.trim();
  if (fields.includes("reason")) b.reason = v.reason?.trim() ?? "";
  if (fields.includes("target") && v.target) b.orgUnitId = v.target;
  if (fields.includes("escalate")) b.escalateTo = { level: v.level, unitId: v.unitId?.trim() ?? "" };
  if (fields.includes("extra")) b.extra = { amount: v.amount, unit: v.unit };
  if (fields.includes("callback"))
    b.callback = { solved: v.solved, satisfaction: v.satisfaction === "none" ? null : v.satisfaction };
  if (fields.includes("into")) b.intoOrderId = String(v.into ?? "");
  return b;
}

function reasonPlaceholder(t: TFunction, action: string): string {
  return t(`order.reasonHint.${action}`, { defaultValue: t("order.reasonPlaceholder") });
}

export function ActionModal({
  order,
  action,
  onClose,
  onDone,
  onRefresh,
  intoOrderId,
}: {
  order: WorkOrder;
  action: string;
  onClose: () => void;
  onDone: (r: ActionResult) => void;
  onRefresh: () => void;
  /** merge: the order to merge into, when picked beforehand (a likely duplicate). */
  intoOrderId?: number;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<FormValues>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fields = FORMS[action] ?? [];
  const label = actionLabel(t, action);
  const me = useMe();
  const draft = useDraft<ActionDraft>(me.id, `order.${order.id}.${action}`);

  function saveDraft() {
    const { photos, ...values } = form.getFieldsValue(true) as FormValues;
    draft.save({ values, photoCount: photos?.length ?? 0 });
  }

  async function submit(v: FormValues) {
    setBusy(true);
    setError(null);
    try {
      if (v.photos?.length) await uploadPhotos(order.id, v.photos);
      const r = await runAction(order, action, bodyOf(action, v));
      draft.clear();
      onDone(r);
    } catch (e) {
      if (e instanceof ApiError && e.fields.length) {
        const known = e.fields.filter((f) => FIELD_OF[f.field] && fields.length);
        form.setFields(known.map((f) => ({ name: FIELD_OF[f.field], errors: [f.message] })));
        if (known.length < e.fields.length) setError(e);
      } else setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open
      title={t("order.actionTitle", { action: label, number: order.number })}
      okText={t("order.confirmAction", { action: label })}
      cancelText={t("order.cancel")}
      okButtonProps={{ danger: DANGER.has(action), size: "large" }}
      cancelButtonProps={{ size: "large" }}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={() => {
        // Cancelled on purpose: the draft goes with it (an expired session keeps it, as it closes nothing).
        draft.clear();
        onClose();
      }}
      destroyOnHidden
    >
      {draft.restored && (
        <Alert
          type="info"
          showIcon
          data-testid="draft-restored"
          title={t("session.draftRestored")}
          description={draft.restored.photoCount ? t("session.photosNotKept") : undefined}
          style={{ marginBottom: 12 }}
        />
      )}
      {error ? (
        <div style={{ marginBottom: 12 }}>
          <ActionError error={error} onRefresh={onRefresh} />
        </div>
      ) : null}
      <Form
        form={form}
        layout="vertical"
        onFinish={submit}
        onValuesChange={saveDraft}
        initialValues={{
          ...defaults(action),
          ...draft.restored?.values,
          into: intoOrderId ?? draft.restored?.values.into,
        }}
        preserve={false}
      >
        {fields.includes("target") && (
          <Form.Item
            name="target"
            label={t("order.target")}
            extra={t("order.targetHint", { name: order.orgName })}
          >
            <OrgTreeSelect placeholder={order.orgName} />
          </Form.Item>
        )}
        {fields.includes("escalate") && <EscalateFields order={order} />}
        {fields.includes("extra") && (
          <Form.Item label={t("order.extra")} required>
            <Space.Compact>
              <Form.Item
                name="amount"
                noStyle
                rules={[{ required: true, message: t("order.extraRequired") }]}
              >
                <InputNumber min={1} max={999} aria-label={t("order.extra")} />
              </Form.Item>
              <Form.Item name="unit" noStyle>
                <Select
                  style={{ width: 96 }}
                  options={(["minutes", "hours", "days"] as const).map((u) => ({
                    value: u,
                    label: t(`order.unit.${u}`),
                  }))}
                />
              </Form.Item>
            </Space.Compact>
          </Form.Item>
        )}
        {fields.includes("callback") && (
          <>
            <Form.Item name="solved" label={t("callback.solved")} rules={[{ required: true }]}>
              <Radio.Group
                optionType="button"
                buttonStyle="solid"
                options={[
                  { value: true, label: t("callback.yes") },
                  { value: false, label: t("callback.no") },
                ]}
              />
            </Form.Item>
            <Form.Item name="satisfaction" label={t("callback.satisfaction")} rules={[{ required: true }]}>
              <Radio.Group
                optionType="button"
                buttonStyle="solid"
                options={["satisfied", "basically_satisfied", "unsatisfied", "none"].map((s) => ({
                  value: s,
                  label: t(`satisfaction.${s}`),
                }))}
              />
            </Form.Item>
          </>
        )}
        {fields.includes("into") && <MergeField order={order} />}
        {fields.includes("photos") && (
          <Form.Item name="photos" label={t("photo.label")} valuePropName="value">
            <PhotoPicker />
          </Form.Item>
        )}
        {fields.includes("reason") && (
          <Form.Item
            name="reason"
            label={t("order.reason")}
            rules={[{ required: true, whitespace: true, message: t("order.reasonRequired") }]}
          >
            <Input.TextArea rows={3} maxLength={1000} placeholder={reasonPlaceholder(t, action)} autoFocus />
          </Form.Item>
        )}
        {fields.includes("note") && (
          <Form.Item name="note" label={t("order.note")}>
            <Input.TextArea
              rows={3}
              maxLength={1000}
              placeholder={t(`order.noteHint.${action}`, { defaultValue: t("order.notePlaceholder") })}
            />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

/** 吹哨: to the street above the order's unit, or to the department that owns its category. */
function EscalateFields({ order }: { order: WorkOrder }) {
  const { t } = useTranslation();
  const form = Form.useFormInstance<FormValues>();
  const level = Form.useWatch("level", form);
  const org = useQuery({
    queryKey: ["org", order.orgUnitId],
    queryFn: () => api<{ unit: OrgNode; breadcrumb: Crumb[] }>(`/api/orgs/${order.orgUnitId}`),
  });
  const categories = useQuery({
    queryKey: ["categories", ""],
    queryFn: () => api<{ items: Category[] }>("/api/categories"),
  });
  const streets = (org.data?.breadcrumb ?? []).filter((c) => c.kind === "street");
  const department = categories.data?.items.find((c) => c.name === order.category)?.department ?? "";
  return (
    <>
      <Form.Item name="level" label={t("order.escalateLevel")}>
        <Radio.Group
          optionType="button"
          buttonStyle="solid"
          onChange={(e) =>
            form.setFieldValue(
              "unitId",
              e.target.value === "street" ? String(streets[0]?.id ?? "") : department,
            )
          }
          options={[
            { value: "street", label: t("order.escalateStreet") },
            { value: "department", label: t("order.escalateDepartment") },
          ]}
        />
      </Form.Item>
      <Form.Item
        name="unitId"
        label={level === "department" ? t("order.department") : t("order.street")}
        rules={[{ required: true, whitespace: true, message: t("order.escalateRequired") }]}
      >
        {level === "department" ? (
          <Input placeholder={department || t("order.departmentPlaceholder")} />
        ) : (
          <Select
            options={streets.map((s) => ({ value: String(s.id), label: s.name }))}
            placeholder={t("order.street")}
            loading={org.isPending}
          />
        )}
      </Form.Item>
    </>
  );
}

/** 合并: into a likely duplicate, or any order found by its number. */
function MergeField({ order }: { order: WorkOrder }) {
  const { t } = useTranslation();
  const [q, setQ] = useState("");
  const dups = useQuery({
    queryKey: ["order", order.id, "duplicates"],
    queryFn: () => api<OrderPage>(`/api/orders/${order.id}/duplicates`),
  });
  const found = useQuery({
    queryKey: ["orders", "byNumber", q],
    queryFn: () => api<OrderPage>(`/api/orders${qs({ q, pageSize: 10 })}`),
    enabled: q.length >= 4,
  });
  const seen = new Set<number>();
  const options = [...(dups.data?.items ?? []), ...(found.data?.items ?? [])]
    .filter((o) => o.id !== order.id && !seen.has(o.id) && seen.add(o.id))
    .map((o) => ({ value: o.id, label: `${o.number} · ${o.category} · ${o.stateLabel}` }));
  return (
    <Form.Item
      name="into"
      label={t("order.mergeInto")}
      rules={[{ required: true, message: t("order.mergeRequired") }]}
      extra={<Typography.Text type="secondary">{t("order.mergeHint")}</Typography.Text>}
    >
      <Select
        showSearch={{ filterOption: false, onSearch: (v) => setQ(v.replace(/\D/g, "")) }}
        options={options}
        placeholder={t("order.mergePlaceholder")}
        loading={dups.isPending || found.isFetching}
      />
    </Form.Item>
  );
}
