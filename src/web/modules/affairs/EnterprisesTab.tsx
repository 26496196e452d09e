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
            { title: t("affairs.d.k20"), dataIndex: "name" },
            { title: t("affairs.d.k21"), dataIndex: "enterprises" },
            { title: t("affairs.d.k22"), dataIndex: "inspected" },
            { title: t("affairs.d.k23"), dataIndex: "inspections" },
            { title: t("affairs.d.k24"), dataIndex: "failedItems" },
            { title: t("affairs.d.k25"), dataIndex: "openRectifications" },
            { title: t("affairs.d.k26"), dataIndex: "overdueRectifications" },
            { title: t("affairs.d.k27"), dataIndex: "enforcement" },
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
            { title: t("affairs.d.k28"), dataIndex: "enterpriseName" },
            { title: t("affairs.d.k29"), dataIndex: "gridName" },
            { title: t("affairs.d.k30"), dataIndex: "itemText" },
            { title: t("affairs.finding"), dataIndex: "finding" },
            {
              title: t("affairs.d.k31"),
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
        title={t("affairs.d.k32")}
        extra={
          manage && (
            <Button
              onClick={() => {
                setEditing("new");
              }}
            >
              {t("affairs.d.k56")}
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
            { title: t("affairs.d.k33"), dataIndex: "name" },
            {
              title: t("affairs.d.k30"),
              key: "i",
              render: (_: unknown, x) => x.items.map((i) => i.text).join("；"),
            },
            {
              title: "",
              key: "e",
              render: (_: unknown, x) =>
                manage && x.editable ? (
                  <Button size="small" onClick={() => setEditing(x)}>
                    {t("affairs.d.k57")}
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
              {t("affairs.d.k41")}
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
            { title: t("affairs.d.k34"), dataIndex: "name" },
            { title: t("affairs.d.k20"), dataIndex: "unitName" },
            { title: t("affairs.d.k33"), dataIndex: "templateName" },
            { title: t("affairs.d.k35"), key: "p", render: (_: unknown, c) => `${c.startsOn} ~ ${c.endsOn}` },
            {
              title: t("affairs.d.k36"),
              key: "n",
              render: (_: unknown, c) => `${c.inspected}/${c.assigned}`,
            },
          ]}
        />
      </Card>
      <Card
        size="small"
        title={t("affairs.enterprises")}
        extra={
          <Space>
            <Input.Search
              allowClear
              placeholder={t("affairs.d.k37")}
              onSearch={setQ}
              style={{ width: 220 }}
            />
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
            { title: t("affairs.d.k28"), dataIndex: "name" },
            { title: t("affairs.creditCode"), dataIndex: "creditCode" },
            { title: t("affairs.d.k29"), dataIndex: "gridName" },
            { title: t("affairs.d.k38"), dataIndex: "industry" },
            {
              title: t("affairs.d.k39"),
              key: "c",
              render: (_: unknown, e) => `${e.contactName} ${e.contactPhone ?? ""}`,
            },
            { title: t("affairs.d.k25"), dataIndex: "openRectifications" },
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
          <Form.Item name="name" label={t("affairs.d.k40")} rules={[{ required: true, min: 2 }]}>
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
                      {t("affairs.d.k19")}
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
        title={t("affairs.d.k41")}
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
          <Form.Item name="name" label={t("affairs.d.k42")} rules={[{ required: true, min: 2 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="templateId" label={t("affairs.d.k32")} rules={[{ required: true }]}>
            <Select options={(templates.data?.items ?? []).map((x) => ({ value: x.id, label: x.name }))} />
          </Form.Item>
          <Space>
            <Form.Item name="startsOn" label={t("affairs.d.k43")} rules={[{ required: true }]}>
              <DatePicker />
            </Form.Item>
            <Form.Item name="endsOn" label={t("affairs.d.k44")} rules={[{ required: true }]}>
              <DatePicker />
            </Form.Item>
          </Space>
          <Form.Item name="enterprises" label={t("affairs.d.k45")} rules={[{ required: true }]}>
            <Select
              mode="multiple"
              optionFilterProp="label"
              options={(list.data?.items ?? []).map((e) => ({
                value: e.id,
                label: `${e.name}（${e.gridName}）`,
              }))}
            />
          </Form.Item>
          <Form.Item name="inspectorId" label={t("affairs.d.k46")} rules={[{ required: true }]}>
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
          <Form.Item name="name" label={t("affairs.d.k47")} rules={[{ required: true, min: 2 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="creditCode" label={t("affairs.creditCode")} rules={[{ required: true, len: 18 }]}>
            <Input maxLength={18} />
          </Form.Item>
          <Form.Item name="orgUnitId" label={t("affairs.d.k48")} rules={[{ required: true }]}>
            <Select
              loading={grids.isLoading}
              options={(grids.data ?? []).map((g) => ({ value: g.id, label: g.name }))}
            />
          </Form.Item>
          <Form.Item name="address" label={t("affairs.d.k49")} rules={[{ required: true, min: 2 }]}>
            <Input />
          </Form.Item>
          <Space>
            <Form.Item name="contactName" label={t("affairs.d.k39")} rules={[{ required: true }]}>
              <Input />
            </Form.Item>
            <Form.Item name="contactPhone" label={t("affairs.d.k50")} rules={[{ required: true }]}>
              <Input />
            </Form.Item>
          </Space>
          <Space>
            <Form.Item name="industry" label={t("affairs.d.k38")} rules={[{ required: true, min: 2 }]}>
              <Input />
            </Form.Item>
            <Form.Item name="size" label={t("affairs.d.k51")}>
              <Select
                style={{ width: 120 }}
                options={[
                  { value: "micro", label: t("affairs.d.k52") },
                  { value: "small", label: t("affairs.d.k53") },
                  { value: "medium", label: t("affairs.d.k54") },
                  { value: "large", label: t("affairs.d.k55") },
                ]}
              />
            </Form.Item>
          </Space>
        </Form>
      </Modal>
    </Flex>
  );
}
