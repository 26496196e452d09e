import { CheckCircleFilled, PhoneOutlined, UserOutlined } from "@ant-design/icons";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Col,
  Flex,
  Form,
  Grid,
  Input,
  Row,
  Select,
  Tag,
  Typography,
} from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import {
  ApiError,
  api,
  type Category,
  type Crumb,
  type OrgNode,
  qs,
  type Resident,
  type ResidentPage,
  type WorkOrder,
} from "../../app/api.ts";
import { EmptyState, ErrorState } from "../../app/states.tsx";
import { OrgTreeSelect } from "./OrgTreeSelect.tsx";

export const CHANNELS = [
  "hotline_12345",
  "care_hotline",
  "walk_in",
  "resident_app",
  "grid_patrol",
  "open311",
] as const;

interface IntakeValues {
  channel: string;
  callerName?: string;
  callerPhone?: string;
  categoryCode?: string;
  description?: string;
  address?: string;
  orgUnitId?: number | null;
}

/** Server field names → the form's fields; "location" (no place given) lands on the unit picker. */
const FIELD_OF: Record<string, keyof IntakeValues> = {
  channel: "channel",
  callerName: "callerName",
  callerPhone: "callerPhone",
  categoryCode: "categoryCode",
  description: "description",
  address: "address",
  orgUnitId: "orgUnitId",
  location: "orgUnitId",
  buildingId: "orgUnitId",
  residentId: "orgUnitId",
};

