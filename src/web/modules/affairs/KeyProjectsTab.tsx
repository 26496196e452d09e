import { useQuery } from "@tanstack/react-query";
import {
  Button,
  Card,
  DatePicker,
  Drawer,
  Flex,
  Form,
  Input,
  InputNumber,
  Modal,
  Progress,
  Select,
  Space,
  Table,
  Tag,
} from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, apiUpload } from "../../app/api.ts";
import { useAuth, useMe } from "../../app/auth.tsx";
import { formatTime } from "../../app/time.ts";
import { type BoardRow, type KeyDetail, useAct, yuan } from "./common.tsx";

function monday(d = new Date()) {
  const x = new Date(d);
  x.setDate(x.getDate() - ((x.getDay() + 6) % 7));
  return `${x.getFullYear()}-${String(x.getMonth() + 1).padStart(2, "0")}-${String(x.getDate()).padStart(2, "0")}`;
}

export function KeyProjectsTab() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const me = useMe();
  const act = useAct();
  const [open, setOpen] = useState<number | null>(null);
  const [creating, setCreating] = useState(false);
  const [form] = Form.useForm();
  const board = useQuery({
    queryKey: ["affairs", "board"],
    queryFn: () => api<{ items: BoardRow[] }>("/api/affairs/key-projects"),
  });
  return (
    <Card
      size="small"
      title={t("affairs.board")}
      extra={
        <Space>
          <Button href={`/api/affairs/key-projects/export?week=${monday()}`} download>
            {t("affairs.exportWeek")}
          </Button>
          {can("affairs.manage") && (
            <Button type="primary" onClick={() => setCreating(true)}>
              {t("affairs.newKeyProject")}
            </Button>
          )}
        </Space>
      }
    >
      <Table<BoardRow>
        size="small"
        rowKey="id"
        loading={board.isLoading}
        dataSource={board.data?.items ?? []}
        pagination={{ pageSize: 15 }}
        columns={[
          {
            title: t("affairs.d.k58"),
            dataIndex: "name",
            render: (v: string, r) => (
              <Button type="link" size="small" style={{ padding: 0 }} onClick={() => setOpen(r.id)}>
                {v}
              </Button>
            ),
          },
          { title: t("affairs.d.k20"), dataIndex: "unitName" },
          { title: t("affairs.planned"), dataIndex: "planned", render: (p: number) => `${p}%` },
          {
            title: t("affairs.actual"),
            dataIndex: "actual",
            render: (p: number, r) => (
              <Progress
                percent={p}
                size="small"
                status={r.behind ? "exception" : "normal"}
                style={{ width: 110 }}
              />
            ),
          },
          {
            title: t("affairs.state"),
            key: "b",
            render: (_: unknown, r) =>
              r.behind ? (
                <Tag color="red">{t("affairs.behind")}</Tag>
              ) : (
                <Tag color="green">{t("affairs.onTrack")}</Tag>
              ),
          },
          { title: t("affairs.delayDays"), dataIndex: "delayDays" },
          { title: t("affairs.d.k59"), dataIndex: "nextMilestone" },
        ]}
      />
      <Modal
        open={creating}
        title={t("affairs.newKeyProject")}
        width={720}
        onCancel={() => setCreating(false)}
        destroyOnHidden
        onOk={async () => {
          const v = await form.validateFields();
          const day = (d: { format(f: string): string }) => d.format("YYYY-MM-DD");
          const r = await act(() =>
            api("/api/affairs/key-projects", {
              method: "POST",
              body: {
                orgUnitId: me.org.id,
                name: v.name,
                owner: v.owner,
                budget: v.budget ?? 0,
                startsOn: day(v.startsOn),
                endsOn: day(v.endsOn),
                milestones: v.milestones.map(
                  (m: { title: string; weight: number; due: { format(f: string): string } }) => ({
                    title: m.title,
                    weight: m.weight,
                    due: day(m.due),
                  }),
                ),
              },
            }),
          );
          if (r) setCreating(false);
        }}
      >
        <Form form={form} layout="vertical" preserve={false} initialValues={{ milestones: [{}, {}] }}>
          <Form.Item name="name" label={t("affairs.d.k60")} rules={[{ required: true, min: 2 }]}>
            <Input />
          </Form.Item>
          <Space wrap>
            <Form.Item name="owner" label={t("affairs.owner")} rules={[{ required: true, min: 2 }]}>
              <Input />
            </Form.Item>
            <Form.Item name="budget" label={t("affairs.budget")}>
              <InputNumber min={0} style={{ width: 160 }} />
            </Form.Item>
            <Form.Item name="startsOn" label={t("affairs.d.k61")} rules={[{ required: true }]}>
              <DatePicker />
            </Form.Item>
            <Form.Item name="endsOn" label={t("affairs.d.k62")} rules={[{ required: true }]}>
              <DatePicker />
            </Form.Item>
          </Space>
          <Form.List name="milestones">
            {(fields, { add, remove }) => (
              <Flex vertical gap={4}>
                {fields.map((f, i) => (
                  <Space key={f.key} wrap align="start">
                    <Form.Item
                      name={[f.name, "title"]}
                      label={i === 0 ? "序时节点" : undefined}
                      rules={[{ required: true, min: 2 }]}
                    >
                      <Input placeholder={t("affairs.d.k63")} style={{ width: 220 }} />
                    </Form.Item>
                    <Form.Item
                      name={[f.name, "weight"]}
                      label={i === 0 ? "权重（%）" : undefined}
                      rules={[{ required: true }]}
                    >
                      <InputNumber min={1} max={100} />
                    </Form.Item>
                    <Form.Item
                      name={[f.name, "due"]}
                      label={i === 0 ? "节点日期" : undefined}
                      rules={[{ required: true }]}
                    >
                      <DatePicker />
                    </Form.Item>
                    <Button
                      type="link"
                      onClick={() => remove(f.name)}
                      style={{ marginTop: i === 0 ? 30 : 0 }}
                    >
                      {t("affairs.d.k19")}
                    </Button>
                  </Space>
                ))}
                <Button onClick={() => add({})}>添加节点</Button>
              </Flex>
            )}
          </Form.List>
        </Form>
      </Modal>
      <Drawer
        open={open !== null}
        onClose={() => setOpen(null)}
        size={640}
        title={t("affairs.d.k64")}
        destroyOnHidden
      >
        {open !== null && <KeyDrawer id={open} manage={can("affairs.manage")} />}
      </Drawer>
    </Card>
  );
}

