import { useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  App,
  Button,
  Card,
  Flex,
  Form,
  Input,
  Rate,
  Segmented,
  Select,
  Space,
  Tag,
  Typography,
} from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../app/api.ts";
import { useMe } from "../../app/auth.tsx";
import { useFormSubmit } from "../../app/forms.ts";
import { ErrorState, PageLoading } from "../../app/states.tsx";
import { formatTime } from "../../app/time.ts";
import { ResidentPicker } from "../mutualAid/common.tsx";
import { useActThen } from "./act.ts";
import { SPECIALTIES, type VolRequest, type VolWish } from "./common.ts";

// 网格心愿与点单, the grid worker's phone page: a resident's micro-wish 微心愿 recorded at the door (the community
// reviews it onto the wall), followed to its photo and confirmed; a resident's 点单 entered and accepted by the
// grid (居民点单 → 网格接单), then dispatched by the community's desk, and rated when the expert is done.

export default function GridPage() {
  const { t } = useTranslation();
  const [tab, setTab] = useState<"wishes" | "requests">("wishes");
  return (
    <Flex vertical gap={12} style={{ maxWidth: 640 }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t("volunteers.grid.title")}
      </Typography.Title>
      <Segmented
        block
        size="large"
        value={tab}
        onChange={(v) => setTab(v as typeof tab)}
        options={[
          { value: "wishes", label: t("volunteers.grid.tabWishes") },
          { value: "requests", label: t("volunteers.grid.tabRequests") },
        ]}
      />
      {tab === "wishes" ? <Wishes /> : <Requests />}
    </Flex>
  );
}

const useGridAct = () => useActThen("volg");

const STATE_COLOR: Record<string, string> = {
  pending: "gold",
  published: "blue",
  rejected: "red",
  claimed: "cyan",
  fulfilled: "orange",
  confirmed: "green",
  requested: "gold",
  accepted: "blue",
  dispatched: "cyan",
  taken: "cyan",
  done: "orange",
  rated: "green",
};

const WISH_FIELDS = ["residentId", "title", "detail"];

