import { CheckCircleFilled, SearchOutlined, UserOutlined } from "@ant-design/icons";
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
import { useCallback, useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { searchCategories } from "../../../domain/search/categories.ts";
import {
  type Answer,
  ApiError,
  api,
  type Category,
  type Crumb,
  type OrderPage,
  type OrgNode,
  qs,
  type WorkOrder,
} from "../../app/api.ts";
import { useMe } from "../../app/auth.tsx";
import {
  type CheckIn,
  type Evidence,
  EvidenceFields,
  NO_EVIDENCE,
  uploadPhotos,
} from "../../app/evidence.tsx";
import { useDraft } from "../../app/forms.ts";
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

type CallerLookup = Answer<"/api/intake/callers">;
type Caller = CallerLookup["items"][number];
type Building = Answer<"/api/intake/buildings">["items"][number];

interface IntakeDraft {
  values: IntakeValues;
  picked: Caller | null;
  building: { id: number; label: string } | null;
  callerIsResident: boolean;
  /** A patrol report's check-in (its photos are files and cannot be kept). */
  checkIn?: CheckIn | null;
}

/** Photos a patrol report may carry, as a visit. */
const MAX_REPORT_PHOTOS = 9;

interface IntakeValues {
  channel: string;
  callerName?: string;
  callerPhone?: string;
  categoryCode?: string;
  description?: string;
  buildingId?: number | null;
  orgUnitId?: number | null;
}

/** The value after the user stopped typing for `ms`: one request per pause, not per key. */
function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setV(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return v;
}

/** Server field names → the form's fields; "location" (no place given) lands on the unit picker. */
const FIELD_OF: Record<string, keyof IntakeValues> = {
  channel: "channel",
  callerName: "callerName",
  callerPhone: "callerPhone",
  categoryCode: "categoryCode",
  description: "description",
  address: "buildingId",
  orgUnitId: "orgUnitId",
  location: "orgUnitId",
  buildingId: "buildingId",
  residentId: "orgUnitId",
};

export default function IntakePage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const screens = Grid.useBreakpoint();
  const [form] = Form.useForm<IntakeValues>();
  const me = useMe();
  // Someone whose own unit is a grid (a grid worker, a grid head) reports what they found on patrol: channel
  // 网格巡查, their own grid unless they name a place, photos and a check-in; the caller's box comes second.
  const patrol = me.org.kind === "grid" || me.org.kind === "micro_grid";
  const defaultChannel = patrol ? "grid_patrol" : "hotline_12345";
  // A call half-taken survives an expired session: the form is saved as it changes and comes back here.
  const draft = useDraft<IntakeDraft>(me.id, "intake");
  const keepDraft = draft.save;
  const [restored, setRestored] = useState(!!draft.restored);
  const [typed, setTyped] = useState("");
  const lookup = useDebounced(typed.trim(), 250);
  const [picked, setPicked] = useState<Caller | null>(draft.restored?.picked ?? null);
  /** The picked resident is the caller (their registered phone becomes the caller's number on the server). */
  const [callerIsResident, setCallerIsResident] = useState(draft.restored?.callerIsResident ?? true);
  const [catQ, setCatQ] = useState("");
  const [evidence, setEvidence] = useState<Evidence>({
    ...NO_EVIDENCE,
    location: draft.restored?.checkIn ?? null,
  });
  const [buildingQ, setBuildingQ] = useState("");
  const buildingSearch = useDebounced(buildingQ.trim(), 250);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  /** The server's "no place given" error, shown on the unit picker until a caller or unit is picked. */
  const [placeError, setPlaceError] = useState<string | null>(null);
  const override = Form.useWatch("orgUnitId", form);
  const categoryCode = Form.useWatch("categoryCode", form);
  const buildingId = Form.useWatch("buildingId", form);

  const callers = useQuery({
    queryKey: ["intake", "callers", lookup],
    queryFn: () => api<CallerLookup>(`/api/intake/callers${qs({ q: lookup })}`),
    enabled: lookup !== "",
    placeholderData: keepPreviousData,
  });
  const place = useQuery({
    queryKey: ["org", picked?.orgUnitId],
    queryFn: () => api<{ unit: OrgNode; breadcrumb: Crumb[] }>(`/api/orgs/${picked!.orgUnitId}`),
    enabled: !!picked,
  });
  const allCategories = useQuery({
    queryKey: ["categories", ""],
    queryFn: () => api<{ items: Category[] }>("/api/categories"),
  });
  // Searched here, at once, over the whole list: the options always match what is typed, so Enter can
  // only pick a category the text names.
  const categoryOptions = useMemo(
    () =>
      searchCategories(catQ, allCategories.data?.items ?? []).map(({ category: c }) => ({
        value: c.code,
        label: c.parentName ? `${c.parentName} › ${c.name}` : c.name,
        hint: c.synonyms.slice(0, 3).join("、") || c.initials,
      })),
    [catQ, allCategories.data],
  );
  const category = allCategories.data?.items.find((c) => c.code === categoryCode);
  const buildings = useQuery({
    queryKey: ["intake", "buildings", buildingSearch],
    queryFn: () => api<{ items: Building[] }>(`/api/intake/buildings${qs({ q: buildingSearch })}`),
    enabled: buildingSearch !== "",
    placeholderData: keepPreviousData,
  });
  const [chosenBuilding, setChosenBuilding] = useState<{ id: number; label: string } | null>(
    draft.restored?.building ?? null,
  );
  const saveDraft = useCallback(() => {
    const values = form.getFieldsValue();
    const worth = !!(
      values.description?.trim() ||
      values.categoryCode ||
      picked ||
      values.callerPhone ||
      evidence.location
    );
    keepDraft(
      worth
        ? { values, picked, building: chosenBuilding, callerIsResident, checkIn: evidence.location }
        : null,
    );
  }, [form, keepDraft, picked, chosenBuilding, callerIsResident, evidence.location]);
  useEffect(saveDraft, [saveDraft]);
  const buildingOptions = [
    ...(chosenBuilding && !buildings.data?.items.some((b) => b.id === chosenBuilding.id)
      ? [{ value: chosenBuilding.id, label: chosenBuilding.label }]
      : []),
    ...(buildingSearch ? (buildings.data?.items ?? []) : []).map((b) => ({
      value: b.id,
      label: `${b.address} · ${b.grid}`,
    })),
  ];
  // Orders already open at this place: shown while the agent types, before anything is filed.
  const placeKey = buildingId ? { buildingId } : picked ? { residentId: picked.id } : null;
  const duplicates = useQuery({
    queryKey: ["intake", "duplicates", placeKey, categoryCode ?? null],
    queryFn: () =>
      api<OrderPage>(`/api/intake/duplicates${qs({ ...placeKey, categoryCode: categoryCode ?? undefined })}`),
    enabled: !!placeKey,
    placeholderData: keepPreviousData,
  });

  function pick(r: Caller) {
    setPicked(r);
    setCallerIsResident(true);
    form.setFieldsValue({ callerName: form.getFieldValue("callerName") || r.name });
    if (r.buildingId && !form.getFieldValue("buildingId")) {
      setChosenBuilding({ id: r.buildingId, label: r.address.replace(/\s+\S+$/, "") });
      form.setFieldValue("buildingId", r.buildingId);
    }
    setPlaceError(null);
  }

  // A whole number typed in the box is the caller's number, found or not.
  useEffect(() => {
    if (callers.data?.kind === "phone" && !form.getFieldValue("callerPhone"))
      form.setFieldValue("callerPhone", lookup.replace(/\s/g, ""));
  }, [callers.data, lookup, form]);

  async function submit(v: IntakeValues) {
    setBusy(true);
    setError(null);
    // A manual unit routes the order there; otherwise the resident's building decides the grid.
    const where = v.orgUnitId
      ? { orgUnitId: v.orgUnitId, buildingId: v.buildingId ?? undefined }
      : v.buildingId
        ? { buildingId: v.buildingId }
        : {};
    const resident = picked ? { residentId: picked.id, callerIsResident } : {};
    const body = {
      channel: v.channel,
      categoryCode: v.categoryCode ?? "",
      description: v.description?.trim() ?? "",
      callerName: v.callerName?.trim() || undefined,
      callerPhone: v.callerPhone?.replace(/\s/g, "") || undefined,
      ...where,
      ...resident,
      ...(evidence.location ? { checkIn: evidence.location } : {}),
    };
    try {
      const o = await api<WorkOrder>("/api/orders", { method: "POST", body });
      // The order is filed first; its photos follow (a refused photo does not undo the report).
      const photos = evidence.photos.length
        ? await uploadPhotos(`/api/orders/${o.id}/attachments`, evidence.photos)
        : null;
      await qc.invalidateQueries({ queryKey: ["orders"] });
      message.success(t("intake.created", { number: o.number, org: o.orgName }));
      if (photos?.error) message.warning(t("evidence.uploadFailed", { error: photos.error }));
      draft.clear();
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

  const found = callers.data;
  const callerCard = (
    <Card
      title={t(patrol ? "intake.residentTitle" : "intake.callerTitle")}
      size={screens.md ? undefined : "small"}
    >
      <Flex vertical gap={12}>
        <label htmlFor="gk-caller-lookup">{t(patrol ? "intake.lookupResident" : "intake.lookup")}</label>
        <Input
          id="gk-caller-lookup"
          placeholder={t("intake.lookupPlaceholder")}
          allowClear
          autoFocus={!patrol}
          maxLength={50}
          prefix={<SearchOutlined />}
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          onPressEnter={() => {
            // Enter takes the best match when it is the only one or clearly the best (a phone).
            const first = found?.items[0];
            if (first && (found.items.length === 1 || first.match === "phone")) pick(first);
          }}
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
        ) : found?.kind === null ? (
          <Typography.Text type="warning">{t("intake.lookupTooShort")}</Typography.Text>
        ) : !found || found.items.length === 0 ? (
          <EmptyState description={t("intake.noCaller")} />
        ) : (
          <>
            {found.kind === "id_number" && <Alert type="info" showIcon title={t("intake.byIdNumber")} />}
            <ul className="gk-card-list" aria-label={t("intake.callers")}>
              {found.items.map((r) => (
                <li key={r.id}>
                  <Card size="small" className="gk-resident-card" hoverable onClick={() => pick(r)}>
                    <Flex justify="space-between" align="center" gap={8}>
                      <div>
                        <Typography.Text strong>
                          <UserOutlined /> {r.name}
                        </Typography.Text>{" "}
                        <Tag color="blue" bordered={false}>
                          {t(`intake.match.${r.match}`)}
                        </Tag>
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
            {found.more > 0 && (
              <Typography.Text type="secondary" data-testid="callers-more">
                {t(found.moreCapped ? "intake.moreCapped" : "intake.more", { count: found.more })}
              </Typography.Text>
            )}
          </>
        )}
      </Flex>
    </Card>
  );

  const orderCard = (
    <Card title={t("intake.orderTitle")} size={screens.md ? undefined : "small"}>
      {restored && (
        <Alert
          type="info"
          showIcon
          closable
          onClose={() => setRestored(false)}
          title={t("session.draftRestored")}
          style={{ marginBottom: 16 }}
          action={
            <Button
              size="small"
              onClick={() => {
                draft.clear();
                form.resetFields();
                form.setFieldsValue({
                  channel: defaultChannel,
                  categoryCode: undefined,
                  description: undefined,
                });
                setPicked(null);
                setChosenBuilding(null);
                setEvidence(NO_EVIDENCE);
                setRestored(false);
              }}
            >
              {t("session.discardDraft")}
            </Button>
          }
        />
      )}
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
        initialValues={{ channel: defaultChannel, ...draft.restored?.values }}
        onValuesChange={saveDraft}
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
                  searchValue: catQ,
                  onSearch: setCatQ,
                }}
                onChange={() => setCatQ("")}
                placeholder={t("intake.categoryPlaceholder")}
                loading={allCategories.isPending}
                // A restored draft holds a code before the tree has loaded: show "loading", never the code.
                labelRender={(o) => o.label ?? (allCategories.isPending ? t("state.loading") : o.value)}
                notFoundContent={t("intake.noCategory")}
                defaultActiveFirstOption
                options={categoryOptions}
                optionRender={(o) => (
                  <Flex justify="space-between" gap={8}>
                    <span>{o.label}</span>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }} ellipsis>
                      {o.data.hint}
                    </Typography.Text>
                  </Flex>
                )}
              />
            </Form.Item>
          </Col>
          {!patrol && (
            <>
              <Col xs={24} md={12}>
                <Form.Item name="callerName" label={t("intake.callerName")}>
                  <Input maxLength={30} />
                </Form.Item>
              </Col>
              <Col xs={24} md={12}>
                <Form.Item
                  name="callerPhone"
                  label={t("intake.callerPhone")}
                  extra={t("intake.callerPhoneHint")}
                >
                  <Input maxLength={20} inputMode="tel" />
                </Form.Item>
              </Col>
            </>
          )}
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
            <Form.Item
              name="buildingId"
              label={t("intake.building")}
              extra={
                picked?.buildingId === buildingId && buildingId
                  ? t("intake.buildingFromResident")
                  : t("intake.buildingHint")
              }
            >
              <Select
                allowClear
                showSearch={{ filterOption: false, onSearch: setBuildingQ }}
                placeholder={t("intake.buildingPlaceholder")}
                loading={buildings.isFetching}
                notFoundContent={buildingSearch ? t("intake.noBuilding") : t("intake.buildingHint")}
                options={buildingOptions}
                onChange={(id, option) => {
                  const o = Array.isArray(option) ? option[0] : option;
                  setChosenBuilding(id ? { id: Number(id), label: String(o?.label ?? "") } : null);
                  setPlaceError(null);
                }}
              />
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
                    : patrol
                      ? t("intake.orgOwnGrid", { name: me.org.name })
                      : t("intake.orgHint")
              }
            >
              <OrgTreeSelect id="gk-intake-org" onChange={() => setPlaceError(null)} />
            </Form.Item>
          </Col>
        </Row>
        {duplicates.data && duplicates.data.items.length > 0 && (
          <Alert
            type="warning"
            showIcon
            data-testid="intake-duplicates"
            style={{ marginBottom: 16 }}
            title={t("intake.duplicates", { count: duplicates.data.items.length })}
            description={
              <ul style={{ margin: 0, paddingLeft: 18 }}>
                {duplicates.data.items.map((o) => (
                  <li key={o.id}>
                    <Link to={`/orders/${o.id}`} target="_blank">
                      {o.number}
                    </Link>{" "}
                    {o.category} · {o.stateLabel} ·{" "}
                    <Typography.Text type="secondary">{o.description.slice(0, 40)}</Typography.Text>
                  </li>
                ))}
              </ul>
            }
          />
        )}
        {patrol && <EvidenceFields value={evidence} onChange={setEvidence} maxPhotos={MAX_REPORT_PHOTOS} />}
        <Button type="primary" htmlType="submit" size="large" loading={busy} block={!screens.md}>
          {t(patrol ? "intake.submitReport" : "intake.submit")}
        </Button>
      </Form>
    </Card>
  );

  return (
    <Flex vertical gap={16}>
      <Flex align="center" gap={12} wrap>
        <Typography.Title level={screens.md ? 2 : 3} style={{ margin: 0 }}>
          {t(patrol ? "intake.patrolTitle" : "intake.title")}
        </Typography.Title>
        <Tag color="blue">{t(patrol ? "intake.patrolSubtitle" : "intake.subtitle")}</Tag>
      </Flex>
      {patrol ? (
        <Row gutter={[16, 16]}>
          <Col xs={24} xl={15}>
            {orderCard}
          </Col>
          <Col xs={24} xl={9}>
            {callerCard}
          </Col>
        </Row>
      ) : (
        <Row gutter={[16, 16]}>
          <Col xs={24} xl={9}>
            {callerCard}
          </Col>
          <Col xs={24} xl={15}>
            {orderCard}
          </Col>
        </Row>
      )}
    </Flex>
  );
}
