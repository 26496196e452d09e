import { EditOutlined, FallOutlined, RiseOutlined } from "@ant-design/icons";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  App,
  Button,
  Card,
  Flex,
  Form,
  Grid,
  InputNumber,
  Modal,
  Segmented,
  Table,
  Tag,
  Tooltip,
  Typography,
} from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import {
  ApiError,
  api,
  qs,
  RATE_NAMES,
  type RankedUnit,
  type RankingReport,
  type RateName,
  type RateWeights,
} from "../../app/api.ts";
import { useMe } from "../../app/auth.tsx";
import { ErrorState, PageLoading } from "../../app/states.tsx";
import { MonthPicker, percent, RateCell, thisMonth } from "./months.tsx";

const KINDS = ["district", "street", "community", "grid"];
type Level = "street" | "community" | "grid";
const LEVELS: Level[] = ["street", "community", "grid"];

export default function RankingPage() {
  const { t } = useTranslation();
  const phone = Grid.useBreakpoint().md === false;
  const [params, setParams] = useSearchParams();
  const month = params.get("month") ?? thisMonth();
  const me = useMe();
  // The levels below the caller's own unit (a district ranks streets, communities or grids).
  const levels = LEVELS.slice(Math.max(0, KINDS.indexOf(me.org.kind)));
  const asked = params.get("level") as Level | null;
  const level: Level =
    asked && levels.includes(asked)
      ? asked
      : levels.includes("community")
        ? "community"
        : (levels[0] ?? "grid");
  const [editing, setEditing] = useState(false);
  const list = useQuery({
    queryKey: ["ranking", month, level],
    queryFn: () => api<RankingReport>(`/api/rates/ranking${qs({ month, top: 5, bottom: 5, level })}`),
    placeholderData: keepPreviousData,
  });

  if (list.isPending) return <PageLoading />;
  if (list.error) return <ErrorState error={list.error} onRetry={() => list.refetch()} />;
  const r = list.data;
  const rateName = (n: RateName) => t(`rates.name.${n}`);
  const words = { unit: t(`ranking.unitWord.${level}`), units: t(`ranking.unitsWord.${level}`) };
  const totalWeight = RATE_NAMES.reduce((s, n) => s + r.weights[n], 0) || 1;

  const columns = [
    {
      title: t("ranking.rank"),
      dataIndex: "rank",
      width: 64,
      render: (rank: number | null) => (rank === null ? "—" : <strong>{rank}</strong>),
    },
    { title: t(`ranking.level.${level}`), dataIndex: "name", fixed: "left" as const },
    {
      title: t("ranking.score"),
      dataIndex: "score",
      render: (s: number | null, u: RankedUnit) =>
        s === null ? (
          "—"
        ) : (
          <Tooltip title={<Contributions unit={u} />}>
            <strong data-testid="ranking-score">{(s * 100).toFixed(1)}</strong>
          </Tooltip>
        ),
    },
    {
      title: t("rates.dispatched"),
      key: "dispatched",
      render: (_: unknown, u: RankedUnit) => u.counts.dispatched ?? 0,
    },
    ...RATE_NAMES.map((n) => ({
      title: rateName(n),
      key: n,
      render: (_: unknown, u: RankedUnit) => <RateCell rate={u.rates[n]} />,
    })),
  ];

  // Why a list is short or empty, in a line above it (a tie split by the cut is left off whole).
  const why = (note: RankingReport["note"]["red"], limit: number) =>
    note === "tie_at_cut" ? (
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }} data-testid="ranking-tie-note">
        {t("ranking.tieAtCut", { limit, ...words })}
      </Typography.Paragraph>
    ) : null;

  const table = (rows: RankedUnit[], label: string, testId: string) => (
    <Table<RankedUnit>
      rowKey="unitId"
      size="small"
      data-testid={testId}
      aria-label={label}
      pagination={false}
      scroll={{ x: "max-content" }}
      dataSource={rows}
      columns={columns}
      locale={{
        emptyText: r.note.red === "too_few_units" ? t("ranking.noList") : t("ranking.emptyList", words),
      }}
    />
  );

  return (
    <Flex vertical gap={16}>
      <Flex align="center" gap={12} wrap>
        <Typography.Title level={phone ? 3 : 2} style={{ margin: 0 }}>
          {t("ranking.title")}
        </Typography.Title>
        <Flex gap={8} wrap style={{ marginLeft: phone ? undefined : "auto" }}>
          {levels.length > 1 && (
            <Segmented<Level>
              aria-label={t("ranking.levelPick")}
              data-testid="ranking-level"
              value={level}
              options={levels.map((l) => ({ value: l, label: t(`ranking.level.${l}`) }))}
              onChange={(l) => setParams({ month, level: l })}
            />
          )}
          <MonthPicker value={month} onChange={(m) => setParams({ month: m, level })} />
        </Flex>
      </Flex>
      <Card
        size="small"
        title={t("ranking.weights")}
        extra={
          r.canManageWeights ? (
            <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(true)}>
              {t("ranking.editWeights")}
            </Button>
          ) : (
            <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="weights-district-only">
              {t("ranking.districtOnly")}
            </Typography.Text>
          )
        }
      >
        <Flex gap={8} wrap data-testid="ranking-weights">
          {RATE_NAMES.map((n) => (
            <Tag key={n} color={r.weights[n] > 0 ? "blue" : "default"}>
              {rateName(n)} {((r.weights[n] / totalWeight) * 100).toFixed(0)}%
            </Tag>
          ))}
        </Flex>
        <Typography.Paragraph type="secondary" style={{ margin: "8px 0 0", fontSize: 12 }}>
          {t("ranking.howScored")}
        </Typography.Paragraph>
        <Typography.Paragraph type="secondary" style={{ margin: "4px 0 0", fontSize: 12 }}>
          {t("ranking.rules", { min: r.rules.minUnits, ...words })}
        </Typography.Paragraph>
      </Card>
      {r.note.red === "too_few_units" && (
        <Alert
          type="info"
          showIcon
          data-testid="ranking-no-list"
          title={t("ranking.tooFew", { ranked: r.ranked, min: r.rules.minUnits, ...words })}
        />
      )}
      <Card
        title={
          <span style={{ color: "#cf1322" }}>
            <RiseOutlined /> {t("ranking.red")}
          </span>
        }
      >
        {why(r.note.red, r.limit.red)}
        {table(r.red, t("ranking.red"), "red-list")}
      </Card>
      <Card
        title={
          <span style={{ color: "#262626" }}>
            <FallOutlined /> {t("ranking.black")}
          </span>
        }
      >
        {why(r.note.black, r.limit.black)}
        {table(r.black, t("ranking.black"), "black-list")}
      </Card>
      <Card title={t("ranking.all", { count: r.ranking.length, ...words })}>
        <Table<RankedUnit>
          rowKey="unitId"
          size="small"
          data-testid="full-ranking"
          scroll={{ x: "max-content" }}
          pagination={r.ranking.length > 20 ? { pageSize: 20, showSizeChanger: false } : false}
          dataSource={r.ranking}
          columns={columns}
        />
      </Card>
      {editing && <WeightsModal weights={r.weights} onClose={() => setEditing(false)} />}
    </Flex>
  );
}