function Wishes() {
  const { t } = useTranslation();
  const me = useMe();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const act = useGridAct();
  const [form] = Form.useForm();
  const { busy, error, run } = useFormSubmit(form, WISH_FIELDS);
  const q = useQuery({
    queryKey: ["volg", "wishes"],
    queryFn: () => api<{ items: VolWish[] }>("/api/volunteers/wishes"),
  });
  return (
    <Flex vertical gap={12}>
      <Card size="small" title={t("volunteers.grid.postWish")}>
        <Form
          form={form}
          layout="vertical"
          onFinish={(v) =>
            run(async () => {
              await api("/api/volunteers/wishes", {
                method: "POST",
                body: {
                  orgUnitId: me.org.id,
                  ...(v.residentId ? { residentId: v.residentId } : {}),
                  title: String(v.title).trim(),
                  detail: String(v.detail).trim(),
                },
              });
              message.success(t("volunteers.grid.posted"));
              form.resetFields();
              await qc.invalidateQueries({ queryKey: ["volg"] });
            })
          }
        >
          <Form.Item name="residentId" label={t("volunteers.grid.resident")}>
            <ResidentPicker
              ariaLabel={t("volunteers.grid.resident")}
              placeholder={t("volunteers.grid.residentPlaceholder")}
            />
          </Form.Item>
          <Form.Item name="title" label={t("volunteers.desk.wishTitle")} rules={[{ required: true }]}>
            <Input size="large" maxLength={40} />
          </Form.Item>
          <Form.Item name="detail" label={t("volunteers.desk.wishDetail")} rules={[{ required: true }]}>
            <Input.TextArea rows={3} maxLength={1000} />
          </Form.Item>
          {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
          <Button type="primary" size="large" block htmlType="submit" loading={busy}>
            {t("volunteers.grid.submitWish")}
          </Button>
        </Form>
      </Card>
      <Typography.Title level={5} style={{ margin: 0 }}>
        {t("volunteers.grid.wishes")}
      </Typography.Title>
      {q.isLoading ? (
        <PageLoading />
      ) : q.error ? (
        <ErrorState error={q.error} />
      ) : q.data!.items.length === 0 ? (
        <Typography.Text type="secondary">{t("volunteers.grid.none")}</Typography.Text>
      ) : (
        q.data!.items.map((w) => (
          <Card
            key={w.id}
            size="small"
            data-testid="grid-wish"
            title={<Typography.Text style={{ whiteSpace: "normal" }}>{w.title}</Typography.Text>}
            extra={<Tag color={STATE_COLOR[w.state]}>{t(`volunteers.wishState.${w.state}`)}</Tag>}
          >
            <Flex vertical gap={6}>
              <Typography.Text>{w.text}</Typography.Text>
              <Typography.Text type="secondary">
                {w.place} · {t("volunteers.wish.age", { n: w.ageDays })}
              </Typography.Text>
              {w.memberName && <span>{t("volunteers.grid.by", { name: w.memberName })}</span>}
              {w.rejectReason && (
                <Typography.Text type="danger">
                  {t("volunteers.grid.rejected", { reason: w.rejectReason })}
                </Typography.Text>
              )}
              {w.fulfilNote && <span>{t("volunteers.grid.fulfilNote", { note: w.fulfilNote })}</span>}
              {w.hasPhoto && (
                <img
                  src={`/api/volunteers/wishes/${w.id}/photo`}
                  alt={`${t("volunteers.wish.photo")} · ${w.title}`}
                  data-testid="grid-wish-photo"
                  style={{ maxWidth: "100%", maxHeight: 240, objectFit: "contain", borderRadius: 6 }}
                />
              )}
              {w.state === "fulfilled" && (
                <Button
                  type="primary"
                  size="large"
                  block
                  onClick={() =>
                    act(
                      () => api(`/api/volunteers/wishes/${w.id}/confirm`, { method: "POST" }),
                      t("volunteers.grid.wishConfirmed"),
                    )
                  }
                >
                  {t("volunteers.desk.confirmWish")}
                </Button>
              )}
            </Flex>
          </Card>
        ))
      )}
    </Flex>
  );
}

const REQUEST_FIELDS = ["specialty", "description"];

function Requests() {
  const { t } = useTranslation();
  const me = useMe();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const act = useGridAct();
  const [form] = Form.useForm();
  const { busy, error, run } = useFormSubmit(form, REQUEST_FIELDS);
  const [ratings, setRatings] = useState<Record<number, number>>({});
  const q = useQuery({
    queryKey: ["volg", "requests"],
    queryFn: () => api<{ items: VolRequest[] }>("/api/volunteers/requests"),
  });
  return (
    <Flex vertical gap={12}>
      <Card size="small" title={t("volunteers.grid.newRequest")}>
        <Form
          form={form}
          layout="vertical"
          onFinish={(v) =>
            run(async () => {
              await api("/api/volunteers/requests", {
                method: "POST",
                body: {
                  orgUnitId: me.org.id,
                  specialty: v.specialty,
                  description: String(v.description).trim(),
                },
              });
              message.success(t("volunteers.grid.requested"));
              form.resetFields();
              await qc.invalidateQueries({ queryKey: ["volg"] });
            })
          }
        >
          <Form.Item name="specialty" label={t("volunteers.desk.specialty")} rules={[{ required: true }]}>
            <Select
              size="large"
              aria-label={t("volunteers.desk.specialty")}
              options={SPECIALTIES.map((s) => ({ value: s, label: t(`volunteers.specialty.${s}`) }))}
            />
          </Form.Item>
          <Form.Item name="description" label={t("volunteers.desk.description")} rules={[{ required: true }]}>
            <Input.TextArea rows={3} maxLength={1000} />
          </Form.Item>
          {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
          <Button type="primary" size="large" block htmlType="submit" loading={busy}>
            {t("volunteers.grid.submitRequest")}
          </Button>
        </Form>
      </Card>
      <Typography.Title level={5} style={{ margin: 0 }}>
        {t("volunteers.grid.requests")}
      </Typography.Title>
      {q.isLoading ? (
        <PageLoading />
      ) : q.error ? (
        <ErrorState error={q.error} />
      ) : q.data!.items.length === 0 ? (
        <Typography.Text type="secondary">{t("volunteers.grid.none")}</Typography.Text>
      ) : (
        q.data!.items.map((r) => (
          <Card
            key={r.id}
            size="small"
            data-testid="grid-request"
            title={`${t(`volunteers.specialty.${r.specialty}`)} · ${r.unitName}`}
            extra={<Tag color={STATE_COLOR[r.state]}>{t(`volunteers.requestState.${r.state}`)}</Tag>}
          >
            <Flex vertical gap={6}>
              <Typography.Text>{r.description}</Typography.Text>
              <Typography.Text type="secondary">{formatTime(String(r.createdAt))}</Typography.Text>
              {r.memberName && <span>{t("volunteers.grid.expert", { name: r.memberName })}</span>}
              {r.rating !== null && <Rate disabled value={r.rating} />}
              {r.state === "requested" && (
                <Button
                  type="primary"
                  size="large"
                  block
                  onClick={() =>
                    act(
                      () => api(`/api/volunteers/requests/${r.id}/accept`, { method: "POST", body: {} }),
                      t("volunteers.grid.accepted"),
                    )
                  }
                >
                  {t("volunteers.desk.acceptRequest")}
                </Button>
              )}
              {r.state === "done" && (
                <Space wrap>
                  <Rate
                    value={ratings[r.id] ?? 5}
                    onChange={(v) => setRatings((x) => ({ ...x, [r.id]: v }))}
                  />
                  <Button
                    type="primary"
                    onClick={() =>
                      act(
                        () =>
                          api(`/api/volunteers/requests/${r.id}/rate`, {
                            method: "POST",
                            body: { rating: ratings[r.id] ?? 5 },
                          }),
                        t("volunteers.grid.rated"),
                      )
                    }
                  >
                    {t("volunteers.desk.rate")}
                  </Button>
                </Space>
              )}
            </Flex>
          </Card>
        ))
      )}
    </Flex>
  );
}
