import { EditOutlined, FormOutlined, StopOutlined, UndoOutlined } from "@ant-design/icons";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { App, Button, Card, Flex, Grid, Input, Popconfirm, Segmented, Tag, Tooltip, Typography } from "antd";
import { type HTMLAttributes, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { findPolicy } from "../../../domain/sla/policy.ts";
import { api, type CategoryAdmin, qs } from "../../app/api.ts";
import { ListPageHeader, ResponsiveList } from "../../app/lists.tsx";
import { CategoryAttributesForm } from "./CategoryAttributesForm.tsx";
import { CategoryForm, policyClocks } from "./CategoryForm.tsx";
import "./admin.css";

type StateFilter = "" | "active" | "retired";

/** 诉求分类管理: every category, retired ones too, with add, edit, retire and restore. */
export default function CategoriesPage() {
  const { t } = useTranslation();
  const phone = Grid.useBreakpoint().md === false;
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const state = (params.get("state") ?? "") as StateFilter;
  const [text, setText] = useState(q);
  useEffect(() => setText(q), [q]);
  const [editing, setEditing] = useState<{ category: CategoryAdmin | null } | null>(null);
  const [fieldsOf, setFieldsOf] = useState<CategoryAdmin | null>(null);

  const list = useQuery({
    queryKey: ["categories", { all: true, q }],
    queryFn: () => api<{ items: CategoryAdmin[] }>(`/api/categories${qs({ all: "true", q })}`),
    placeholderData: keepPreviousData,
  });
  const items = (list.data?.items ?? []).filter((c) => !state || (state === "active" ? c.active : !c.active));

  function update(changes: Record<string, string | undefined>) {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next);
  }

  const edit = (c: CategoryAdmin) => setEditing({ category: c });
  /** 扩展字段: how many the category asks for, and the way to its editor. */
  const fieldsButton = (c: CategoryAdmin, block?: boolean) => (
    <Button
      size={block ? "middle" : "small"}
      type={block ? "default" : "link"}
      icon={<FormOutlined />}
      data-testid="attribute-count"
      aria-label={t("admin.categories.attributes.openOf", { name: c.name, count: c.attributes.length })}
      onClick={() => setFieldsOf(c)}
      style={{ ...(block ? { flex: 1 } : {}), ...(c.attributes.length ? {} : { color: "#8c8c8c" }) }}
    >
      {c.attributes.length
        ? t("admin.categories.attributes.count", { count: c.attributes.length })
        : t("admin.categories.attributes.zero")}
    </Button>
  );
  const stateTag = (c: CategoryAdmin) =>
    c.active ? (
      <Tag color="green">{t("admin.categories.active")}</Tag>
    ) : (
      <Tag>{t("admin.categories.retired")}</Tag>
    );

  return (
    <Flex vertical gap={16}>
      <ListPageHeader
        title={t("admin.categories.title")}
        addLabel={t("admin.categories.add")}
        onAdd={() => setEditing({ category: null })}
        phone={phone}
      />
      <Typography.Text type="secondary">{t("admin.categories.intro")}</Typography.Text>

      <Flex gap={12} wrap align="end">
        <Flex vertical gap={4} style={{ flex: "1 1 280px", maxWidth: phone ? undefined : 420 }}>
          <label htmlFor="gk-category-search">{t("admin.categories.search")}</label>
          <Input.Search
            id="gk-category-search"
            placeholder={t("admin.categories.searchPlaceholder")}
            value={text}
            allowClear
            enterButton={t("admin.categories.searchButton")}
            size={phone ? "large" : "middle"}
            onChange={(e) => setText(e.target.value)}
            onSearch={(v) => update({ q: v.trim() || undefined })}
          />
        </Flex>
        <Segmented<StateFilter>
          aria-label={t("admin.categories.stateFilter")}
          value={state}
          size={phone ? "large" : "middle"}
          onChange={(v) => update({ state: v || undefined })}
          options={[
            { value: "", label: t("admin.categories.all") },
            { value: "active", label: t("admin.categories.active") },
            { value: "retired", label: t("admin.categories.retired") },
          ]}
        />
        {list.data && (
          <Typography.Text type="secondary" data-testid="category-total">
            {t("admin.categories.total", { count: items.length })}
          </Typography.Text>
        )}
      </Flex>

      <ResponsiveList<CategoryAdmin>
        query={list}
        items={items}
        phone={phone}
        label={t("admin.categories.title")}
        empty={t("admin.categories.empty")}
        rowKey={(c) => c.id}
        rowClassName={(c) => (c.active ? "" : "gk-row-retired")}
        onRow={(c) => ({ "data-code": c.code }) as HTMLAttributes<HTMLElement>}
        card={(c) => (
          <Card size="small" className={c.active ? undefined : "gk-retired-card"} data-code={c.code}>
            <Flex justify="space-between" align="baseline" gap={8}>
              <Typography.Text strong style={{ fontSize: 17 }}>
                <CategoryName category={c} />
              </Typography.Text>
              {stateTag(c)}
            </Flex>
            <div className="gk-code" style={{ color: "#8c8c8c" }}>
              {c.code}
            </div>
            <div style={{ margin: "6px 0", color: "#555" }}>
              {t(`policy.${c.slaPolicy}`, { defaultValue: c.slaPolicy })} ·{" "}
              {t(`role.${c.ownerRole}`, { defaultValue: c.ownerRole })}
              {c.department ? ` · ${c.department}` : ""}
            </div>
            <Flex gap={8}>
              <Button icon={<EditOutlined />} onClick={() => edit(c)} style={{ flex: 1 }}>
                {t("admin.categories.edit")}
              </Button>
              <ActiveToggle category={c} block />
            </Flex>
            <Flex style={{ marginTop: 8 }}>{fieldsButton(c, true)}</Flex>
          </Card>
        )}
        columns={[
          {
            title: t("admin.categories.code"),
            dataIndex: "code",
            render: (code: string) => <span className="gk-code">{code}</span>,
          },
          {
            title: t("admin.categories.name"),
            dataIndex: "name",
            render: (_: string, c) => <CategoryName category={c} />,
          },
          {
            title: t("admin.categories.slaPolicy"),
            dataIndex: "slaPolicy",
            render: (id: string) => {
              const p = findPolicy(id);
              const label = t(`policy.${id}`, { defaultValue: id });
              return p ? (
                <Tooltip title={policyClocks(p, t)}>
                  <span>{label}</span>
                </Tooltip>
              ) : (
                label
              );
            },
          },
          {
            title: t("admin.categories.ownerRole"),
            dataIndex: "ownerRole",
            render: (r: string) => t(`role.${r}`, { defaultValue: r }),
          },
          {
            title: t("admin.categories.department"),
            dataIndex: "department",
            render: (d: string | null) => d || "—",
          },
          { title: t("admin.categories.sortOrder"), dataIndex: "sortOrder", align: "right" },
          {
            title: t("admin.categories.attributes.column"),
            key: "attributes",
            render: (_: unknown, c) => fieldsButton(c),
          },
          {
            title: t("admin.categories.state"),
            dataIndex: "active",
            render: (_: boolean, c) => stateTag(c),
          },
          {
            title: t("admin.categories.actions"),
            key: "actions",
            render: (_: unknown, c) => (
              <Flex gap={4}>
                <Button
                  size="small"
                  type="link"
                  icon={<EditOutlined />}
                  aria-label={t("admin.categories.editOf", { name: c.name })}
                  onClick={() => edit(c)}
                >
                  {t("admin.categories.edit")}
                </Button>
                <ActiveToggle category={c} />
              </Flex>
            ),
          },
        ]}
      />
      <CategoryAttributesForm category={fieldsOf} onClose={() => setFieldsOf(null)} />
      <CategoryForm open={!!editing} category={editing?.category ?? null} onClose={() => setEditing(null)} />
    </Flex>
  );
}

