import { useQuery } from "@tanstack/react-query";
import { Button, Card, DatePicker, Flex, Form, Input, Modal, Select, Space, Table, Tag } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../app/api.ts";
import { useAuth, useMe } from "../../app/auth.tsx";
import { type Enterprise, type Rectification, useAct } from "./common.tsx";

interface Template {
  id: number;
  name: string;
  items: { code: string; text: string }[];
  editable: boolean;
}

interface Grid {
  id: number;
  name: string;
}

export function EnterprisesTab() {
  const { t } = useTranslation();
  const me = useMe();
  const { can } = useAuth();
  const manage = can("affairs.manage");
  const act = useAct();
  const [q, setQ] = useState("");
  const [registering, setRegistering] = useState(false);
  const [form] = Form.useForm();
  const [editing, setEditing] = useState<Template | "new" | null>(null);
  const [tplForm] = Form.useForm();
  const [launching, setLaunching] = useState(false);
  const [campForm] = Form.useForm();
  const templates = useQuery({
    queryKey: ["affairs", "templates"],
    queryFn: () => api<{ items: Template[] }>("/api/affairs/checklists"),
  });
  const people = useQuery({
    queryKey: ["affairs", "inspectors"],
    enabled: launching,
    queryFn: () =>
      api<{ items: { id: number; name: string; unitName: string }[] }>("/api/affairs/inspectors"),
  });
  const list = useQuery({
    queryKey: ["affairs", "enterprises", q],
    queryFn: () =>
      api<{ items: Enterprise[] }>(`/api/affairs/enterprises${q ? `?q=${encodeURIComponent(q)}` : ""}`),
  });
  const rects = useQuery({
    queryKey: ["affairs", "rectifications"],
    queryFn: () => api<{ items: Rectification[] }>("/api/affairs/rectifications"),
  });
  const campaigns = useQuery({
    queryKey: ["affairs", "campaigns"],
    queryFn: () =>
      api<{
        items: {
          id: number;
          name: string;
          unitName: string;
          templateName: string;
          startsOn: string;
          endsOn: string;
          assigned: number;
          inspected: number;
        }[];
      }>("/api/affairs/campaigns"),
  });
  const summary = useQuery({
    queryKey: ["affairs", "summary"],
    queryFn: () =>
      api<{
        items: {
          orgUnitId: number;
          name: string;
          enterprises: number;
          inspected: number;
          inspections: number;
          failedItems: number;
          openRectifications: number;
          overdueRectifications: number;
          enforcement: number;
        }[];
      }>("/api/affairs/inspections/summary"),
  });
  const grids = useQuery({
    queryKey: ["affairs", "grids", me.org.id],
    enabled: registering,
    queryFn: async () => {
      // The grids under the caller's unit, one level or two down.
      const kids = await api<{ items: (Grid & { kind: string })[] }>(`/api/orgs?parent=${me.org.id}`);
      const direct = kids.items.filter((k) => k.kind === "grid");
      if (direct.length || me.org.kind === "grid")
        return me.org.kind === "grid" ? [{ id: me.org.id, name: me.org.name }] : direct;
      const nested = await Promise.all(
        kids.items
          .slice(0, 20)
          .map((c) => api<{ items: (Grid & { kind: string })[] }>(`/api/orgs?parent=${c.id}`)),
      );
      return nested.flatMap((n) => n.items.filter((k) => k.kind === "grid"));
    },
  });
  return (
    <Flex vertical gap={16}>
      <Card size="small" title={t("affairs.summary")}>
        <Table
          size="small"
          rowKey="orgUnitId"
          pagination={false}
          loading={summary.isLoading}
          dataSource={summary.data?.items ?? []}
          columns={[
            { title: "单位", dataIndex: "name" },
            { title: "企业数", dataIndex: "enterprises" },
            { title: "已检查企业", dataIndex: "inspected" },
            { title: "检查次数", dataIndex: "inspections" },
            { title: "不合格项", dataIndex: "failedItems" },
            { title: "整改中", dataIndex: "openRectifications" },
            { title: "逾期", dataIndex: "overdueRectifications" },
            { title: "联合惩戒", dataIndex: "enforcement" },
          ]}
        />
      </Card>
      <Card size="small" title={t("affairs.rectifications")}>
        <Table<Rectification>
          size="small"
          rowKey="id"
          loading={rects.isLoading}
          dataSource={rects.data?.items ?? []}
          pagination={{ pageSize: 8 }}
          columns={[
            { title: "企业", dataIndex: "enterpriseName" },
            { title: "网格", dataIndex: "gridName" },
            { title: "检查项", dataIndex: "itemText" },
            { title: t("affairs.finding"), dataIndex: "finding" },
            {
              title: "整改期限",
              dataIndex: "deadline",
              render: (d: string, r) => (r.overdue ? <Tag color="red">{d} 逾期</Tag> : d),
            },
            {
              title: t("affairs.state"),
              key: "s",
              render: (_: unknown, r) => (
                <Space size={4}>
                  <Tag color={r.state === "closed" ? "green" : "orange"}>
                    {t(`affairs.rectState.${r.state}`)}
                  </Tag>
                  {r.enforcement !== "none" && (
                    <Tag color={r.enforcement === "active" ? "red" : undefined}>
                      {t(`affairs.enforcement.${r.enforcement}`)}
                    </Tag>
                  )}
                </Space>
              ),
            },
            {
              title: "",
              key: "a",
              render: (_: unknown, r) =>
                manage && r.state === "open" && r.overdue && r.enforcement !== "active" ? (
                  <Button
                    size="small"
                    danger
                    onClick={() =>
                      act(() =>
                        api(`/api/affairs/rectifications/${r.id}/escalation`, {
                          method: "POST",
                          body: { note: "逾期未整改，移交联合惩戒" },
                        }),
                      )
                    }
                  >
                    {t("affairs.escalate")}
                  </Button>
                ) : manage && r.state === "closed" && r.enforcement === "active" ? (
                  <Button
                    size="small"
                    onClick={() =>
                      act(() =>
                        api(`/api/affairs/rectifications/${r.id}/release`, {
                          method: "POST",
                          body: { note: "整改到位，解除联合惩戒" },
                        }),
                      )
                    }
                  >
                    {t("affairs.release")}
                  </Button>
                ) : null,
            },
          ]}
        />
      </Card>
      <Card
        size="small"
        title="检查模板"
        extra={
          manage && (
            <Button
              onClick={() => {
                setEditing("new");
              }}
            >
              新建模板
            </Button>
          )
        }
      >
        <Table<Template>
          size="small"
          rowKey="id"
          pagination={false}
          dataSource={templates.data?.items ?? []}
          columns={[
            { title: "模板", dataIndex: "name" },
            { title: "检查项", key: "i", render: (_: unknown, x) => x.items.map((i) => i.text).join("；") },
            {
              title: "",
              key: "e",
              render: (_: unknown, x) =>
                manage && x.editable ? (
                  <Button size="small" onClick={() => setEditing(x)}>
                    修改
                  </Button>
                ) : null,
            },
          ]}
        />
      </Card>
      <Card
        size="small"
        title={t("affairs.campaigns")}
        extra={
          manage && (
            <Button type="primary" onClick={() => setLaunching(true)}>
              发起检查行动
            </Button>
          )
        }
      >
        <Table
          size="small"
          rowKey="id"
          pagination={{ pageSize: 5 }}
          dataSource={campaigns.data?.items ?? []}
          columns={[
            { title: "行动", dataIndex: "name" },
            { title: "单位", dataIndex: "unitName" },
            { title: "模板", dataIndex: "templateName" },
            { title: "期间", key: "p", render: (_: unknown, c) => `${c.startsOn} ~ ${c.endsOn}` },
            { title: "已检查/分配", key: "n", render: (_: unknown, c) => `${c.inspected}/${c.assigned}` },
          ]}
        />
      </Card>
      <Card
        size="small"
        title={t("affairs.enterprises")}
        extra={
          <Space>
            <Input.Search allowClear placeholder="名称或信用代码" onSearch={setQ} style={{ width: 220 }} />
            {manage && (
              <Button type="primary" onClick={() => setRegistering(true)}>
                {t("affairs.newEnterprise")}
              </Button>
            )}
          </Space>
        }
      >
        <Table<Enterprise>
          size="small"
          rowKey="id"
          loading={list.isLoading}
          dataSource={list.data?.items ?? []}
          pagination={{ pageSize: 10 }}
          columns={[
            { title: "企业", dataIndex: "name" },
            { title: t("affairs.creditCode"), dataIndex: "creditCode" },
            { title: "网格", dataIndex: "gridName" },
            { title: "行业", dataIndex: "industry" },
            {
              title: "联系人",
              key: "c",
              render: (_: unknown, e) => `${e.contactName} ${e.contactPhone ?? ""}`,
            },
            { title: "整改中", dataIndex: "openRectifications" },
          ]}
        />
      </Card>
      <Modal
        open={editing !== null}
        title={editing === "new" ? "新建模板" : "修改模板（只影响以后的检查）"}
        width={640}
        onCancel={() => setEditing(null)}
        destroyOnHidden
        onOk={async () => {
          const v = await tplForm.validateFields();
          const body = {
            name: v.name,
            items: v.items.map((i: { text: string }, n: number) => ({ code: `item_${n + 1}`, text: i.text })),
          };
          if (editing && editing !== "new")
            body.items = v.items.map((i: { code?: string; text: string }, n: number) => ({
              code: i.code || `item_${n + 1}`,
              text: i.text,
            }));
          const r = await act(() =>
            editing === "new"
              ? api("/api/affairs/checklists", { method: "POST", body })
              : api(`/api/affairs/checklists/${(editing as Template).id}`, { method: "PUT", body }),
          );
          if (r) setEditing(null);
        }}
      >
        <Form
          form={tplForm}
          layout="vertical"
          preserve={false}
          initialValues={
            editing && editing !== "new" ? { name: editing.name, items: editing.items } : { items: [{}] }
          }
        >
          <Form.Item name="name" label="模板名称" rules={[{ required: true, min: 2 }]}>
            <Input />
          </Form.Item>
          <Form.List name="items">
            {(fields, { add, remove }) => (
              <Flex vertical gap={4}>
                {fields.map((f, i) => (
                  <Space key={f.key} align="start">
                    <Form.Item name={[f.name, "code"]} hidden>
                      <Input />
                    </Form.Item>
                    <Form.Item name={[f.name, "text"]} rules={[{ required: true, min: 2 }]}>
                      <Input placeholder={`检查项 ${i + 1}`} style={{ width: 440 }} />
                    </Form.Item>
                    <Button type="link" onClick={() => remove(f.name)}>
                      删除
                    </Button>
                  </Space>
                ))}
                <Button onClick={() => add({})}>添加检查项</Button>
              </Flex>
            )}
          </Form.List>
        </Form>
      </Modal>
      <Modal
        open={launching}
        title="发起检查行动"
        width={640}
        onCancel={() => setLaunching(false)}
        destroyOnHidden
        onOk={async () => {
          const v = await campForm.validateFields();
          const r = await act(() =>
            api("/api/affairs/campaigns", {
              method: "POST",
              body: {
                orgUnitId: me.org.id,
                name: v.name,
                templateId: v.templateId,
                startsOn: v.startsOn.format("YYYY-MM-DD"),
                endsOn: v.endsOn.format("YYYY-MM-DD"),
                assignments: (v.enterprises as number[]).map((enterpriseId) => ({
                  enterpriseId,
                  inspectorId: v.inspectorId,
                })),
              },
            }),
          );
          if (r) setLaunching(false);
        }}
      >
        <Form form={campForm} layout="vertical" preserve={false}>
          <Form.Item name="name" label="行动名称" rules={[{ required: true, min: 2 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="templateId" label="检查模板" rules={[{ required: true }]}>
            <Select options={(templates.data?.items ?? []).map((x) => ({ value: x.id, label: x.name }))} />
          </Form.Item>
          <Space>
            <Form.Item name="startsOn" label="开始" rules={[{ required: true }]}>
              <DatePicker />
            </Form.Item>
            <Form.Item name="endsOn" label="结束" rules={[{ required: true }]}>
              <DatePicker />
            </Form.Item>
          </Space>
          <Form.Item name="enterprises" label="检查企业" rules={[{ required: true }]}>
            <Select
              mode="multiple"
              optionFilterProp="label"
              options={(list.data?.items ?? []).map((e) => ({
                value: e.id,
                label: `${e.name}（${e.gridName}）`,
              }))}
            />
          </Form.Item>
          <Form.Item name="inspectorId" label="检查人员" rules={[{ required: true }]}>
            <Select
              showSearch
              optionFilterProp="label"
              loading={people.isLoading}
              options={(people.data?.items ?? []).map((p) => ({
                value: p.id,
                label: `${p.name}（${p.unitName}）`,
              }))}
            />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={registering}
        title={t("affairs.newEnterprise")}
        onCancel={() => setRegistering(false)}
        destroyOnHidden
        onOk={async () => {
          const v = await form.validateFields();
          const r = await act(() => api("/api/affairs/enterprises", { method: "POST", body: v }));
          if (r) setRegistering(false);
        }}
      >
        <Form form={form} layout="vertical" preserve={false} initialValues={{ size: "small" }}>
          <Form.Item name="name" label="企业名称" rules={[{ required: true, min: 2 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="creditCode" label={t("affairs.creditCode")} rules={[{ required: true, len: 18 }]}>
            <Input maxLength={18} />
          </Form.Item>
          <Form.Item name="orgUnitId" label="所在网格" rules={[{ required: true }]}>
            <Select
              loading={grids.isLoading}
              options={(grids.data ?? []).map((g) => ({ value: g.id, label: g.name }))}
            />
          </Form.Item>
          <Form.Item name="address" label="地址" rules={[{ required: true, min: 2 }]}>
            <Input />
          </Form.Item>
          <Space>
            <Form.Item name="contactName" label="联系人" rules={[{ required: true }]}>
              <Input />
            </Form.Item>
            <Form.Item name="contactPhone" label="联系电话" rules={[{ required: true }]}>
              <Input />
            </Form.Item>
          </Space>
          <Space>
            <Form.Item name="industry" label="行业" rules={[{ required: true, min: 2 }]}>
              <Input />
            </Form.Item>
            <Form.Item name="size" label="规模">
              <Select
                style={{ width: 120 }}
                options={[
                  { value: "micro", label: "微型" },
                  { value: "small", label: "小型" },
                  { value: "medium", label: "中型" },
                  { value: "large", label: "大型" },
                ]}
              />
            </Form.Item>
          </Space>
        </Form>
      </Modal>
    </Flex>
  );
}
