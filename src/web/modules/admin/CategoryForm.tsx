import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Form, Input, InputNumber, Modal, Select } from "antd";
import type { TFunction } from "i18next";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { ROLES } from "../../../domain/roles/roles.ts";
import { BUILTIN_POLICIES, type SlaPolicy } from "../../../domain/sla/policy.ts";
import { api, type CategoryAdmin } from "../../app/api.ts";
import { useFormSubmit } from "../../app/forms.ts";

interface Values {
  code: string;
  name: string;
  slaPolicy: string;
  ownerRole: string;
  department?: string;
  sortOrder?: number | null;
  parentId?: number | null;
  synonyms?: string[];
}

const FIELDS = ["code", "name", "slaPolicy", "ownerRole", "department", "sortOrder", "parentId", "synonyms"];
/** The server's rule for codes (categories.ts), checked here too so a typo is caught before sending. */
const CODE = /^[a-z][a-z0-9_]{1,39}$/;
/** Residents file requests; they never own a category. */
const OWNER_ROLES = ROLES.filter((r) => r !== "resident");

/** "全天候计时：到场时限 5 分钟、办结时限 20 分钟（简单问题）…", from the domain's own policy. */
export function policyClocks(p: SlaPolicy, t: TFunction): string {
  const clocks = p.clocks.map(
    (c) =>
      `${t(`clock.${c.clock}`)} ${c.budget.amount} ${t(`order.unit.${c.budget.unit}`)}${
        c.tracks.length === 1 ? t(`admin.categories.track.${c.tracks[0]}`) : ""
      }`,
  );
  return t("admin.categories.clocks", {
    calendar: t(`admin.categories.calendar.${p.calendar}`),
    clocks: clocks.join(t("admin.categories.clockSep")),
  });
}

/**
 * 新增 / 编辑 a category in a modal. The code is fixed once created (Open311 clients know categories by
 * it); the server's refusals — a duplicate code (409), an unknown policy or role (400) — land on the fields.
 */
export function CategoryForm({
  open,
  category,
  onClose,
}: {
  open: boolean;
  /** null: a new category. */
  category: CategoryAdmin | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const { busy, error, setError, run } = useFormSubmit(form, FIELDS);
  const policyId = Form.useWatch("slaPolicy", form);
  const policy = BUILTIN_POLICIES.find((p) => p.id === policyId);
  // Parents are top-level categories (two levels, as the 12345 taxonomy); a category is never its own.
  const all = useQuery({
    queryKey: ["categories", { all: true, q: "" }],
    queryFn: () => api<{ items: CategoryAdmin[] }>("/api/categories?all=true"),
    enabled: open,
  });
  const hasChildren = !!category && !!all.data?.items.some((c) => c.parentId === category.id);
  const parents = (all.data?.items ?? []).filter((c) => c.parentId === null && c.id !== category?.id);

  useEffect(() => {
    if (!open) return;
    setError(null);
    form.resetFields();
    if (category)
      form.setFieldsValue({
        code: category.code,
        name: category.name,
        slaPolicy: category.slaPolicy,
        ownerRole: category.ownerRole,
        department: category.department ?? "",
        sortOrder: category.sortOrder,
        parentId: category.parentId,
        synonyms: category.synonyms,
      });
  }, [open, category, form, setError]);

  function submit(v: Values) {
    const department = v.department?.trim() || null;
    const body: Record<string, unknown> = {
      name: v.name.trim(),
      slaPolicy: v.slaPolicy,
      ownerRole: v.ownerRole,
      parentId: v.parentId ?? null,
      synonyms: (v.synonyms ?? []).map((w) => w.trim()).filter(Boolean),
    };
    if (typeof v.sortOrder === "number") body.sortOrder = v.sortOrder;
    return run(async () => {
      if (category) {
        await api(`/api/categories/${category.id}`, { method: "PATCH", body: { ...body, department } });
        void message.success(t("admin.categories.saved", { name: body.name }));
      } else {
        const created = { ...body, code: v.code.trim(), ...(department ? { department } : {}) };
        await api("/api/categories", { method: "POST", body: created });
        void message.success(t("admin.categories.created", { name: body.name }));
      }
      // The intake picker reads the same list.
      void qc.invalidateQueries({ queryKey: ["categories"] });
      onClose();
    });
  }

  return (
    <Modal
      open={open}
      title={category ? t("admin.categories.editTitle") : t("admin.categories.addTitle")}
      okText={t("admin.categories.save")}
      cancelText={t("admin.categories.cancel")}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={onClose}
      forceRender
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" onFinish={submit} name="category">
        <Form.Item
          label={t("admin.categories.code")}
          name="code"
          extra={category ? t("admin.categories.codeFixed") : t("admin.categories.codeHint")}
          rules={
            category
              ? []
              : [
                  { required: true, whitespace: true, message: t("admin.categories.codeRequired") },
                  { pattern: CODE, message: t("admin.categories.codeInvalid") },
                ]
          }
        >
          <Input maxLength={40} disabled={!!category} autoComplete="off" spellCheck={false} />
        </Form.Item>
        <Form.Item
          label={t("admin.categories.name")}
          name="name"
          rules={[{ required: true, whitespace: true, message: t("admin.categories.nameRequired") }]}
        >
          <Input maxLength={30} />
        </Form.Item>
        <Form.Item
          label={t("admin.categories.parent")}
          name="parentId"
          extra={hasChildren ? t("admin.categories.parentHasChildren") : t("admin.categories.parentHint")}
        >
          <Select
            allowClear
            disabled={hasChildren}
            placeholder={t("admin.categories.topLevel")}
            loading={all.isPending}
            options={parents.map((c) => ({ value: c.id, label: c.name }))}
            showSearch={{ optionFilterProp: "label" }}
          />
        </Form.Item>
        <Form.Item
          label={t("admin.categories.synonyms")}
          name="synonyms"
          extra={t("admin.categories.synonymsHint")}
        >
          <Select mode="tags" open={false} tokenSeparators={[",", "，", "、", " "]} maxCount={30} />
        </Form.Item>
        <Form.Item
          label={t("admin.categories.slaPolicy")}
          name="slaPolicy"
          extra={policy ? <span data-testid="policy-clocks">{policyClocks(policy, t)}</span> : undefined}
          rules={[{ required: true, message: t("admin.categories.slaPolicyRequired") }]}
        >
          <Select options={BUILTIN_POLICIES.map((p) => ({ value: p.id, label: t(`policy.${p.id}`) }))} />
        </Form.Item>
        <Form.Item
          label={t("admin.categories.ownerRole")}
          name="ownerRole"
          rules={[{ required: true, message: t("admin.categories.ownerRoleRequired") }]}
        >
          <Select options={OWNER_ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))} />
        </Form.Item>
        <Form.Item label={t("admin.categories.department")} name="department">
          <Input maxLength={60} placeholder={t("admin.categories.departmentPlaceholder")} />
        </Form.Item>
        <Form.Item
          label={t("admin.categories.sortOrder")}
          name="sortOrder"
          extra={category ? undefined : t("admin.categories.sortOrderHint")}
        >
          <InputNumber min={0} max={10000} precision={0} style={{ width: "100%" }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
