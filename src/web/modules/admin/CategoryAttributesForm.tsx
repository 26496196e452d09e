import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Checkbox, Flex, Form, Grid, Input, Modal, Select, Typography } from "antd";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { api, type CategoryAdmin } from "../../app/api.ts";
import { useFormSubmit } from "../../app/forms.ts";

type Attribute = CategoryAdmin["attributes"][number];

/** The Open311 GeoReport datatypes the server takes, in the order the picker offers them. */
export const DATATYPES = [
  "string",
  "text",
  "number",
  "datetime",
  "singlevaluelist",
  "multivaluelist",
] as const;
const LIST_TYPES: readonly string[] = ["singlevaluelist", "multivaluelist"];

interface Values {
  attributes: (Omit<Attribute, "order"> & { order?: number })[];
}

/** What the server may name on each item ("attributes.1.values"), for the fields of the form as it is now. */
const placesOf = (count: number) =>
  Array.from({ length: count }, (_, i) =>
    ["code", "description", "datatype", "required", "values"].map((k) => `attributes.${i}.${k}`),
  ).flat();

/**
 * 扩展字段 of a category: the Open311 extra fields a report of this kind asks for (a 12345 platform or a
 * FixMyStreet body shows them as questions). Added, edited, removed and reordered here, saved whole through
 * PATCH /api/categories/:id; the server's refusals ("附加字段 2 选项: 列表类型至少要有一个选项") land on the
 * field they name. Options are asked for only for the list types; a field's other settings (提示, variable)
 * ride along unchanged.
 */
