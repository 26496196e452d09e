import { EditOutlined } from "@ant-design/icons";
import { useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Form, Input, Modal, Select } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, api, type Resident } from "../../app/api.ts";
import { useFormSubmit } from "../../app/forms.ts";
import { KEY_TAGS } from "../../app/i18n/index.ts";

interface Values {
  name: string;
  phone?: string;
  tags: string[];
}

/** Edit button + form for name, phone and tags. Field errors land on their fields; 409 asks to refresh. */
export function EditResident({ resident, onSaved }: { resident: Resident; onSaved: (r: Resident) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [conflict, setConflict] = useState<string | null>(null);
  const [form] = Form.useForm<Values>();
  const { busy, error, setError, run } = useFormSubmit(form, ["name", "phone", "tags"]);

  function show() {
    setError(null);
    setConflict(null);
    form.setFieldsValue({ name: resident.name, phone: "", tags: resident.tags });
    setOpen(true);
  }

  function submit(v: Values) {
    setConflict(null);
    const body: Record<string, unknown> = { version: resident.version, name: v.name.trim(), tags: v.tags };
    if (v.phone?.trim()) body.phone = v.phone.trim();
    return run(
      async () => {
        const r = await api<Resident>(`/api/residents/${resident.id}`, { method: "PATCH", body });
        onSaved(r);
        void qc.invalidateQueries({ queryKey: ["residents"] });
        void message.success(t("resident.saved"));
        setOpen(false);
      },
      (e) => {
        // Someone saved in between: say so apart from the field errors.
        if (!(e instanceof ApiError && e.status === 409)) return false;
        setConflict(e.message);
        return true;
      },
    );
  }

  async function refresh() {
    await qc.invalidateQueries({ queryKey: ["resident", resident.id] });
    setOpen(false);
  }

  return (
    <>
      <Button icon={<EditOutlined />} onClick={show}>
        {t("resident.edit")}
      </Button>
      <Modal
        open={open}
        title={t("resident.editTitle")}
        okText={t("resident.save")}
        cancelText={t("resident.cancel")}
        confirmLoading={busy}
        onOk={() => form.submit()}
        onCancel={() => setOpen(false)}
        forceRender
      >
        {conflict && (
          <Alert
            type="warning"
            showIcon
            title={t("resident.conflict")}
            description={conflict}
            action={<Button onClick={refresh}>{t("resident.refresh")}</Button>}
            style={{ marginBottom: 12 }}
          />
        )}
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
        <Form form={form} layout="vertical" onFinish={submit} name="resident-edit">
          <Form.Item
            label={t("resident.name")}
            name="name"
            rules={[{ required: true, whitespace: true, message: t("resident.nameRequired") }]}
          >
            <Input maxLength={30} />
          </Form.Item>
          <Form.Item
            label={t("resident.phone")}
            name="phone"
            extra={`${resident.phoneMasked ?? ""} ${t("resident.phoneKeep")}`}
          >
            <Input inputMode="tel" maxLength={20} placeholder={t("resident.phoneKeep")} />
          </Form.Item>
          <Form.Item label={t("resident.tags")} name="tags">
            <Select mode="multiple" options={KEY_TAGS.map((k) => ({ value: k, label: t(`tag.${k}`) }))} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