function KeyDrawer({ id, manage }: { id: number; manage: boolean }) {
  const { t } = useTranslation();
  const act = useAct();
  const [form] = Form.useForm();
  const [photo, setPhoto] = useState<File | null>(null);
  const d = useQuery({
    queryKey: ["affairs", "key", id],
    queryFn: () => api<KeyDetail>(`/api/affairs/key-projects/${id}`),
  });
  if (!d.data) return null;
  const k = d.data;
  return (
    <Flex vertical gap={12}>
      <div>
        <b>{k.name}</b>（{k.owner}，{yuan(k.budget)}，{k.startsOn} ~ {k.endsOn}）
      </div>
      <Table
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={k.milestones}
        columns={[
          { title: t("affairs.d.k65"), dataIndex: "title" },
          { title: t("affairs.d.k66"), dataIndex: "weight", render: (w: number) => `${w}%` },
          { title: t("affairs.d.k67"), dataIndex: "due" },
          {
            title: t("affairs.d.k68"),
            key: "d",
            render: (_: unknown, m) =>
              m.doneOn ? <Tag color="green">{m.doneOn}</Tag> : m.late ? <Tag color="red">逾期</Tag> : "—",
          },
        ]}
      />
      {manage && (
        <Form
          form={form}
          layout="vertical"
          onFinish={async (v) => {
            const r = await act(async () => {
              const rep = await api<{ id: number }>(`/api/affairs/key-projects/${id}/reports`, {
                method: "POST",
                body: { note: v.note, ...(v.milestoneId ? { milestoneId: v.milestoneId, met: true } : {}) },
              });
              if (photo) await apiUpload(`/api/affairs/key-project-reports/${rep.id}/photos`, photo);
              return rep;
            });
            if (r) {
              form.resetFields();
              setPhoto(null);
            }
          }}
        >
          <Form.Item name="note" label={t("affairs.report")} rules={[{ required: true, min: 2 }]}>
            <Input.TextArea rows={2} />
          </Form.Item>
          <Space>
            <Form.Item name="milestoneId" label={t("affairs.d.k69")}>
              <Select
                allowClear
                style={{ width: 220 }}
                options={k.milestones.filter((m) => !m.doneOn).map((m) => ({ value: m.id, label: m.title }))}
              />
            </Form.Item>
            <input
              type="file"
              accept="image/*"
              aria-label={t("affairs.photo")}
              onChange={(e) => setPhoto(e.target.files?.[0] ?? null)}
            />
            <Button type="primary" htmlType="submit">
              {t("affairs.report")}
            </Button>
          </Space>
        </Form>
      )}
      {k.reports.map((r) => (
        <div key={r.id}>
          {formatTime(r.createdAt)} {r.createdByName}：{r.note}
          {r.photoIds.map((p) => (
            <img key={p} src={`/api/affairs/photos/${p}`} alt="" style={{ height: 48, marginLeft: 8 }} />
          ))}
        </div>
      ))}
    </Flex>
  );
}
