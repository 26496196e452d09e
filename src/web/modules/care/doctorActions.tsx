import { CheckOutlined, MedicineBoxOutlined, SwapOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Form, Input, Modal, Radio, Select, Switch } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { type Answer, api, type BodyOf, type CareAlert, type Referral } from "../../app/api.ts";
import { useFormSubmit } from "./common.tsx";

// The doctor's three answers to an alert: acknowledge it, record a follow-up (which closes it), and
// refer the resident to a hospital, optionally through the green channel.

type Size = "large" | "middle";

function useChanged() {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: ["care"] });
}

export function AckButton({ alert, size }: { alert: CareAlert; size?: Size }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const changed = useChanged();
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function ack() {
    setBusy(true);
    setError(null);
    try {
      await api(`/api/care/alerts/${alert.id}/ack`, {
        method: "POST",
        body: (note.trim() ? { note } : {}) satisfies BodyOf<"/api/care/alerts/{id}/ack", "post">,
      });
      void message.success(t("care.followups.acked"));
      setOpen(false);
      await changed();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <Button size={size} icon={<CheckOutlined />} onClick={() => setOpen(true)} data-action="ack">
        {t("care.followups.ack")}
      </Button>
      <Modal
        open={open}
        title={t("care.followups.ackTitle", { name: alert.residentName })}
        okText={t("care.followups.ack")}
        confirmLoading={busy}
        onOk={ack}
        onCancel={() => setOpen(false)}
        destroyOnHidden
      >
        <label htmlFor={`gk-ack-${alert.id}`}>{t("care.followups.ackNote")}</label>
        <Input.TextArea
          id={`gk-ack-${alert.id}`}
          rows={2}
          value={note}
          onChange={(e) => setNote(e.target.value)}
        />
        {error && <Alert type="error" showIcon title={error} style={{ marginTop: 12 }} />}
      </Modal>
    </>
  );
}

interface ConsultValues {
  mode: string;
  summary: string;
  advice?: string;
}

export function ConsultButton({
  residentId,
  residentName,
  alertId,
  size,
  primary,
}: {
  residentId: number;
  residentName: string;
  alertId?: number;
  size?: Size;
  primary?: boolean;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const changed = useChanged();
  const [form] = Form.useForm<ConsultValues>();
  const [open, setOpen] = useState(false);
  const { busy, error, run } = useFormSubmit(form, ["mode", "summary", "advice"]);
  function save(v: ConsultValues) {
    return run(async () => {
      await api("/api/care/consultations", {
        method: "POST",
        body: {
          residentId,
          mode: v.mode,
          summary: v.summary ?? "",
          advice: v.advice || undefined,
          alertId,
        } satisfies BodyOf<"/api/care/consultations", "post">,
      });
      void message.success(t("care.consult.saved"));
      setOpen(false);
      form.resetFields();
      await changed();
    });
  }
  return (
    <>
      <Button
        size={size}
        type={primary ? "primary" : "default"}
        icon={<MedicineBoxOutlined />}
        onClick={() => setOpen(true)}
        data-action="consult"
      >
        {t("care.consult.button")}
      </Button>
      <Modal
        open={open}
        title={t("care.consult.title", { name: residentName })}
        okText={t("care.consult.save")}
        confirmLoading={busy}
        onOk={() => form.submit()}
        onCancel={() => setOpen(false)}
        destroyOnHidden
      >
        <Form<ConsultValues> form={form} layout="vertical" initialValues={{ mode: "phone" }} onFinish={save}>
          <Form.Item name="mode" label={t("care.consult.mode")}>
            <Radio.Group
              optionType="button"
              buttonStyle="solid"
              options={["phone", "online", "door"].map((m) => ({
                value: m,
                label: t(`care.consultMode.${m}`),
              }))}
            />
          </Form.Item>
          <Form.Item name="summary" label={t("care.consult.summary")}>
            <Input.TextArea rows={3} maxLength={1000} />
          </Form.Item>
          <Form.Item name="advice" label={t("care.consult.advice")}>
            <Input.TextArea rows={2} maxLength={1000} />
          </Form.Item>
          {error && <Alert type="error" showIcon title={error} />}
        </Form>
      </Modal>
    </>
  );
}

interface ReferValues {
  hospital: string;
  department?: string;
  reason: string;
  greenChannel: boolean;
}

export function ReferButton({
  residentId,
  residentName,
  reason,
  size,
}: {
  residentId: number;
  residentName: string;
  reason?: string;
  size?: Size;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const changed = useChanged();
  const [form] = Form.useForm<ReferValues>();
  const [open, setOpen] = useState(false);
  const { busy, error, run } = useFormSubmit(form, ["hospital", "department", "reason", "greenChannel"]);
  const hospitals = useQuery({
    queryKey: ["care", "hospitals"],
    queryFn: () => api<Answer<"/api/care/hospitals">>("/api/care/hospitals"),
    enabled: open,
    staleTime: 300_000,
  });
  function save(v: ReferValues) {
    return run(async () => {
      const r = await api<Referral>("/api/care/referrals", {
        method: "POST",
        body: {
          residentId,
          hospital: v.hospital ?? "",
          department: v.department || undefined,
          reason: v.reason ?? "",
          greenChannel: !!v.greenChannel,
        } satisfies BodyOf<"/api/care/referrals", "post">,
      });
      void message.success(t("care.refer.saved", { hospital: r.hospitalName }));
      setOpen(false);
      form.resetFields();
      await changed();
    });
  }
  return (
    <>
      <Button size={size} icon={<SwapOutlined />} onClick={() => setOpen(true)} data-action="refer">
        {t("care.refer.button")}
      </Button>
      <Modal
        open={open}
        title={t("care.refer.title", { name: residentName })}
        okText={t("care.refer.save")}
        confirmLoading={busy}
        onOk={() => form.submit()}
        onCancel={() => setOpen(false)}
        destroyOnHidden
      >
        <Form<ReferValues>
          form={form}
          layout="vertical"
          initialValues={{ greenChannel: false, reason }}
          onFinish={save}
        >
          <Form.Item name="hospital" label={t("care.refer.hospital")}>
            <Select
              loading={hospitals.isPending}
              options={(hospitals.data?.items ?? []).map((h) => ({ value: h.code, label: h.name }))}
              placeholder={t("care.refer.pickHospital")}
            />
          </Form.Item>
          <Form.Item name="department" label={t("care.refer.department")}>
            <Input maxLength={50} />
          </Form.Item>
          <Form.Item name="reason" label={t("care.refer.reason")}>
            <Input.TextArea rows={3} maxLength={1000} />
          </Form.Item>
          <Form.Item
            name="greenChannel"
            label={t("care.refer.greenChannel")}
            valuePropName="checked"
            extra={t("care.refer.greenHint")}
          >
            <Switch />
          </Form.Item>
          {error && <Alert type="error" showIcon title={error} />}
        </Form>
      </Modal>
    </>
  );
}