function Contributions({ unit }: { unit: RankedUnit }) {
  const { t } = useTranslation();
  return (
    <div>
      {RATE_NAMES.filter((n) => unit.contributions[n] !== undefined).map((n) => (
        <div key={n}>
          {t(`rates.name.${n}`)} {percent(unit.rates[n])} → +{((unit.contributions[n] ?? 0) * 100).toFixed(1)}
        </div>
      ))}
    </div>
  );
}

function WeightsModal({ weights, onClose }: { weights: RateWeights; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<Record<RateName, number>>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function save(v: Record<RateName, number>) {
    setBusy(true);
    setError(null);
    try {
      await api("/api/rates/weights", { method: "PUT", body: v });
      await qc.invalidateQueries({ queryKey: ["ranking"] });
      message.success(t("ranking.weightsSaved"));
      onClose();
    } catch (e) {
      setError(e instanceof ApiError || e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open
      title={t("ranking.editWeights")}
      okText={t("resident.save")}
      cancelText={t("order.cancel")}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="horizontal" labelCol={{ span: 8 }} initialValues={weights} onFinish={save}>
        {RATE_NAMES.map((n) => (
          <Form.Item key={n} name={n} label={t(`rates.name.${n}`)}>
            <InputNumber min={0} max={100} step={0.05} />
          </Form.Item>
        ))}
      </Form>
    </Modal>
  );
}