/** A subcategory shows under its parent ("市政设施 ›"), with the words callers use for it. */
function CategoryName({ category: c }: { category: CategoryAdmin }) {
  return (
    <span className={c.parentId ? "gk-subcategory" : undefined}>
      {c.parentName && <span style={{ color: "#8c8c8c" }}>{c.parentName} › </span>}
      {c.name}
      {c.synonyms.length > 0 && (
        <div style={{ color: "#8c8c8c", fontSize: 12, fontWeight: "normal" }}>{c.synonyms.join("、")}</div>
      )}
    </span>
  );
}

/** 停用 / 启用 behind a confirm; the intake picker and Open311 follow at once. */
function ActiveToggle({ category: c, block }: { category: CategoryAdmin; block?: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const toggle = useMutation({
    mutationFn: () => api(`/api/categories/${c.id}`, { method: "PATCH", body: { active: !c.active } }),
    onSuccess: () => {
      void message.success(
        t(c.active ? "admin.categories.retiredDone" : "admin.categories.restoredDone", { name: c.name }),
      );
      return qc.invalidateQueries({ queryKey: ["categories"] });
    },
    onError: (e) => void message.error(e.message),
  });
  return (
    <Popconfirm
      title={t(c.active ? "admin.categories.retireTitle" : "admin.categories.restoreTitle", { name: c.name })}
      description={
        <div style={{ maxWidth: 280 }}>
          {t(c.active ? "admin.categories.retireHint" : "admin.categories.restoreHint")}
        </div>
      }
      okText={t(c.active ? "admin.categories.retire" : "admin.categories.restore")}
      cancelText={t("admin.categories.cancel")}
      okButtonProps={{ danger: c.active }}
      onConfirm={() => toggle.mutateAsync().catch(() => {})}
    >
      <Button
        size={block ? "middle" : "small"}
        type={block ? "default" : "link"}
        danger={c.active}
        loading={toggle.isPending}
        icon={c.active ? <StopOutlined /> : <UndoOutlined />}
        style={block ? { flex: 1 } : undefined}
      >
        {t(c.active ? "admin.categories.retire" : "admin.categories.restore")}
      </Button>
    </Popconfirm>
  );
}
