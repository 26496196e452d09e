import { ApartmentOutlined, SearchOutlined, SmileOutlined } from "@ant-design/icons";
import {
  Alert,
  Button,
  Card,
  Descriptions,
  Flex,
  Form,
  Input,
  Radio,
  Result,
  Tag,
  Timeline,
  Typography,
} from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { ApiError, api, type PublicOrderStatus } from "../../app/api.ts";
import { LangSwitch } from "../../app/Shell.tsx";
import { formatTime, StateTag } from "../workOrders/sla.tsx";
import "../workOrders/workOrders.css";

// The resident's page: no account, just the order number and the last four digits of the phone the
// request came from. Shows where the order is and, once it waits for the callback, takes the rating.

interface LookupValues {
  number: string;
  phone4: string;
}

interface RatingValues {
  solved: boolean;
  satisfaction: "satisfied" | "basically_satisfied" | "unsatisfied";
  comment?: string;
}

export default function StatusPage() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const [form] = Form.useForm<LookupValues>();
  const [who, setWho] = useState<LookupValues | null>(null);
  const [status, setStatus] = useState<PublicOrderStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [rated, setRated] = useState<{ state: string; stateLabel: string } | null>(null);

  async function lookup(v: LookupValues) {
    setBusy(true);
    setError(null);
    try {
      const s = await api<PublicOrderStatus>(
        `/api/public/orders/${encodeURIComponent(v.number.trim())}?phone4=${encodeURIComponent(v.phone4.trim())}`,
      );
      setWho({ number: v.number.trim(), phone4: v.phone4.trim() });
      setStatus(s);
    } catch (e) {
      setStatus(null);
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="gk-public">
      <div className="gk-public-inner">
        <Flex align="center" justify="space-between">
          <span className="gk-logo gk-logo-inline">
            <ApartmentOutlined /> {t("app.name")}
          </span>
          <LangSwitch size="small" />
        </Flex>
        <Card>
          <Typography.Title level={1} style={{ fontSize: 22, marginTop: 0 }}>
            {t("public.title")}
          </Typography.Title>
          <Typography.Paragraph type="secondary">{t("public.intro")}</Typography.Paragraph>
          <Form<LookupValues>
            form={form}
            layout="vertical"
            onFinish={(v) => {
              setRated(null);
              void lookup(v);
            }}
            initialValues={{ number: params.get("number") ?? "" }}
            requiredMark={false}
          >
            <Form.Item
              name="number"
              label={t("public.number")}
              rules={[{ required: true, pattern: /^\s*\d{8,20}\s*$/, message: t("public.numberInvalid") }]}
            >
              <Input
                size="large"
                inputMode="numeric"
                autoComplete="off"
                placeholder={t("public.numberPlaceholder")}
              />
            </Form.Item>
            <Form.Item
              name="phone4"
              label={t("public.phone4")}
              rules={[{ required: true, pattern: /^\s*\d{4}\s*$/, message: t("public.phone4Invalid") }]}
            >
              <Input size="large" inputMode="numeric" maxLength={4} autoComplete="off" placeholder="1234" />
            </Form.Item>
            {error && <Alert type="error" showIcon role="alert" title={error} style={{ marginBottom: 16 }} />}
            <Button
              type="primary"
              htmlType="submit"
              size="large"
              block
              loading={busy}
              icon={<SearchOutlined />}
            >
              {t("public.lookup")}
            </Button>
          </Form>
        </Card>

        {status && who && (
          <>
            <Card title={t("public.progress")} data-testid="public-status">
              <Descriptions
                column={1}
                size="small"
                items={[
                  { key: "number", label: t("public.number"), children: status.number },
                  { key: "category", label: t("order.category"), children: status.category },
                  {
                    key: "state",
                    label: t("order.state"),
                    children: <StateTag state={status.state} label={status.stateLabel} />,
                  },
                  { key: "org", label: t("public.handledBy"), children: status.orgName },
                  { key: "created", label: t("public.createdAt"), children: formatTime(status.createdAt) },
                  ...(status.rated && status.satisfaction
                    ? [
                        {
                          key: "rating",
                          label: t("public.yourRating"),
                          children: <Tag color="blue">{t(`satisfaction.${status.satisfaction}`)}</Tag>,
                        },
                      ]
                    : []),
                ]}
              />
              <Timeline
                style={{ marginTop: 16 }}
                data-testid="public-timeline"
                items={status.timeline.map((e, i) => ({
                  key: i,
                  color: i === status.timeline.length - 1 ? "blue" : "gray",
                  title: formatTime(e.at),
                  content: t(`orderState.${e.state}`, { defaultValue: e.label }),
                }))}
              />
            </Card>
            {rated ? (
              <Card>
                <Result
                  status="success"
                  icon={<SmileOutlined />}
                  title={<h2 style={{ font: "inherit", margin: 0 }}>{t("public.thanks")}</h2>}
                  subTitle={rated.state === "reopened" ? t("public.reopened") : t("public.closed")}
                />
              </Card>
            ) : status.canRate ? (
              <RatingCard
                who={who}
                onRated={async (r) => {
                  setRated(r);
                  await lookup(who);
                }}
              />
            ) : status.rated ? (
              <Alert type="info" showIcon title={t("public.alreadyRated")} />
            ) : (
              <Alert type="info" showIcon title={t("public.notYet")} />
            )}
          </>
        )}
      </div>
    </div>
  );
}

function RatingCard({
  who,
  onRated,
}: {
  who: LookupValues;
  onRated: (r: { state: string; stateLabel: string }) => void | Promise<void>;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<RatingValues>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(v: RatingValues) {
    setBusy(true);
    setError(null);
    try {
      const r = await api<{ state: string; stateLabel: string }>(
        `/api/public/orders/${encodeURIComponent(who.number)}/rating`,
        {
          method: "POST",
          body: {
            phone4: who.phone4,
            solved: v.solved,
            satisfaction: v.satisfaction,
            comment: v.comment?.trim() || undefined,
          },
        },
      );
      await onRated(r);
    } catch (e) {
      setError(e instanceof ApiError || e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title={<h2 style={{ font: "inherit", margin: 0 }}>{t("public.rateTitle")}</h2>}>
      <Form<RatingValues> form={form} layout="vertical" onFinish={submit} requiredMark={false}>
        <Form.Item
          name="solved"
          label={t("callback.solved")}
          rules={[{ required: true, message: t("public.solvedRequired") }]}
        >
          <Radio.Group
            optionType="button"
            buttonStyle="solid"
            size="large"
            block
            options={[
              { value: true, label: t("callback.yes") },
              { value: false, label: t("callback.no") },
            ]}
          />
        </Form.Item>
        <Form.Item
          name="satisfaction"
          label={t("callback.satisfaction")}
          rules={[{ required: true, message: t("public.satisfactionRequired") }]}
        >
          <Radio.Group
            optionType="button"
            buttonStyle="solid"
            size="large"
            block
            options={["satisfied", "basically_satisfied", "unsatisfied"].map((s) => ({
              value: s,
              label: t(`satisfaction.${s}`),
            }))}
          />
        </Form.Item>
        <Form.Item name="comment" label={t("public.comment")}>
          <Input.TextArea rows={3} maxLength={500} showCount placeholder={t("public.commentPlaceholder")} />
        </Form.Item>
        {error && <Alert type="error" showIcon role="alert" title={error} style={{ marginBottom: 16 }} />}
        <Button type="primary" htmlType="submit" size="large" block loading={busy}>
          {t("public.submitRating")}
        </Button>
      </Form>
    </Card>
  );
}