export default function IntakePage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const screens = Grid.useBreakpoint();
  const [form] = Form.useForm<IntakeValues>();
  const [lookup, setLookup] = useState("");
  const [picked, setPicked] = useState<Resident | null>(null);
  /** The picked resident is the caller (their registered phone becomes the caller's number on the server). */
  const [callerIsResident, setCallerIsResident] = useState(true);
  const [catQ, setCatQ] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  /** The server's "no place given" error, shown on the unit picker until a caller or unit is picked. */
  const [placeError, setPlaceError] = useState<string | null>(null);
  const override = Form.useWatch("orgUnitId", form);
  const categoryCode = Form.useWatch("categoryCode", form);

  const callers = useQuery({
    queryKey: ["residents", { q: lookup }, "intake"],
    queryFn: () => api<ResidentPage>(`/api/residents${qs({ q: lookup, pageSize: 10 })}`),
    enabled: lookup !== "",
  });
  const place = useQuery({
    queryKey: ["org", picked?.orgUnitId],
    queryFn: () => api<{ unit: OrgNode; breadcrumb: Crumb[] }>(`/api/orgs/${picked!.orgUnitId}`),
    enabled: !!picked,
  });
  const categories = useQuery({
    queryKey: ["categories", catQ],
    queryFn: () => api<{ items: Category[] }>(`/api/categories${qs({ q: catQ })}`),
    placeholderData: keepPreviousData,
  });
  const allCategories = useQuery({
    queryKey: ["categories", ""],
    queryFn: () => api<{ items: Category[] }>("/api/categories"),
  });
  const category = allCategories.data?.items.find((c) => c.code === categoryCode);

  function search(v: string) {
    const digits = v.replace(/\D/g, "");
    setLookup(digits);
    if (digits.length === 11 && !form.getFieldValue("callerPhone")) form.setFieldValue("callerPhone", digits);
  }

  function pick(r: Resident) {
    setPicked(r);
    setCallerIsResident(true);
    form.setFieldsValue({ callerName: form.getFieldValue("callerName") || r.name, address: r.address });
    setPlaceError(null);
  }

  async function submit(v: IntakeValues) {
    setBusy(true);
    setError(null);
    // A manual unit routes the order there; otherwise the resident's building decides the grid.
    const where = v.orgUnitId
      ? { orgUnitId: v.orgUnitId }
      : picked
        ? { residentId: picked.id, buildingId: picked.buildingId ?? undefined }
        : {};
    const resident = picked ? { residentId: picked.id, callerIsResident } : {};
    const body = {
      channel: v.channel,
      categoryCode: v.categoryCode ?? "",
      description: v.description?.trim() ?? "",
      callerName: v.callerName?.trim() || undefined,
      callerPhone: v.callerPhone?.replace(/\s/g, "") || undefined,
      address: v.address?.trim() || undefined,
      ...where,
      ...resident,
    };
    try {
      const o = await api<WorkOrder>("/api/orders", { method: "POST", body });
      await qc.invalidateQueries({ queryKey: ["orders"] });
      message.success(t("intake.created", { number: o.number, org: o.orgName }));
      navigate(`/orders/${o.id}`);
    } catch (e) {
      if (e instanceof ApiError && e.fields.length) {
        const place = e.fields.find((f) => FIELD_OF[f.field] === "orgUnitId");
        setPlaceError(place?.message ?? null);
        form.setFields(
          e.fields
            .filter((f) => f !== place)
            .map((f) => ({ name: FIELD_OF[f.field] ?? "description", errors: [f.message] })),
        );
      }
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const callerCard = (
    <Card title={t("intake.callerTitle")} size={screens.md ? undefined : "small"}>
      <Flex vertical gap={12}>
        <label htmlFor="gk-caller-lookup">{t("intake.lookup")}</label>
        <Input.Search
          id="gk-caller-lookup"
          placeholder={t("intake.lookupPlaceholder")}
          enterButton={t("intake.lookupButton")}
          allowClear
          autoFocus
          inputMode="numeric"
          prefix={<PhoneOutlined />}
          onSearch={search}
        />
        {picked ? (
          <Alert
            type="success"
            showIcon
            icon={<CheckCircleFilled />}
            data-testid="picked-resident"
            title={
              <span>
                {t("intake.picked")}：<strong>{picked.name}</strong> {picked.phoneMasked ?? ""}
              </span>
            }
            description={
              <>
                <div>{picked.address}</div>
                <Checkbox
                  checked={callerIsResident}
                  onChange={(e) => setCallerIsResident(e.target.checked)}
                  disabled={!picked.phoneMasked}
                >
                  {picked.phoneMasked ? t("intake.callerIsResident") : t("intake.callerHasNoPhone")}
                </Checkbox>
                {place.data && (
                  <Typography.Text type="secondary">
                    {t("intake.routesTo", {
                      path: place.data.breadcrumb
                        .filter((c) => c.kind !== "district" && c.kind !== "micro_grid")
                        .map((c) => c.name)
                        .join(" / "),
                    })}
                  </Typography.Text>
                )}
              </>
            }
            action={
              <Button size="small" onClick={() => setPicked(null)}>
                {t("intake.unpick")}
              </Button>
            }
          />
        ) : lookup === "" ? (
          <Typography.Text type="secondary">{t("intake.lookupHint")}</Typography.Text>
        ) : callers.isPending ? (
          <Typography.Text type="secondary">{t("state.loading")}</Typography.Text>
        ) : callers.error ? (
          <ErrorState error={callers.error} onRetry={() => callers.refetch()} />
        ) : callers.data.items.length === 0 ? (
          <EmptyState description={t("intake.noCaller")} />
        ) : (
          <ul className="gk-card-list" aria-label={t("intake.callers")}>
            {callers.data.items.map((r) => (
              <li key={r.id}>
                <Card size="small" className="gk-resident-card" hoverable onClick={() => pick(r)}>
                  <Flex justify="space-between" align="center" gap={8}>
                    <div>
                      <Typography.Text strong>
                        <UserOutlined /> {r.name}
                      </Typography.Text>{" "}
                      <Typography.Text type="secondary">
                        {t(`gender.${r.gender}`)} · {t("resident.ageValue", { age: r.age })} ·{" "}
                        {r.phoneMasked ?? "—"}
                      </Typography.Text>
                      <div className="gk-address" style={{ color: "#555" }}>
                        {r.address}
                      </div>
                    </div>
                    <Button type="primary" ghost aria-label={`${t("intake.pick")} ${r.name}`}>
                      {t("intake.pick")}
                    </Button>
                  </Flex>
                </Card>
              </li>
            ))}
          </ul>
        )}
      </Flex>
    </Card>
  );

  const orderCard = (
    <Card title={t("intake.orderTitle")} size={screens.md ? undefined : "small"}>
      {error && !(error instanceof ApiError && error.fields.length) ? (
        <Alert
          type="error"
          showIcon
          role="alert"
          title={error instanceof Error ? error.message : String(error)}
          style={{ marginBottom: 16 }}
        />
      ) : null}
      <Form<IntakeValues>
        form={form}
        layout="vertical"
        initialValues={{ channel: "hotline_12345" }}
        onFinish={submit}
        scrollToFirstError
      >
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item name="channel" label={t("intake.channel")}>
              <Select options={CHANNELS.map((c) => ({ value: c, label: t(`channel.${c}`) }))} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item
              name="categoryCode"
              label={t("intake.category")}
              rules={[{ required: true, message: t("intake.categoryRequired") }]}
              extra={
                category ? (
                  <span data-testid="category-info">
                    {t("intake.categoryInfo", {
                      policy: t(`policy.${category.slaPolicy}`, { defaultValue: category.slaPolicy }),
                      department: category.department ?? "—",
                    })}
                  </span>
                ) : (
                  t("intake.categoryHint")
                )
              }
            >
              <Select
                showSearch={{
                  filterOption: false,
                  onSearch: (v) => setCatQ(v.trim().toLowerCase()),
                }}
                onChange={() => setCatQ("")}
                placeholder={t("intake.categoryPlaceholder")}
                loading={categories.isFetching}
                notFoundContent={t("intake.noCategory")}
                options={(categories.data?.items ?? []).map((c) => ({
                  value: c.code,
                  label: c.name,
                  initials: c.initials,
                }))}
                optionRender={(o) => (
                  <Flex justify="space-between">
                    <span>{o.label}</span>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {o.data.initials}
                    </Typography.Text>
                  </Flex>
                )}
              />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="callerName" label={t("intake.callerName")}>
              <Input maxLength={30} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="callerPhone" label={t("intake.callerPhone")} extra={t("intake.callerPhoneHint")}>
              <Input maxLength={20} inputMode="tel" />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item
              name="description"
              label={t("intake.description")}
              rules={[{ required: true, whitespace: true, message: t("intake.descriptionRequired") }]}
            >
              <Input.TextArea rows={4} maxLength={2000} showCount placeholder={t("intake.descriptionHint")} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="address" label={t("intake.address")}>
              <Input maxLength={200} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item
              name="orgUnitId"
              label={t("intake.org")}
              validateStatus={placeError ? "error" : undefined}
              help={placeError ?? undefined}
              extra={
                override && picked
                  ? t("intake.orgOverrides")
                  : picked
                    ? t("intake.orgFromResident")
                    : t("intake.orgHint")
              }
            >
              <OrgTreeSelect id="gk-intake-org" onChange={() => setPlaceError(null)} />
            </Form.Item>
          </Col>
        </Row>
        <Button type="primary" htmlType="submit" size="large" loading={busy} block={!screens.md}>
          {t("intake.submit")}
        </Button>
      </Form>
    </Card>
  );

  return (
    <Flex vertical gap={16}>
      <Flex align="center" gap={12} wrap>
        <Typography.Title level={screens.md ? 2 : 3} style={{ margin: 0 }}>
          {t("intake.title")}
        </Typography.Title>
        <Tag color="blue">{t("intake.subtitle")}</Tag>
      </Flex>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={9}>
          {callerCard}
        </Col>
        <Col xs={24} xl={15}>
          {orderCard}
        </Col>
      </Row>
    </Flex>
  );
}
