import { useQuery } from "@tanstack/react-query";
import {
  Button,
  Card,
  Checkbox,
  DatePicker,
  Descriptions,
  Drawer,
  Flex,
  Form,
  Input,
  InputNumber,
  Modal,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../app/api.ts";
import { useAuth, useMe } from "../../app/auth.tsx";
import { formatTime } from "../../app/time.ts";
import { type Topic, type TopicDetail, useAct } from "./common.tsx";

const PARTY_KINDS = [
  "resident_rep",
  "property",
  "department",
  "party_member",
  "deputy",
  "community",
] as const;
const CATEGORIES = [
  { value: "parking_illegal", label: "违章停车" },
  { value: "municipal_road", label: "道路破损" },
  { value: "sanitation_garbage", label: "垃圾清运" },
  { value: "municipal_lighting", label: "路灯照明" },
  { value: "property_door", label: "门禁楼道" },
];

export function DeliberationTab() {
  const { t } = useTranslation();
  const me = useMe();
  const { can } = useAuth();
  const manage = can("affairs.manage");
  const act = useAct();
  const [open, setOpen] = useState<number | null>(null);
  const [creating, setCreating] = useState(false);
  const [form] = Form.useForm();
  const list = useQuery({
    queryKey: ["affairs", "topics"],
    queryFn: () => api<{ items: Topic[] }>("/api/affairs/deliberations"),
  });
  return (
    <Card
      size="small"
      title={t("affairs.desk.deliberations")}
      extra={
        <Button type="primary" onClick={() => setCreating(true)}>
          {t("affairs.newTopic")}
        </Button>
      }
    >
      <Table<Topic>
        size="small"
        rowKey="id"
        loading={list.isLoading}
        dataSource={list.data?.items ?? []}
        onRow={(r) => ({ onClick: () => setOpen(r.id), style: { cursor: "pointer" } })}
        columns={[
          {
            title: t("affairs.d.k01"),
            dataIndex: "title",
            render: (v: string, r) => (
              <Button type="link" size="small" style={{ padding: 0 }} onClick={() => setOpen(r.id)}>
                {v}
              </Button>
            ),
          },
          { title: t("affairs.d.k02"), dataIndex: "unitName" },
          { title: t("affairs.d.k03"), dataIndex: "source", render: (s: string) => t(`affairs.source.${s}`) },
          {
            title: t("affairs.state"),
            dataIndex: "state",
            render: (s: string) => <Tag>{t(`affairs.topicState.${s}`)}</Tag>,
          },
          { title: t("affairs.d.k04"), key: "a", render: (_: unknown, r) => `${r.actionsDone}/${r.actions}` },
        ]}
      />
      <Modal
        open={creating}
        title={t("affairs.newTopic")}
        onCancel={() => setCreating(false)}
        destroyOnHidden
        onOk={async () => {
          const v = await form.validateFields();
          const r = await act(() =>
            api("/api/affairs/deliberations", { method: "POST", body: { orgUnitId: me.org.id, ...v } }),
          );
          if (r) setCreating(false);
        }}
      >
        <Form form={form} layout="vertical" preserve={false} initialValues={{ source: "resident" }}>
          <Form.Item name="title" label={t("affairs.d.k01")} rules={[{ required: true, min: 2 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="background" label={t("affairs.background")} rules={[{ required: true, min: 2 }]}>
            <Input.TextArea rows={3} />
          </Form.Item>
          <Form.Item name="source" label={t("affairs.d.k03")}>
            <Select
              options={["resident", "hot_spot", "work_order", "grid_worker"].map((s) => ({
                value: s,
                label: t(`affairs.source.${s}`),
              }))}
            />
          </Form.Item>
        </Form>
      </Modal>
      <Drawer
        open={open !== null}
        onClose={() => setOpen(null)}
        size={720}
        title={t("affairs.d.k05")}
        destroyOnHidden
      >
        {open !== null && <TopicDrawer id={open} manage={manage} />}
      </Drawer>
    </Card>
  );
}

function TopicDrawer({ id, manage }: { id: number; manage: boolean }) {
  const { t } = useTranslation();
  const act = useAct();
  const [meetingForm] = Form.useForm();
  const [decisionForm] = Form.useForm();
  const [meeting, setMeeting] = useState(false);
  const [deciding, setDeciding] = useState(false);
  const d = useQuery({
    queryKey: ["affairs", "topic", id],
    queryFn: () => api<TopicDetail>(`/api/affairs/deliberations/${id}`),
  });
  if (!d.data) return null;
  const x = d.data;
  return (
    <Flex vertical gap={12}>
      <Typography.Title level={4} style={{ margin: 0 }}>
        {x.title}
      </Typography.Title>
      <Descriptions size="small" column={1} bordered>
        <Descriptions.Item label={t("affairs.background")}>{x.background}</Descriptions.Item>
        <Descriptions.Item label={t("affairs.state")}>{t(`affairs.topicState.${x.state}`)}</Descriptions.Item>
        {x.meetingAt && (
          <Descriptions.Item
            label={t("affairs.d.k06")}
          >{`${formatTime(x.meetingAt)} ${x.place ?? ""}`}</Descriptions.Item>
        )}
        {x.parties.length > 0 && (
          <Descriptions.Item label={t("affairs.d.k07")}>
            {x.parties.map((p) => (
              <Tag key={`${p.kind}-${p.name}`} color={p.present ? "blue" : undefined}>
                {t(`affairs.party.${p.kind}`)}·{p.name}
                {p.present ? "" : "（缺席）"}
              </Tag>
            ))}
          </Descriptions.Item>
        )}
        {x.minutes && <Descriptions.Item label={t("affairs.d.k08")}>{x.minutes}</Descriptions.Item>}
        {x.decision && <Descriptions.Item label={t("affairs.decision")}>{x.decision}</Descriptions.Item>}
        {x.voteQuestion && (
          <Descriptions.Item label={t("affairs.d.k09")}>
            {x.voteQuestion}：{x.votes.map((v) => `${v.option} ${v.votes} 户`).join("，")}
          </Descriptions.Item>
        )}
      </Descriptions>
      {x.actions.length > 0 && (
        <Table
          size="small"
          rowKey="id"
          pagination={false}
          dataSource={x.actions}
          columns={[
            { title: t("affairs.actions"), dataIndex: "title" },
            { title: t("affairs.owner"), dataIndex: "owner" },
            { title: t("affairs.d.k10"), dataIndex: "due" },
            {
              title: t("affairs.d.k11"),
              key: "c",
              render: (_: unknown, a) =>
                a.carriedBy === "work_order"
                  ? `工单 ${a.workOrderNumber ?? ""}`
                  : t(`affairs.carriedBy.${a.carriedBy}`),
            },
            {
              title: t("affairs.d.k12"),
              dataIndex: "statusLabel",
              render: (s: string, a) => <Tag color={a.status === "done" ? "green" : "blue"}>{s}</Tag>,
            },
          ]}
        />
      )}
      <Space wrap>
        {manage && x.state !== "decided" && (
          <Button onClick={() => setMeeting(true)}>{t("affairs.meeting")}</Button>
        )}
        {manage && x.state !== "decided" && (
          <Button type="primary" onClick={() => setDeciding(true)}>
            {t("affairs.decision")}
          </Button>
        )}
        <Button href={`/deliberations/${x.id}`} target="_blank">
          {t("affairs.publicPage")}
        </Button>
      </Space>
      <Modal
        open={meeting}
        title={t("affairs.meeting")}
        onCancel={() => setMeeting(false)}
        destroyOnHidden
        onOk={async () => {
          const v = await meetingForm.validateFields();
          const r = await act(() =>
            api(`/api/affairs/deliberations/${id}/meeting`, {
              method: "POST",
              body: {
                meetingAt: v.meetingAt.toISOString(),
                place: v.place,
                agenda: v.agenda,
                minutes: v.minutes,
                parties: (v.parties as string[]).map((k) => ({
                  kind: k,
                  name: t(`affairs.party.${k}`),
                  present: true,
                })),
                ...(v.vote ? { vote: { question: v.vote, options: ["同意", "不同意"] } } : {}),
              },
            }),
          );
          if (r) setMeeting(false);
        }}
      >
        <Form form={meetingForm} layout="vertical" preserve={false}>
          <Form.Item name="meetingAt" label={t("affairs.d.k13")} rules={[{ required: true }]}>
            <DatePicker showTime style={{ width: "100%" }} />
          </Form.Item>
          <Form.Item name="place" label={t("affairs.d.k14")} rules={[{ required: true, min: 2 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="parties" label={t("affairs.d.k15")} rules={[{ required: true }]}>
            <Checkbox.Group
              options={PARTY_KINDS.map((k) => ({ value: k, label: t(`affairs.party.${k}`) }))}
            />
          </Form.Item>
          <Form.Item name="agenda" label={t("affairs.d.k16")} rules={[{ required: true, min: 2 }]}>
            <Input.TextArea rows={2} />
          </Form.Item>
          <Form.Item name="minutes" label={t("affairs.d.k08")} rules={[{ required: true, min: 2 }]}>
            <Input.TextArea rows={3} />
          </Form.Item>
          <Form.Item name="vote" label={t("affairs.d.k17")}>
            <Input />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={deciding}
        title={t("affairs.decision")}
        width={760}
        onCancel={() => setDeciding(false)}
        destroyOnHidden
        onOk={async () => {
          const v = await decisionForm.validateFields();
          const r = await act(() =>
            api(`/api/affairs/deliberations/${id}/decision`, {
              method: "POST",
              body: {
                decision: v.decision,
                actions: v.actions.map((a: any) => ({
                  title: a.title,
                  owner: a.owner,
                  due: a.due.format("YYYY-MM-DD"),
                  carriedBy: a.carriedBy,
                  ...(a.carriedBy === "work_order" ? { categoryCode: a.categoryCode } : {}),
                  ...(a.carriedBy === "project" && a.budget != null ? { budget: a.budget } : {}),
                })),
              },
            }),
          );
          if (r) setDeciding(false);
        }}
      >
        <Form
          form={decisionForm}
          layout="vertical"
          preserve={false}
          initialValues={{ actions: [{ carriedBy: "work_order" }] }}
        >
          <Form.Item name="decision" label={t("affairs.decision")} rules={[{ required: true, min: 2 }]}>
            <Input.TextArea rows={2} />
          </Form.Item>
          <Form.List name="actions">
            {(fields, { add, remove }) => (
              <Flex vertical gap={8}>
                {fields.map((f, i) => (
                  <Card
                    key={f.key}
                    size="small"
                    title={`事项 ${i + 1}`}
                    extra={
                      <Button type="link" size="small" onClick={() => remove(f.name)}>
                        {t("affairs.d.k19")}
                      </Button>
                    }
                  >
                    <Space wrap align="start">
                      <Form.Item
                        name={[f.name, "title"]}
                        label={t("affairs.d.k04")}
                        rules={[{ required: true, min: 2 }]}
                      >
                        <Input style={{ width: 200 }} />
                      </Form.Item>
                      <Form.Item
                        name={[f.name, "owner"]}
                        label={t("affairs.owner")}
                        rules={[{ required: true, min: 2 }]}
                      >
                        <Input style={{ width: 140 }} />
                      </Form.Item>
                      <Form.Item
                        name={[f.name, "due"]}
                        label={t("affairs.d.k10")}
                        rules={[{ required: true }]}
                      >
                        <DatePicker />
                      </Form.Item>
                      <Form.Item
                        name={[f.name, "carriedBy"]}
                        label={t("affairs.d.k18")}
                        rules={[{ required: true }]}
                      >
                        <Select
                          style={{ width: 130 }}
                          options={["work_order", "project", "none"].map((k) => ({
                            value: k,
                            label: t(`affairs.carriedBy.${k}`),
                          }))}
                        />
                      </Form.Item>
                      <Form.Item noStyle shouldUpdate>
                        {({ getFieldValue }) =>
                          getFieldValue(["actions", f.name, "carriedBy"]) === "work_order" ? (
                            <Form.Item
                              name={[f.name, "categoryCode"]}
                              label="诉求分类"
                              rules={[{ required: true }]}
                            >
                              <Select style={{ width: 130 }} options={CATEGORIES} />
                            </Form.Item>
                          ) : getFieldValue(["actions", f.name, "carriedBy"]) === "project" ? (
                            <Form.Item name={[f.name, "budget"]} label={t("affairs.budget")}>
                              <InputNumber min={0} />
                            </Form.Item>
                          ) : null
                        }
                      </Form.Item>
                    </Space>
                  </Card>
                ))}
                <Button onClick={() => add({ carriedBy: "project" })}>添加事项</Button>
              </Flex>
            )}
          </Form.List>
        </Form>
      </Modal>
    </Flex>
  );
}
