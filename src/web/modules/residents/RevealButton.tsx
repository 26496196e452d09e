import { EyeOutlined, PhoneOutlined } from "@ant-design/icons";
import { Alert, Button, Form, Input, Modal, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, api } from "../../app/api.ts";

/**
 * Shows a masked value with a 查看完整 button; revealing asks for a reason (the server audits it)
 * and then shows the full value in place.
 */
export function RevealableValue({
  residentId,
  url,
  field,
  masked,
  allowed,
}: {
  residentId?: number;
  /** Where to ask (a staff account's work phone: /api/accounts/:id/reveal); a resident's by default. */
  url?: string;
  field: "idNumber" | "phone" | "workPhone";
  masked: string | null;
  allowed: boolean;
}) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ reason: string }>();
  const label = t(
    field === "phone" ? "resident.phone" : field === "workPhone" ? "resident.workPhone" : "resident.idNumber",
  );

  if (!masked) return <Typography.Text type="secondary">{t("resident.none")}</Typography.Text>;
  if (value)
    return (
      <>
        <Typography.Text copyable strong data-testid={`revealed-${field}`}>
          {value}
        </Typography.Text>
        {field !== "idNumber" && (
          <Button type="link" size="small" icon={<PhoneOutlined />} href={`tel:${value}`}>
            {t("resident.call")}
          </Button>
        )}
      </>
    );

  async function submit(v: { reason: string }) {
    setBusy(true);
    setError(null);
    try {
      const r = await api<{ field: string; value: string }>(url ?? `/api/residents/${residentId}/reveal`, {
        method: "POST",
        body: { field, reason: v.reason.trim() },
      });
      setValue(r.value);
      setOpen(false);
    } catch (e) {
      if (e instanceof ApiError && e.fields.length)
        form.setFields(e.fields.map((f) => ({ name: "reason", errors: [f.message] })));
      else setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <span data-testid={`masked-${field}`}>{masked}</span>
      {allowed && (
        <Button
          type="link"
          size="small"
          icon={<EyeOutlined />}
          onClick={() => setOpen(true)}
          aria-label={`${t("resident.reveal")}${label}`}
        >
          {t("resident.reveal")}
        </Button>
      )}
      <Modal
        open={open}
        title={t("resident.revealTitle", { field: label })}
        okText={t("resident.revealConfirm")}
        cancelText={t("resident.cancel")}
        confirmLoading={busy}
        onOk={() => form.submit()}
        onCancel={() => setOpen(false)}
        destroyOnHidden
      >
        <Typography.Paragraph type="secondary">{t("resident.revealNotice")}</Typography.Paragraph>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
        <Form form={form} layout="vertical" onFinish={submit} preserve={false}>
          <Form.Item
            label={t("resident.revealReason")}
            name="reason"
            rules={[
              { required: true, whitespace: true, min: 2, message: t("resident.revealReasonRequired") },
            ]}
          >
            <Input.TextArea
              rows={2}
              maxLength={200}
              placeholder={t("resident.revealReasonPlaceholder")}
              autoFocus
            />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
