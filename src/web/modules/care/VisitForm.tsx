import { useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  Button,
  Checkbox,
  Col,
  Flex,
  Form,
  Input,
  InputNumber,
  Radio,
  Result,
  Row,
  Typography,
} from "antd";
import { useCallback, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, type BodyOf, type CareVisitResult } from "../../app/api.ts";
import { useMe } from "../../app/auth.tsx";
import {
  type CheckIn,
  type Evidence,
  EvidenceFields,
  NO_EVIDENCE,
  uploadPhotos,
} from "../../app/evidence.tsx";
import { draftsOf, readDraft, useDraft } from "../../app/forms.ts";
import { LevelTag, newClientId, useFormSubmit } from "./common.tsx";

// The one-tap visit form of 今日走访. Each opened form gets its own client id and visit time, so a
// retry over a bad connection resends the same submission and the server stores it once.

export const VISIT_KINDS = ["door", "phone", "video", "wechat"] as const;
export const NEED_KINDS = ["medicine", "groceries", "companionship", "repair", "medical"] as const;

/** The valid ranges (as the server checks them), shown as hints under each field. */
export const VITAL_FIELDS = [
  { name: "systolic", unit: "mmHg", min: 60, max: 260 },
  { name: "diastolic", unit: "mmHg", min: 30, max: 160 },
  { name: "heartRate", unit: "bpm", min: 30, max: 220 },
  { name: "glucose", unit: "mmol/L", min: 1, max: 35 },
  { name: "temperature", unit: "°C", min: 33, max: 43 },
  { name: "spo2", unit: "%", min: 50, max: 100 },
] as const;

interface Values {
  kind: string;
  durationMinutes: number | null;
  findings?: string;
  needs?: string[];
  urgent?: string[];
  vitals?: Record<string, string | undefined>;
}

/**
 * A visit half-recorded, kept in this browser per user and resident ("visit.<residentId>") so an expired
 * session loses nothing: the same submission id and visit time come back with the values and the check-in.
 * Photos are files and cannot be kept; the form says so.
 */
export interface VisitDraft {
  residentName: string;
  values: Values;
  submission: { clientId: string; visitedAt: string };
  location: CheckIn | null;
  photoCount: number;
}

/** The resident of this user's kept visit draft, if any (the page reopens its form after signing in). */
export function keptVisit(userId: number): { residentId: number; name: string } | null {
  for (const key of draftsOf(userId, "visit.")) {
    const residentId = Number(key.slice("visit.".length));
    const d = readDraft<VisitDraft>(userId, key);
    if (Number.isSafeInteger(residentId) && residentId > 0 && d?.residentName)
      return { residentId, name: d.residentName };
  }
  return null;
}

const KNOWN_FIELDS = [
  "kind",
  "durationMinutes",
  "findings",
  "needs",
  ...VITAL_FIELDS.map((f) => `vitals.${f.name}`),
  "vitals.glucoseContext",
];