export function CategoryAttributesForm({
  category,
  onClose,
}: {
  /** null: closed. */
  category: CategoryAdmin | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const phone = Grid.useBreakpoint().md === false;
  const [form] = Form.useForm<Values>();
  const count = (Form.useWatch("attributes", form) ?? []).length;
  const { busy, error, setError, run } = useFormSubmit(form, placesOf(count));

  useEffect(() => {
    if (!category) return;
    setError(null);
    form.resetFields();
    form.setFieldsValue({
      attributes: [...category.attributes].sort((a, b) => a.order - b.order),
    });
  }, [category, form, setError]);

  async function submit() {
    if (!category) return;
    const { attributes = [] } = form.getFieldsValue(true) as Values;
    // The order is the list's: the server numbers them from 1 as they stand.
    const body = attributes.map(({ order: _order, values, ...a }) => ({
      ...a,
      code: (a.code ?? "").trim(),
      description: a.description ?? "",
      required: !!a.required,
      ...(LIST_TYPES.includes(a.datatype)
        ? {
            values: (values ?? []).map((v) => ({ key: (v?.key ?? "").trim(), name: (v?.name ?? "").trim() })),
          }
        : {}),
    }));
    await run(async () => {
      await api(`/api/categories/${category.id}`, { method: "PATCH", body: { attributes: body } });
      void message.success(
        t("admin.categories.attributes.saved", { name: category.name, count: body.length }),
      );
      void qc.invalidateQueries({ queryKey: ["categories"] });
      onClose();
    });
    // A refused field may sit below the fold of a long definition: bring the first one into view.
    const first = form.getFieldsError().find((f) => f.errors.length);
    if (first) form.scrollToField(first.name, { block: "center" });
  }

  return (
    <Modal
      open={!!category}
      title={t("admin.categories.attributes.title", { name: category?.name ?? "" })}
      okText={t("admin.categories.save")}
      cancelText={t("admin.categories.cancel")}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={onClose}
      width={phone ? undefined : 760}
      // A long definition scrolls between the title and the buttons, which stay in view.
      styles={{ body: { maxHeight: "70vh", overflowY: "auto", paddingRight: 4 } }}
      forceRender
    >
      <Typography.Paragraph type="secondary">{t("admin.categories.attributes.intro")}</Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" onFinish={submit} name="categoryAttributes">
        <Form.List name="attributes">
          {(fields, { add, remove, move }) => (
            <Flex vertical gap={12}>
              {fields.length === 0 && (
                <Typography.Text type="secondary" data-testid="attributes-empty">
                  {t("admin.categories.attributes.none")}
                </Typography.Text>
              )}
              {fields.map((f, i) => (
                <Card
                  key={f.key}
                  size="small"
                  data-testid={`attribute-${i}`}
                  title={t("admin.categories.attributes.item", { n: i + 1 })}
                  extra={
                    <Flex gap={0}>
                      <Button
                        type="text"
                        size="small"
                        icon={<ArrowUpOutlined />}
                        disabled={i === 0}
                        aria-label={t("admin.categories.attributes.up", { n: i + 1 })}
                        onClick={() => move(i, i - 1)}
                      />
                      <Button
                        type="text"
                        size="small"
                        icon={<ArrowDownOutlined />}
                        disabled={i === fields.length - 1}
                        aria-label={t("admin.categories.attributes.down", { n: i + 1 })}
                        onClick={() => move(i, i + 1)}
                      />
                      <Button
                        type="text"
                        size="small"
                        danger
                        icon={<DeleteOutlined />}
                        aria-label={t("admin.categories.attributes.remove", { n: i + 1 })}
                        onClick={() => remove(f.name)}
                      />
                    </Flex>
                  }
                >
                  <AttributeFields name={f.name} />
                </Card>
              ))}
              <Button
                type="dashed"
                icon={<PlusOutlined />}
                disabled={fields.length >= 30}
                onClick={() => add({ code: "", description: "", datatype: "string", required: false })}
              >
                {t("admin.categories.attributes.add")}
              </Button>
            </Flex>
          )}
        </Form.List>
      </Form>
    </Modal>
  );
}

/** One extra field's inputs; its options only for the list types. */
function AttributeFields({ name }: { name: number }) {
  const { t } = useTranslation();
  const form = Form.useFormInstance<Values>();
  const datatype = Form.useWatch(["attributes", name, "datatype"], form);
  return (
    <>
      <Flex gap={12} wrap align="start">
        <Form.Item
          name={[name, "code"]}
          label={t("admin.categories.attributes.code")}
          extra={t("admin.categories.attributes.codeHint")}
          rules={[
            { required: true, whitespace: true, message: t("admin.categories.attributes.codeRequired") },
          ]}
          style={{ flex: "1 1 160px", marginBottom: 8 }}
        >
          <Input maxLength={40} autoComplete="off" spellCheck={false} />
        </Form.Item>
        <Form.Item
          name={[name, "description"]}
          label={t("admin.categories.attributes.description")}
          rules={[
            {
              required: true,
              whitespace: true,
              message: t("admin.categories.attributes.descriptionRequired"),
            },
          ]}
          style={{ flex: "2 1 220px", marginBottom: 8 }}
        >
          <Input maxLength={60} placeholder={t("admin.categories.attributes.descriptionPlaceholder")} />
        </Form.Item>
        <Form.Item
          name={[name, "datatype"]}
          label={t("admin.categories.attributes.datatype")}
          style={{ flex: "1 1 130px", marginBottom: 8 }}
        >
          <Select
            options={DATATYPES.map((d) => ({ value: d, label: t(`admin.categories.attributes.type.${d}`) }))}
          />
        </Form.Item>
        <Form.Item
          name={[name, "required"]}
          valuePropName="checked"
          label={t("admin.categories.attributes.requiredLabel")}
          style={{ marginBottom: 8 }}
        >
          <Checkbox>{t("admin.categories.attributes.required")}</Checkbox>
        </Form.Item>
      </Flex>
      {datatype && LIST_TYPES.includes(datatype) && (
        <Form.List name={[name, "values"]}>
          {(options, { add, remove }, { errors }) => (
            <Flex
              vertical
              gap={4}
              data-testid="attribute-options"
              id={`categoryAttributes_attributes_${name}_values`}
            >
              <Typography.Text>{t("admin.categories.attributes.options")}</Typography.Text>
              {options.map((o, j) => (
                <Flex key={o.key} gap={8} align="start">
                  <Form.Item name={[o.name, "key"]} style={{ flex: "1 1 120px", marginBottom: 4 }}>
                    <Input
                      maxLength={40}
                      placeholder={t("admin.categories.attributes.optionKey")}
                      aria-label={t("admin.categories.attributes.optionKeyOf", { n: j + 1 })}
                      autoComplete="off"
                      spellCheck={false}
                    />
                  </Form.Item>
                  <Form.Item name={[o.name, "name"]} style={{ flex: "2 1 180px", marginBottom: 4 }}>
                    <Input
                      maxLength={40}
                      placeholder={t("admin.categories.attributes.optionName")}
                      aria-label={t("admin.categories.attributes.optionNameOf", { n: j + 1 })}
                    />
                  </Form.Item>
                  <Button
                    type="text"
                    danger
                    icon={<DeleteOutlined />}
                    aria-label={t("admin.categories.attributes.optionRemove", { n: j + 1 })}
                    onClick={() => remove(o.name)}
                  />
                </Flex>
              ))}
              {/* Inside a Form.Item so the server's "至少要有一个选项" reads as an error, under the button. */}
              <Form.Item style={{ marginBottom: 0 }}>
                <Button
                  size="small"
                  icon={<PlusOutlined />}
                  disabled={options.length >= 50}
                  onClick={() => {
                    add({ key: "", name: "" });
                    // The server's "至少要有一个选项" is answered: it goes until the next save.
                    form.setFields([{ name: ["attributes", name, "values"], errors: [] }]);
                  }}
                >
                  {t("admin.categories.attributes.optionAdd")}
                </Button>
                <Form.ErrorList errors={errors} />
              </Form.Item>
            </Flex>
          )}
        </Form.List>
      )}
    </>
  );
}
