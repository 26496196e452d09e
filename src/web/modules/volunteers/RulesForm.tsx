import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Flex, Form, InputNumber, Typography } from "antd";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../app/api.ts";
import { useMe } from "../../app/auth.tsx";
import { useFormSubmit } from "../../app/forms.ts";
import { formatTime } from "../../app/time.ts";
import type { VolRules } from "./common.ts";
import { GOVERNS, useCommunity } from "./Teams.tsx";

// A community's points rules 积分规则 on the desk: read GET, saved with PUT; the server's bounds are the only
// bounds (no max on the inputs), so what it refuses comes back as its Chinese message under the field.

const FIELDS = ["pointsPerHour", "pointsPerWish", "pointsPerRequest", "quarterlyMinHours"] as const;

export function RulesTab() {
  const { communityId, picker } = useCommunity();
  return (
    <Flex vertical gap={12}>
      {picker}
      {communityId !== null && <RulesForm key={communityId} communityId={communityId} />}
    </Flex>
  );
}

function RulesForm({ communityId }: { communityId: number }) {
  const { t } = useTranslation();
  const me = useMe();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm();
  const { busy, error, run } = useFormSubmit(form, [...FIELDS]);
  const url = `/api/volunteers/communities/${communityId}/rules`;
  const q = useQuery({ queryKey: ["vold", "rules", communityId], queryFn: () => api<VolRules>(url) });
  useEffect(() => {
    const d = q.data;
    if (d) form.setFieldsValue(Object.fromEntries(FIELDS.map((f) => [f, d[f]])));
  }, [q.data, form]);
  const edit = GOVERNS.includes(me.role);
  const d = q.data;
  return (
    <Card
      size="small"
      loading={q.isLoading}
      title={d ? t("volunteers.rules.title", { community: d.communityName }) : t("volunteers.rules.tab")}
      style={{ maxWidth: 560 }}
    >
      {q.error && <Alert type="error" showIcon title={q.error.message} />}
      {d && (
        <Form
          form={form}
          layout="vertical"
          disabled={!edit}
          onFinish={(v) =>
            run(async () => {
              const saved = await api<VolRules>(url, {
                method: "PUT",
                body: Object.fromEntries(FIELDS.map((f) => [f, v[f]])),
              });
              qc.setQueryData(["vold", "rules", communityId], saved);
              message.success(t("volunteers.rules.saved"));
            })
          }
        >
          <Typography.Paragraph type="secondary">{t("volunteers.rules.hint")}</Typography.Paragraph>
          {FIELDS.map((f) => (
            <Form.Item key={f} name={f} label={t(`volunteers.rules.${f}`)} rules={[{ required: true }]}>
              <InputNumber precision={0} style={{ width: 160 }} aria-label={t(`volunteers.rules.${f}`)} />
            </Form.Item>
          ))}
          {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
          <Flex gap={12} align="center" wrap>
            <Button type="primary" htmlType="submit" loading={busy}>
              {t("volunteers.rules.save")}
            </Button>
            <Typography.Text type="secondary" data-testid="rules-updated">
              {d.updatedAt
                ? t("volunteers.rules.updatedAt", { at: formatTime(String(d.updatedAt)) })
                : t("volunteers.rules.defaults")}
            </Typography.Text>
          </Flex>
        </Form>
      )}
    </Card>
  );
}