export function VisitForm({
  residentId,
  residentName,
  onDone,
}: {
  residentId: number;
  residentName: string;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const me = useMe();
  const draft = useDraft<VisitDraft>(me.id, `visit.${residentId}`);
  const [restored, setRestored] = useState(!!draft.restored);
  // One submission per opened form: the same id and time on every retry (and after a kept draft returns).
  const submission = useRef(
    draft.restored?.submission ?? { clientId: newClientId(), visitedAt: new Date().toISOString() },
  );
  const { busy, error, run } = useFormSubmit(form, KNOWN_FIELDS);
  const [result, setResult] = useState<CareVisitResult | null>(null);
  const [evidence, setEvidenceState] = useState<Evidence>({
    ...NO_EVIDENCE,
    location: draft.restored?.location ?? null,
  });
  const keepDraft = draft.save;
  const saveDraft = useCallback(
    (ev: Evidence) =>
      keepDraft({
        residentName,
        values: form.getFieldsValue(true) as Values,
        submission: submission.current,
        location: ev.location,
        photoCount: ev.photos.length,
      }),
    [keepDraft, form, residentName],
  );
  function setEvidence(ev: Evidence) {
    setEvidenceState(ev);
    saveDraft(ev);
  }
  const [photos, setPhotos] = useState<{ stored: number; error?: string } | null>(null);
  const needs = Form.useWatch("needs", form) ?? [];
  const glucose = Form.useWatch(["vitals", "glucose"], form);

  function submit(v: Values) {
    const vitals = Object.fromEntries(
      Object.entries(v.vitals ?? {}).filter(
        ([, x]) => x !== undefined && x !== null && String(x).trim() !== "",
      ),
    );
    return run(async () => {
      const r = await api<CareVisitResult>("/api/care/visits", {
        method: "POST",
        body: {
          ...submission.current,
          residentId,
          kind: v.kind,
          durationMinutes: v.durationMinutes ?? "",
          findings: v.findings ?? "",
          needs: (v.needs ?? []).map((k) => ({
            kind: k,
            urgency: v.urgent?.includes(k) ? "urgent" : "routine",
          })),
          vitals,
          ...(evidence.location ? { location: evidence.location } : {}),
        } satisfies BodyOf<"/api/care/visits", "post">,
      });
      // The visit is saved first; its photos follow (a refused photo does not undo the visit).
      if (evidence.photos.length)
        setPhotos(await uploadPhotos(`/api/care/visits/${r.visit.id}/photos`, evidence.photos));
      draft.clear();
      setResult(r);
      await qc.invalidateQueries({ queryKey: ["care"] });
    });
  }

  if (result)
    return (
      <Result
        status={result.alert ? "warning" : "success"}
        title={
          <h2 style={{ font: "inherit", margin: 0 }}>{t("care.visit.saved", { name: residentName })}</h2>
        }
        subTitle={
          <Flex vertical gap={8} align="center" data-testid="visit-outcome">
            <span>
              {t("care.visit.level")} <LevelTag level={result.visit.level} label={result.visit.levelLabel} />
            </span>
            {result.alert ? (
              <Alert
                type={result.alert.level === "critical" ? "error" : "warning"}
                showIcon
                data-testid="visit-alert"
                title={t("care.visit.alerted")}
                description={result.alert.reasons.join("；")}
              />
            ) : (
              <span>{t("care.visit.noAlert")}</span>
            )}
            {photos && (
              <Alert
                type={photos.error ? "warning" : "success"}
                showIcon
                data-testid="visit-photos"
                title={
                  photos.error
                    ? t("evidence.uploadFailed", { error: photos.error })
                    : t("evidence.uploaded", { count: photos.stored })
                }
              />
            )}
            {result.workOrder && (
              <Alert
                type="info"
                showIcon
                data-testid="visit-order"
                title={
                  <span>
                    {t("care.visit.orderRaised")}{" "}
                    <Link to={`/orders/${result.workOrder.id}`}>{result.workOrder.number}</Link>
                  </span>
                }
              />
            )}
          </Flex>
        }
        extra={
          <Button type="primary" size="large" onClick={onDone}>
            {t("care.visit.done")}
          </Button>
        }
      />
    );

  return (
    <Form<Values>
      form={form}
      layout="vertical"
      initialValues={draft.restored?.values ?? { kind: "door", durationMinutes: 20 }}
      onValuesChange={() => saveDraft(evidence)}
      onFinish={submit}
      requiredMark={false}
    >
      {restored && (
        <Alert
          type="info"
          showIcon
          closable
          onClose={() => setRestored(false)}
          data-testid="draft-restored"
          title={t("session.draftRestored")}
          description={draft.restored?.photoCount ? t("session.photosNotKept") : undefined}
          style={{ marginBottom: 16 }}
          action={
            <Button
              size="small"
              onClick={() => {
                draft.clear();
                submission.current = { clientId: newClientId(), visitedAt: new Date().toISOString() };
                form.setFieldsValue({
                  kind: "door",
                  durationMinutes: 20,
                  findings: undefined,
                  needs: [],
                  urgent: [],
                  vitals: {
                    ...Object.fromEntries(VITAL_FIELDS.map((f) => [f.name, undefined])),
                    glucoseContext: undefined,
                  },
                });
                setEvidenceState(NO_EVIDENCE);
                setRestored(false);
              }}
            >
              {t("session.discardDraft")}
            </Button>
          }
        />
      )}
      <Form.Item name="kind" label={t("care.visit.kind")}>
        <Radio.Group
          optionType="button"
          buttonStyle="solid"
          size="large"
          options={VISIT_KINDS.map((k) => ({ value: k, label: t(`care.visitKind.${k}`) }))}
        />
      </Form.Item>
      <Form.Item name="durationMinutes" label={t("care.visit.duration")} extra={t("care.visit.durationHint")}>
        <InputNumber
          size="large"
          inputMode="numeric"
          suffix={t("care.visit.minutes")}
          style={{ width: "100%" }}
        />
      </Form.Item>
      <Typography.Text strong>{t("care.visit.vitals")}</Typography.Text>
      <Row gutter={8} style={{ marginTop: 8 }}>
        {VITAL_FIELDS.map((f) => (
          <Col span={12} key={f.name}>
            <Form.Item
              name={["vitals", f.name]}
              label={t(`care.vital.${f.name}`)}
              extra={t("care.visit.range", {
                min: f.min,
                max: f.max,
                unit: t(`care.unit.${f.name}`, { defaultValue: f.unit }),
              })}
            >
              <Input size="large" inputMode="decimal" autoComplete="off" />
            </Form.Item>
          </Col>
        ))}
      </Row>
      {glucose ? (
        <Form.Item name={["vitals", "glucoseContext"]} label={t("care.vital.glucoseContext")}>
          <Radio.Group
            optionType="button"
            options={[
              { value: "fasting", label: t("care.glucose.fasting") },
              { value: "random", label: t("care.glucose.random") },
            ]}
          />
        </Form.Item>
      ) : null}
      <Form.Item name="needs" label={t("care.visit.needs")}>
        <Checkbox.Group options={NEED_KINDS.map((k) => ({ value: k, label: t(`care.need.${k}`) }))} />
      </Form.Item>
      {needs.length > 0 && (
        <Form.Item name="urgent" label={t("care.visit.urgent")} extra={t("care.visit.urgentHint")}>
          <Checkbox.Group options={needs.map((k) => ({ value: k, label: t(`care.need.${k}`) }))} />
        </Form.Item>
      )}
      <Form.Item name="findings" label={t("care.visit.findings")}>
        <Input.TextArea rows={3} maxLength={2000} placeholder={t("care.visit.findingsPlaceholder")} />
      </Form.Item>
      <EvidenceFields value={evidence} onChange={setEvidence} maxPhotos={9} />
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Button type="primary" htmlType="submit" size="large" block loading={busy}>
        {t("care.visit.submit")}
      </Button>
    </Form>
  );
}
