import { useQuery } from "@tanstack/react-query";
import {
  Button,
  Card,
  DatePicker,
  Flex,
  Form,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
  Progress,
  Select,
  Space,
  Table,
  Tag,
  Upload,
} from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, apiUpload } from "../../app/api.ts";
import { useAuth, useMe } from "../../app/auth.tsx";
import { formatTime } from "../../app/time.ts";
import { type Project, type Proposal, pct, type Quarter, thisQuarter, useAct, yuan } from "./common.tsx";

interface ProjectForm {
  title: string;
  budget: number;
  owner: string;
  deadline: { format(f: string): string };
}

function ProjectModal({
  open,
  initial,
  onClose,
  onSubmit,
}: {
  open: boolean;
  initial?: Partial<ProjectForm>;
  onClose: () => void;
  onSubmit: (v: { title: string; budget: number; owner: string; deadline: string }) => Promise<unknown>;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<ProjectForm>();
  return (
    <Modal
      open={open}
      title={t("affairs.newProject")}
      onCancel={onClose}
      onOk={async () => {
        const v = await form.validateFields();
        await onSubmit({ ...v, deadline: v.deadline.format("YYYY-MM-DD") });
        form.resetFields();
      }}
      okText={t("affairs.w.save")}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" initialValues={initial} preserve={false}>
        <Form.Item name="title" label={t("affairs.title")} rules={[{ required: true, min: 2 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="budget" label={t("affairs.budget")} rules={[{ required: true }]}>
          <InputNumber min={0} style={{ width: "100%" }} />
        </Form.Item>
        <Form.Item name="owner" label={t("affairs.owner")} rules={[{ required: true, min: 2 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="deadline" label={t("affairs.deadline")} rules={[{ required: true }]}>
          <DatePicker style={{ width: "100%" }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function ProjectsTab() {
  const { t } = useTranslation();
  const me = useMe();
  const { can } = useAuth();
  const manage = can("affairs.manage");
  const act = useAct();
  const [quarter, setQuarter] = useState<string | undefined>(thisQuarter());
  const [adopting, setAdopting] = useState<Proposal | null>(null);
  const [creating, setCreating] = useState(false);
  const [updating, setUpdating] = useState<Project | null>(null);
  const [upd] = Form.useForm<{ note: string; progress: number }>();
  const [photo, setPhoto] = useState<File | null>(null);
  const [proposing, setProposing] = useState(false);
  const [propForm] = Form.useForm<{ title: string; detail: string; source: string }>();
  const unitId = me.org.kind === "street" || me.org.kind === "community" ? me.org.id : undefined;
  const proposals = useQuery({
    queryKey: ["affairs", "proposals"],
    queryFn: () => api<{ items: Proposal[] }>("/api/affairs/proposals"),
  });
  const projects = useQuery({
    queryKey: ["affairs", "projects", quarter],
    queryFn: () =>
      api<{ items: Project[]; quarters: string[] }>(
        `/api/affairs/projects${quarter ? `?quarter=${quarter}` : ""}`,
      ),
  });
  const sat = useQuery({
    queryKey: ["affairs", "satisfaction", quarter],
    queryFn: () =>
      api<{
        items: {
          orgUnitId: number;
          unitName: string;
          projects: number;
          done: number;
          tally: Project["tally"];
        }[];
      }>(`/api/affairs/satisfaction${quarter ? `?quarter=${quarter}` : ""}`),
  });
  const quarters = useQuery({
    queryKey: ["affairs", "quarters"],
    queryFn: () => api<{ items: Quarter[] }>("/api/affairs/quarters"),
  });
  const toBody = (v: { title: string; budget: number; owner: string; deadline: string }) => ({
    orgUnitId: unitId ?? me.org.id,
    quarter: quarter ?? thisQuarter(),
    milestones: [],
    ...v,
  });
  return (
    <Flex vertical gap={16}>
      <Card
        title={t("affairs.proposals")}
        size="small"
        extra={<Button onClick={() => setProposing(true)}>{t("affairs.newProposal")}</Button>}
      >
        <Table<Proposal>
          size="small"
          rowKey="id"
          loading={proposals.isLoading}
          dataSource={proposals.data?.items ?? []}
          pagination={{ pageSize: 5 }}
          columns={[
            { title: t("affairs.title"), dataIndex: "title" },
            { title: t("affairs.w.content"), dataIndex: "detail", ellipsis: true },
            { title: t("affairs.w.unit"), dataIndex: "unitName" },
            {
              title: t("affairs.w.sourceCol"),
              dataIndex: "source",
              render: (s: string) => t(`affairs.source.${s}`),
            },
            {
              title: t("affairs.state"),
              dataIndex: "state",
              render: (s: string) => <Tag>{t(`affairs.proposalState.${s}`)}</Tag>,
            },
            {
              title: "",
              key: "act",
              render: (_: unknown, p) =>
                p.state === "open" ? (
                  <Space>
                    <Button size="small" type="primary" onClick={() => setAdopting(p)}>
                      {t("affairs.adopt")}
                    </Button>
                    <Button
                      size="small"
                      onClick={() =>
                        act(() =>
                          api(`/api/affairs/proposals/${p.id}/decision`, {
                            method: "POST",
                            body: { decision: "decline" },
                          }),
                        )
                      }
                    >
                      {t("affairs.decline")}
                    </Button>
                  </Space>
                ) : null,
            },
          ]}
        />
      </Card>
      <Card
        title={t("affairs.projectList")}
        size="small"
        extra={
          <Space wrap>
            <Select
              style={{ width: 120 }}
              value={quarter}
              allowClear
              placeholder={t("affairs.quarter")}
              onChange={setQuarter}
              options={[...new Set([thisQuarter(), ...(projects.data?.quarters ?? [])])].map((q) => ({
                value: q,
                label: q,
              }))}
            />
            {unitId && (
              <Button href={`/projects/${unitId}`} target="_blank">
                {t("affairs.publicPage")}
              </Button>
            )}
            <Button type="primary" onClick={() => setCreating(true)}>
              {t("affairs.newProject")}
            </Button>
          </Space>
        }
      >
        <Table<Project>
          size="small"
          rowKey="id"
          loading={projects.isLoading}
          dataSource={projects.data?.items ?? []}
          pagination={{ pageSize: 10 }}
          columns={[
            { title: t("affairs.title"), dataIndex: "title" },
            { title: t("affairs.w.unit"), dataIndex: "unitName" },
            { title: t("affairs.budget"), dataIndex: "budget", render: yuan },
            { title: t("affairs.owner"), dataIndex: "owner" },
            { title: t("affairs.deadline"), dataIndex: "deadline" },
            {
              title: t("affairs.state"),
              dataIndex: "state",
              render: (s: string, p) => (
                <Space size={4}>
                  <Tag>{t(`affairs.projectState.${s}`)}</Tag>
                  {p.closed && <Tag color="default">{t("affairs.w.archived")}</Tag>}
                </Space>
              ),
            },
            {
              title: t("affairs.w.progressShort"),
              dataIndex: "progress",
              render: (p: number) => <Progress percent={p} size="small" style={{ width: 100 }} />,
            },
            {
              title: t("affairs.satisfaction"),
              key: "sat",
              render: (_: unknown, p) => `${pct(p.tally.rate)}（${p.tally.rated}）`,
            },
            {
              title: "",
              key: "act",
              render: (_: unknown, p) =>
                p.closed ? null : p.state === "draft" ? (
                  <Button
                    size="small"
                    type="primary"
                    onClick={() =>
                      act(() => api(`/api/affairs/projects/${p.id}/publish`, { method: "POST" }))
                    }
                  >
                    {t("affairs.publish")}
                  </Button>
                ) : p.state === "published" ? (
                  <Button size="small" onClick={() => setUpdating(p)}>
                    {t("affairs.progress")}
                  </Button>
                ) : null,
            },
          ]}
        />
      </Card>
      <Card title={t("affairs.w.archive")} size="small">
        <Table<Quarter>
          size="small"
          rowKey={(q) => `${q.orgUnitId}-${q.quarter}`}
          loading={quarters.isLoading}
          dataSource={quarters.data?.items ?? []}
          pagination={{ pageSize: 8 }}
          columns={[
            { title: t("affairs.quarter"), dataIndex: "quarter" },
            { title: t("affairs.w.unit"), dataIndex: "unitName" },
            { title: t("affairs.w.projects"), dataIndex: "projects" },
            { title: t("affairs.w.done"), dataIndex: "done" },
            { title: t("affairs.w.rated"), key: "n", render: (_: unknown, q) => q.tally.rated },
            { title: t("affairs.w.rateCol"), key: "r", render: (_: unknown, q) => pct(q.tally.rate) },
            {
              title: t("affairs.state"),
              key: "closed",
              render: (_: unknown, q) =>
                q.closedAt ? (
                  <Tag>
                    {t("affairs.w.archived")} {formatTime(q.closedAt)}
                  </Tag>
                ) : (
                  <Tag color="blue">{t("affairs.w.openQuarter")}</Tag>
                ),
            },
            {
              title: "",
              key: "act",
              render: (_: unknown, q) =>
                !q.closedAt && manage && q.quarter <= thisQuarter() ? (
                  <Popconfirm
                    title={t("affairs.w.closeConfirm")}
                    onConfirm={() =>
                      act(() =>
                        api("/api/affairs/quarters/close", {
                          method: "POST",
                          body: { orgUnitId: q.orgUnitId, quarter: q.quarter },
                        }),
                      )
                    }
                  >
                    <Button size="small">{t("affairs.w.archiveQuarter")}</Button>
                  </Popconfirm>
                ) : null,
            },
          ]}
        />
      </Card>
      <Card title={t("affairs.satisfaction")} size="small">
        <Table
          size="small"
          rowKey="orgUnitId"
          dataSource={sat.data?.items ?? []}
          pagination={false}
          columns={[
            { title: t("affairs.w.unit"), dataIndex: "unitName" },
            { title: t("affairs.w.projects"), dataIndex: "projects" },
            { title: t("affairs.w.done"), dataIndex: "done" },
            { title: t("affairs.w.rated"), key: "n", render: (_: unknown, r) => r.tally.rated },
            { title: t("affairs.w.rateCol"), key: "r", render: (_: unknown, r) => pct(r.tally.rate) },
          ]}
        />
      </Card>
      <Modal
        open={proposing}
        title={t("affairs.newProposal")}
        onCancel={() => setProposing(false)}
        destroyOnHidden
        onOk={async () => {
          const v = await propForm.validateFields();
          const r = await act(() =>
            api("/api/affairs/proposals", { method: "POST", body: { orgUnitId: me.org.id, ...v } }),
          );
          if (r) setProposing(false);
        }}
      >
        <Form form={propForm} layout="vertical" preserve={false} initialValues={{ source: "resident" }}>
          <Form.Item name="title" label={t("affairs.title")} rules={[{ required: true, min: 2 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="detail" label={t("affairs.w.content")} rules={[{ required: true, min: 2 }]}>
            <Input.TextArea rows={3} />
          </Form.Item>
          <Form.Item name="source" label={t("affairs.w.sourceCol")}>
            <Select
              options={["resident", "grid_visit"].map((s) => ({ value: s, label: t(`affairs.source.${s}`) }))}
            />
          </Form.Item>
        </Form>
      </Modal>
      <ProjectModal
        open={!!adopting}
        initial={adopting ? { title: adopting.title, owner: "社区居委会" } : undefined}
        onClose={() => setAdopting(null)}
        onSubmit={async (v) => {
          if (!adopting) return;
          const r = await act(() =>
            api(`/api/affairs/proposals/${adopting.id}/decision`, {
              method: "POST",
              body: { decision: "adopt", project: toBody(v) },
            }),
          );
          if (r) setAdopting(null);
        }}
      />
      <ProjectModal
        open={creating}
        onClose={() => setCreating(false)}
        onSubmit={async (v) => {
          const r = await act(() => api("/api/affairs/projects", { method: "POST", body: toBody(v) }));
          if (r) setCreating(false);
        }}
      />
      <Modal
        open={!!updating}
        title={`${t("affairs.progress")}：${updating?.title ?? ""}`}
        onCancel={() => setUpdating(null)}
        destroyOnHidden
        okText={t("affairs.progress")}
        onOk={async () => {
          const v = await upd.validateFields();
          if (!updating) return;
          const r = await act(async () => {
            const u = await api<{ id: number }>(`/api/affairs/projects/${updating.id}/updates`, {
              method: "POST",
              body: v,
            });
            if (photo) await apiUpload(`/api/affairs/project-updates/${u.id}/photos`, photo);
            return u;
          });
          if (r) {
            setUpdating(null);
            setPhoto(null);
          }
        }}
      >
        <Form form={upd} layout="vertical" preserve={false} initialValues={{ progress: updating?.progress }}>
          <Form.Item name="note" label={t("affairs.note")} rules={[{ required: true, min: 2 }]}>
            <Input.TextArea rows={3} />
          </Form.Item>
          <Form.Item name="progress" label={t("affairs.progressPct")} rules={[{ required: true }]}>
            <InputNumber min={updating?.progress ?? 0} max={100} style={{ width: "100%" }} />
          </Form.Item>
          <Form.Item label={t("affairs.photo")}>
            <Upload
              accept="image/*"
              maxCount={1}
              beforeUpload={(f) => {
                setPhoto(f);
                return false;
              }}
              onRemove={() => setPhoto(null)}
            >
              <Button>{t("affairs.w.choosePhoto")}</Button>
            </Upload>
          </Form.Item>
        </Form>
      </Modal>
    </Flex>
  );
}
