import { CopyOutlined, EditOutlined, KeyOutlined, PlusOutlined, StopOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  App,
  Button,
  Card,
  Flex,
  Form,
  Grid,
  Input,
  InputNumber,
  Modal,
  Select,
  Switch,
  Tag,
  Typography,
} from "antd";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import {
  api,
  type Category,
  type Open311Key,
  type Open311KeyCreated,
  type OrgKind,
  type UpstreamLink,
} from "../../app/api.ts";
import { useFormSubmit } from "../../app/forms.ts";
import { ListPageHeader, ResponsiveList } from "../../app/lists.tsx";
import { formatTime } from "../../app/time.ts";
import { OrgTreeSelect } from "../workOrders/OrgTreeSelect.tsx";
import "./admin.css";

const KEYS = ["open311", "keys"];
const UPSTREAM = ["open311", "upstream"];
/** A key may speak for the whole district (addresses must then match a building) or any unit down to a grid. */
const KEY_UNITS: OrgKind[] = ["district", "street", "community", "grid"];

/** Open311 接口密钥: the keys third-party platforms file requests with; created once, revoked for good. */
export default function Open311KeysPage() {
  const { t } = useTranslation();
  const phone = Grid.useBreakpoint().md === false;
  const [adding, setAdding] = useState(false);
  const [created, setCreated] = useState<Open311KeyCreated | null>(null);
  const list = useQuery({
    queryKey: KEYS,
    queryFn: () => api<{ items: Open311Key[] }>("/api/open311/keys"),
  });
  // Newest first: the key just made is where the eye lands.
  const items = [...(list.data?.items ?? [])].reverse();
  const base = `${window.location.origin}/open311/v2/`;

  const stateOf = (k: Open311Key) =>
    k.revokedAt ? (
      <Flex vertical gap={2} align={phone ? "end" : "start"}>
        <span>
          <Tag color="red">{t("admin.open311.revoked")}</Tag>
        </span>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t("admin.open311.revokedAt", { time: formatTime(k.revokedAt) })}
        </Typography.Text>
      </Flex>
    ) : (
      <Tag color="green">{t("admin.open311.valid")}</Tag>
    );

  return (
    <Flex vertical gap={16}>
      <ListPageHeader
        title={t("admin.open311.title")}
        addLabel={t("admin.open311.add")}
        onAdd={() => setAdding(true)}
        phone={phone}
      />
      <Alert
        type="info"
        showIcon
        data-testid="open311-help"
        title={
          <span>
            {t("admin.open311.help")}{" "}
            <Typography.Text code copyable={{ text: base }} className="gk-new-key">
              {base}
            </Typography.Text>
          </span>
        }
        description={
          <Flex vertical gap={4}>
            <span>{t("admin.open311.helpKey")}</span>
            <a href="/api/docs" target="_blank" rel="noreferrer">
              {t("admin.open311.docs")}
            </a>
          </Flex>
        }
      />

      <ResponsiveList<Open311Key>
        query={list}
        items={items}
        phone={phone}
        label={t("admin.open311.title")}
        empty={t("admin.open311.empty")}
        rowKey={(k) => k.id}
        rowClassName={(k) => (k.revokedAt ? "gk-row-retired" : "")}
        card={(k) => (
          <Card size="small" className={k.revokedAt ? "gk-retired-card" : undefined} data-key-id={k.id}>
            <Flex justify="space-between" align="start" gap={8}>
              <Typography.Text strong style={{ fontSize: 17 }}>
                {k.name}
              </Typography.Text>
              {stateOf(k)}
            </Flex>
            <div className="gk-code" style={{ color: "#555" }}>
              {k.keyPrefix}…
            </div>
            <div style={{ color: "#555", margin: "4px 0 8px" }}>
              {k.orgName} · {formatTime(k.createdAt)}
            </div>
            {!k.revokedAt && <RevokeButton k={k} block />}
          </Card>
        )}
        columns={[
          {
            title: t("admin.open311.prefix"),
            dataIndex: "keyPrefix",
            render: (p: string) => <span className="gk-code">{p}…</span>,
          },
          { title: t("admin.open311.name"), dataIndex: "name" },
          { title: t("admin.open311.org"), dataIndex: "orgName" },
          {
            title: t("admin.open311.createdAt"),
            dataIndex: "createdAt",
            render: (d: string) => formatTime(d),
          },
          { title: t("admin.open311.state"), key: "state", render: (_: unknown, k) => stateOf(k) },
          {
            title: t("admin.open311.actions"),
            key: "actions",
            render: (_: unknown, k) => (k.revokedAt ? null : <RevokeButton k={k} />),
          },
        ]}
      />
      <UpstreamCard />
      <KeyForm
        open={adding}
        onClose={() => setAdding(false)}
        onCreated={(k) => {
          setAdding(false);
          setCreated(k);
        }}
      />
      <NewKey created={created} onClose={() => setCreated(null)} />
    </Flex>
  );
}

