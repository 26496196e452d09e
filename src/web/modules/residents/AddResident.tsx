import { UserAddOutlined } from "@ant-design/icons";
import { useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Form, Input, Modal, Select } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { RELATIONS } from "../../../domain/people/tags.ts";
import { api, type Resident } from "../../app/api.ts";
import { useFormSubmit } from "../../app/forms.ts";
import { KEY_TAGS } from "../../app/i18n/index.ts";

interface Values {
  name: string;
  idNumber: string;
  phone?: string;
  relationToHead?: string;
  tags: string[];
}

const FIELDS = ["name", "idNumber", "phone", "relationToHead", "tags"];

/**
 * 登记居民 on a household's page (someone moved in, a baby was born). The server checks the ID number
 * (checksum, 15→18 digits, already registered → 409); its messages land on the fields.
 */
export function AddResident({ householdId }: { householdId: number }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<Values>();
  const { busy, error, setError, run } = useFormSubmit(form, FIELDS);

  function submit(v: Values) {
    const body: Record<string, unknown> = {
      householdId,
      name: v.name.trim(),
      idNumber: v.idNumber.trim(),
      tags: v.tags ?? [],
    };
    if (v.phone?.trim()) body.phone = v.phone.trim();
    if (v.relationToHead) body.relationToHead = v.relationToHead;
    return run(async () => {
      const r = await api<Resident>("/api/residents", { method: "POST", body });
      void qc.invalidateQueries({ queryKey: ["household", householdId] });
      void qc.invalidateQueries({ queryKey: ["residents"] });
      void message.success(t("resident.added", { name: r.name }));
      setOpen(false);
      navigate(`/residents/${r.id}`);
    });
  }

  return (
    <>
      <Button
        icon={<UserAddOutlined />}
        onClick={() => {
          form.resetFields();
          setError(null);
          setOpen(true);
        }}
      >
        {t("resident.add")}
      </Button>
      <Modal
        open={open}
        title={t("resident.addTitle")}
        okText={t("resident.save")}
        cancelText={t("resident.cancel")}
        confirmLoading={busy}
        onOk={() => form.submit()}
        onCancel={() => setOpen(false)}
        forceRender
      >
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
        <Form
          form={form}
          layout="vertical"
          onFinish={submit}
          name="resident-add"
          initialValues={{ tags: [] }}
        >
          <Form.Item
            label={t("resident.name")}
            name="name"
            rules={[{ required: true, whitespace: true, message: t("resident.nameRequired") }]}
          >
            <Input maxLength={30} />
          </Form.Item>
          <Form.Item
            label={t("resident.idNumber")}
            name="idNumber"
            extra={t("resident.idNumberHint")}
            rules={[{ required: true, whitespace: true, message: t("resident.idNumberRequired") }]}
          >
            <Input maxLength={18} autoComplete="off" />
          </Form.Item>
          <Form.Item label={t("resident.phone")} name="phone">
            <Input inputMode="tel" maxLength={20} />
          </Form.Item>
          <Form.Item label={t("resident.relation")} name="relationToHead">
            <Select
              allowClear
              options={Object.keys(RELATIONS).map((k) => ({ value: k, label: t(`relation.${k}`) }))}
            />
          </Form.Item>
          <Form.Item label={t("resident.tags")} name="tags">
            <Select mode="multiple" options={KEY_TAGS.map((k) => ({ value: k, label: t(`tag.${k}`) }))} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