interface Values {
  name: string;
  orgUnitId: number | null;
}

function KeyForm({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (k: Open311KeyCreated) => void;
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const { busy, error, setError, run } = useFormSubmit(form, ["name", "orgUnitId"]);

  const submit = (v: Values) =>
    run(async () => {
      const k = await api<Open311KeyCreated>("/api/open311/keys", {
        method: "POST",
        body: { name: v.name.trim(), orgUnitId: v.orgUnitId },
      });
      void qc.invalidateQueries({ queryKey: KEYS });
      form.resetFields();
      onCreated(k);
    });

  return (
    <Modal
      open={open}
      title={t("admin.open311.addTitle")}
      okText={t("admin.open311.create")}
      cancelText={t("admin.open311.cancel")}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={() => {
        setError(null);
        onClose();
      }}
      forceRender
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" onFinish={submit} name="open311-key">
        <Form.Item
          label={t("admin.open311.name")}
          name="name"
          extra={t("admin.open311.nameHint")}
          rules={[{ required: true, whitespace: true, message: t("admin.open311.nameRequired") }]}
        >
          <Input maxLength={60} placeholder={t("admin.open311.namePlaceholder")} />
        </Form.Item>
        <Form.Item
          label={t("admin.open311.org")}
          name="orgUnitId"
          rules={[{ required: true, message: t("admin.open311.orgRequired") }]}
        >
          <OrgTreeSelect kinds={KEY_UNITS} placeholder={t("admin.open311.orgPlaceholder")} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** The whole key, shown this once: only its hash is kept on the server. */
function NewKey({ created, onClose }: { created: Open311KeyCreated | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();

  async function copy() {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.key);
    } catch {
      // Plain-http intranet deployments have no async clipboard; the selection still copies.
      (document.getElementById("gk-new-key") as HTMLTextAreaElement | null)?.select();
      if (!document.execCommand("copy")) {
        void message.error(t("admin.open311.copyFailed"));
        return;
      }
    }
    void message.success(t("admin.open311.copied"));
  }

  return (
    <Modal
      open={!!created}
      title={
        <span>
          <KeyOutlined /> {t("admin.open311.createdTitle", { name: created?.name ?? "" })}
        </span>
      }
      closable={false}
      mask={{ closable: false }}
      keyboard={false}
      footer={
        <Button type="primary" onClick={onClose}>
          {t("admin.open311.done")}
        </Button>
      }
      destroyOnHidden
    >
      <Flex vertical gap={12}>
        <Alert
          type="warning"
          showIcon
          title={t("admin.open311.once")}
          description={t("admin.open311.onceDetail")}
        />
        <label htmlFor="gk-new-key">{t("admin.open311.key")}</label>
        <Input.TextArea
          id="gk-new-key"
          className="gk-new-key"
          data-testid="new-key"
          value={created?.key ?? ""}
          readOnly
          autoSize
          onFocus={(e) => e.target.select()}
        />
        <Button icon={<CopyOutlined />} onClick={copy} size="large">
          {t("admin.open311.copy")}
        </Button>
      </Flex>
    </Modal>
  );
}

function RevokeButton({ k, block }: { k: Open311Key; block?: boolean }) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const qc = useQueryClient();
  const revoke = useMutation({
    mutationFn: () => api(`/api/open311/keys/${k.id}`, { method: "DELETE" }),
    onSuccess: () => {
      void message.success(t("admin.open311.revokedDone", { name: k.name }));
      return qc.invalidateQueries({ queryKey: KEYS });
    },
    onError: (e) => void message.error(e.message),
  });
  return (
    <Button
      danger
      size={block ? "middle" : "small"}
      type={block ? "default" : "link"}
      block={block}
      icon={<StopOutlined />}
      loading={revoke.isPending}
      aria-label={`${t("admin.open311.revoke")} ${k.name}`}
      onClick={() =>
        modal.confirm({
          title: t("admin.open311.revokeTitle", { name: k.name }),
          content: t("admin.open311.revokeHint"),
          okText: t("admin.open311.revoke"),
          okButtonProps: { danger: true },
          cancelText: t("admin.open311.cancel"),
          onOk: () => revoke.mutateAsync().catch(() => {}),
        })
      }
    >
      {t("admin.open311.revoke")}
    </Button>
  );
}

/** 上级交办: the upstream 12345 platforms this district syncs with, how far each sync has got, and their settings. */
function UpstreamCard() {
  const { t } = useTranslation();
  const [editing, setEditing] = useState<UpstreamLink | "new" | null>(null);
  const links = useQuery({
    queryKey: UPSTREAM,
    queryFn: () => api<{ items: UpstreamLink[] }>("/api/open311/upstream"),
  });
  const items = links.data?.items ?? [];
  return (
    <Card
      size="small"
      title={t("admin.open311.upstream.title")}
      data-testid="upstream-links"
      extra={
        <Button size="small" icon={<PlusOutlined />} onClick={() => setEditing("new")}>
          {t("admin.open311.upstream.add")}
        </Button>
      }
    >
      {items.length === 0 && !links.isLoading && (
        <Typography.Text type="secondary">{t("admin.open311.upstream.empty")}</Typography.Text>
      )}
      <Flex vertical gap={12}>
        {items.map((l) => (
          <Flex
            key={l.id}
            vertical
            gap={2}
            data-link-id={l.id}
            className={l.enabled ? undefined : "gk-row-retired"}
          >
            <Flex gap={8} wrap align="center" justify="space-between">
              <Flex gap={8} wrap align="center">
                <Typography.Text strong>{l.name}</Typography.Text>
                {!l.enabled && <Tag>{t("admin.open311.upstream.disabled")}</Tag>}
              </Flex>
              <Button
                size="small"
                type="link"
                icon={<EditOutlined />}
                aria-label={`${t("admin.open311.upstream.edit")} ${l.name}`}
                onClick={() => setEditing(l)}
              >
                {t("admin.open311.upstream.edit")}
              </Button>
            </Flex>
            <span className="gk-code" style={{ wordBreak: "break-all" }}>
              {l.baseUrl} · {l.jurisdictionId}
            </span>
            <Typography.Text type="secondary">
              {t("admin.open311.upstream.key")} <span className="gk-code">{l.apiKeyMasked}</span> ·{" "}
              {t("admin.open311.upstream.every", { count: l.pollIntervalMinutes })}
            </Typography.Text>
            <Typography.Text type="secondary">
              {t("admin.open311.upstream.target")}：{l.orgName} · {t("admin.open311.upstream.cursor")}{" "}
              {formatTime(l.pollCursor)} · {t("admin.open311.upstream.lastOk")}{" "}
              {l.lastPollOkAt ? formatTime(l.lastPollOkAt) : t("admin.open311.upstream.never")}
            </Typography.Text>
            <Flex gap={4} wrap>
              <Tag>{t("admin.open311.upstream.orders", { count: l.orders })}</Tag>
              {l.pending > 0 && (
                <Tag color="orange">{t("admin.open311.upstream.pending", { count: l.pending })}</Tag>
              )}
              {l.failed > 0 && (
                <Tag color="red">{t("admin.open311.upstream.failed", { count: l.failed })}</Tag>
              )}
            </Flex>
            {l.lastPollError && (
              <Typography.Text type="danger">
                {t("admin.open311.upstream.error")}：{l.lastPollError}
              </Typography.Text>
            )}
          </Flex>
        ))}
      </Flex>
      <UpstreamForm link={editing} onClose={() => setEditing(null)} />
    </Card>
  );
}

interface LinkValues {
  name: string;
  baseUrl: string;
  apiKey: string;
  jurisdictionId: string;
  orgUnitId: number | null;
  defaultCategory: string | null;
  pollIntervalMinutes: number | null;
  enabled: boolean;
}

const LINK_FIELDS = [
  "name",
  "baseUrl",
  "apiKey",
  "jurisdictionId",
  "orgUnitId",
  "defaultCategory",
  "pollIntervalMinutes",
  "enabled",
];
/** A link delivers into a street, a community or a grid (the server refuses the district itself). */
const LINK_UNITS: OrgKind[] = ["street", "community", "grid"];

/**
 * Adds or edits a link. Only lengths and presence are checked here; what a value must look like (an
 * http(s) address, a known category, 1–1440 minutes) is the server's word, shown under its field. The key
 * is never read back: on edit a blank key keeps the one kept.
 */
function UpstreamForm({ link, onClose }: { link: UpstreamLink | "new" | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<LinkValues>();
  const { busy, error, setError, run } = useFormSubmit(form, LINK_FIELDS);
  const editing = link && link !== "new" ? link : null;
  const categories = useQuery({
    queryKey: ["categories", ""],
    queryFn: () => api<{ items: Category[] }>("/api/categories"),
    enabled: !!link,
  });
  const need = (field: string) => ({
    required: true,
    whitespace: true,
    message: t("admin.open311.upstream.required", { field }),
  });

  useEffect(() => {
    if (!link) return;
    setError(null);
    form.resetFields();
    if (editing)
      form.setFieldsValue({
        name: editing.name,
        baseUrl: editing.baseUrl,
        apiKey: "",
        jurisdictionId: editing.jurisdictionId,
        orgUnitId: editing.orgUnitId,
        defaultCategory: editing.defaultCategory,
        pollIntervalMinutes: editing.pollIntervalMinutes,
        enabled: editing.enabled,
      });
    else form.setFieldsValue({ pollIntervalMinutes: 5, enabled: true });
  }, [link, editing, form, setError]);

  const submit = (v: LinkValues) =>
    run(async () => {
      const body = {
        name: v.name.trim(),
        baseUrl: v.baseUrl.trim(),
        jurisdictionId: v.jurisdictionId.trim(),
        orgUnitId: v.orgUnitId,
        defaultCategory: v.defaultCategory,
        pollIntervalMinutes: v.pollIntervalMinutes,
        enabled: v.enabled,
        ...(v.apiKey?.trim() ? { apiKey: v.apiKey.trim() } : editing ? {} : { apiKey: "" }),
      };
      if (editing) await api(`/api/open311/upstream/${editing.id}`, { method: "PATCH", body });
      else await api("/api/open311/upstream", { method: "POST", body });
      void qc.invalidateQueries({ queryKey: UPSTREAM });
      void message.success(t("admin.open311.upstream.saved"));
      onClose();
    });

  return (
    <Modal
      open={!!link}
      title={
        editing
          ? t("admin.open311.upstream.editTitle", { name: editing.name })
          : t("admin.open311.upstream.addTitle")
      }
      okText={editing ? t("admin.open311.upstream.save") : t("admin.open311.create")}
      cancelText={t("admin.open311.cancel")}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={onClose}
      forceRender
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" onFinish={submit} name="upstream-link">
        <Form.Item
          label={t("admin.open311.upstream.name")}
          name="name"
          rules={[need(t("admin.open311.upstream.name"))]}
        >
          <Input maxLength={60} placeholder={t("admin.open311.upstream.namePlaceholder")} />
        </Form.Item>
        <Form.Item
          label={t("admin.open311.upstream.baseUrl")}
          name="baseUrl"
          extra={t("admin.open311.upstream.baseUrlHint")}
          rules={[need(t("admin.open311.upstream.baseUrl"))]}
        >
          <Input maxLength={300} inputMode="url" placeholder="https://12345.example.gov.cn/open311/v2" />
        </Form.Item>
        <Form.Item
          label={t("admin.open311.upstream.apiKey")}
          name="apiKey"
          extra={t("admin.open311.upstream.apiKeyHint")}
          rules={editing ? [] : [need(t("admin.open311.upstream.apiKey"))]}
        >
          <Input.Password
            maxLength={200}
            autoComplete="new-password"
            placeholder={
              editing ? t("admin.open311.upstream.apiKeyKeep", { masked: editing.apiKeyMasked }) : undefined
            }
          />
        </Form.Item>
        <Form.Item
          label={t("admin.open311.upstream.jurisdiction")}
          name="jurisdictionId"
          extra={t("admin.open311.upstream.jurisdictionHint")}
          rules={[need(t("admin.open311.upstream.jurisdiction"))]}
        >
          <Input maxLength={40} placeholder="320600" />
        </Form.Item>
        <Form.Item
          label={t("admin.open311.upstream.org")}
          name="orgUnitId"
          extra={t("admin.open311.upstream.orgHint")}
          rules={[
            {
              required: true,
              message: t("admin.open311.upstream.required", { field: t("admin.open311.upstream.org") }),
            },
          ]}
        >
          <OrgTreeSelect kinds={LINK_UNITS} valueLabel={editing?.orgName} />
        </Form.Item>
        <Form.Item
          label={t("admin.open311.upstream.category")}
          name="defaultCategory"
          extra={t("admin.open311.upstream.categoryHint")}
          rules={[
            {
              required: true,
              message: t("admin.open311.upstream.required", { field: t("admin.open311.upstream.category") }),
            },
          ]}
        >
          <Select
            showSearch
            optionFilterProp="label"
            loading={categories.isLoading}
            options={(categories.data?.items ?? []).map((c) => ({
              value: c.code,
              label: c.parentName ? `${c.parentName} › ${c.name}` : c.name,
            }))}
          />
        </Form.Item>
        <Flex gap={16} wrap>
          <Form.Item
            label={t("admin.open311.upstream.interval")}
            name="pollIntervalMinutes"
            rules={[
              {
                required: true,
                message: t("admin.open311.upstream.required", {
                  field: t("admin.open311.upstream.interval"),
                }),
              },
            ]}
          >
            <InputNumber precision={0} style={{ width: 140 }} />
          </Form.Item>
          <Form.Item
            label={t("admin.open311.upstream.enabled")}
            name="enabled"
            valuePropName="checked"
            extra={t("admin.open311.upstream.enabledHint")}
            style={{ flex: 1, minWidth: 200 }}
          >
            <Switch />
          </Form.Item>
        </Flex>
      </Form>
    </Modal>
  );
}
