import { DeleteOutlined, UploadOutlined } from "@ant-design/icons";
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
  Popconfirm,
  Segmented,
  Select,
  Space,
  Tag,
  Typography,
} from "antd";
import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { type Answer, ApiError, api, apiUpload } from "../../app/api.ts";
import { useFormSubmit } from "../../app/forms.ts";
import { ErrorState, PageLoading } from "../../app/states.tsx";
import { groupArrangement, type HolidayRun } from "./runs.ts";

type YearView = Answer<"/api/holidays">;
type ImportResult = Answer<"/api/holidays/import", "post">;

const thisYear = () => new Date().getFullYear();

/** 节假日安排: the days the 12345 clocks rest or work, per year; the district enters next year's when published. */
export default function HolidaysPage() {
  const { t } = useTranslation();
  const phone = Grid.useBreakpoint().md === false;
  const [year, setYear] = useState(() => thisYear() + 1);
  const view = useQuery({
    queryKey: ["holidays", year],
    queryFn: () => api<YearView>(`/api/holidays?year=${year}`),
  });
  const years = [thisYear() - 1, thisYear(), thisYear() + 1, thisYear() + 2];

  return (
    <Flex vertical gap={16} data-testid="holidays-page">
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={phone ? 4 : 3} style={{ margin: 0 }}>
          {t("holidays.title")}
        </Typography.Title>
        <Segmented
          value={year}
          onChange={(v) => setYear(Number(v))}
          options={years.map((y) => ({ value: y, label: t("holidays.year", { year: y }) }))}
        />
      </Flex>
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
        {t("holidays.intro")}
      </Typography.Paragraph>
      {view.isPending ? (
        <PageLoading />
      ) : view.isError ? (
        <ErrorState error={view.error} onRetry={() => view.refetch()} />
      ) : (
        <>
          {!view.data.covered && (
            <Alert
              type="warning"
              showIcon
              data-testid="holidays-uncovered"
              title={t("holidays.uncovered", { year })}
              description={t("holidays.uncoveredHint")}
            />
          )}
          <Arrangement view={view.data} phone={phone} />
          {view.data.canManage && (
            <Flex gap={16} vertical={phone} align="start">
              <AddDay year={year} />
              <ImportArrangement onImported={(y) => y.includes(year) || setYear(y[0] ?? year)} />
            </Flex>
          )}
        </>
      )}
    </Flex>
  );
}

function Arrangement({ view, phone }: { view: YearView; phone: boolean }) {
  const { t } = useTranslation();
  const runs = groupArrangement(view.days);
  if (!runs.length)
    return (
      <Card size="small">
        <Typography.Text type="secondary">{t("holidays.empty", { year: view.year })}</Typography.Text>
      </Card>
    );
  return (
    <Flex vertical gap={8} data-testid="holidays-runs">
      {runs.map((r) => (
        <RunCard key={`${r.kind}-${r.from}`} run={r} canManage={view.canManage} phone={phone} />
      ))}
    </Flex>
  );
}

const dayLabel = (d: string) => {
  const [, m, day] = d.split("-").map(Number);
  const w = "日一二三四五六"[new Date(`${d}T00:00:00Z`).getUTCDay()];
  return `${m}月${day}日（${w}）`;
};

function RunCard({ run, canManage, phone }: { run: HolidayRun; canManage: boolean; phone: boolean }) {
  const { t } = useTranslation();
  const span = run.days.length === 1 ? dayLabel(run.from) : `${dayLabel(run.from)} — ${dayLabel(run.to)}`;
  return (
    <Card size="small" data-run={`${run.name}-${run.kind}`}>
      <Flex justify="space-between" align={phone ? "start" : "center"} wrap gap={8}>
        <Space wrap>
          <Typography.Text strong style={{ fontSize: 16 }}>
            {run.name}
          </Typography.Text>
          <Tag color={run.kind === "holiday" ? "red" : "blue"}>
            {run.kind === "holiday"
              ? t("holidays.rest", { count: run.days.length })
              : t("holidays.work", { count: run.days.length })}
          </Tag>
          <span>{span}</span>
        </Space>
        <Space wrap>
          {run.days.some((d) => d.source === "entered") ? (
            <Tag color="green">{t("holidays.entered")}</Tag>
          ) : (
            <Tag>{t("holidays.builtin")}</Tag>
          )}
        </Space>
      </Flex>
      {canManage && run.days.some((d) => d.source === "entered") && (
        <Flex gap={4} wrap style={{ marginTop: 8 }}>
          {run.days
            .filter((d) => d.source === "entered")
            .map((d) => (
              <RemoveDay key={d.day} day={d.day} />
            ))}
        </Flex>
      )}
    </Card>
  );
}

function RemoveDay({ day }: { day: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const remove = useMutation({
    mutationFn: () => api<void>(`/api/holidays/${day}`, { method: "DELETE" }),
    onSuccess: () => {
      message.success(t("holidays.removed", { day }));
      void qc.invalidateQueries({ queryKey: ["holidays"] });
    },
    onError: (e) => message.error(e instanceof ApiError ? e.message : String(e)),
  });
  return (
    <Popconfirm
      title={t("holidays.removeTitle", { day: dayLabel(day) })}
      description={t("holidays.removeHint")}
      okText={t("holidays.remove")}
      cancelText={t("holidays.cancel")}
      onConfirm={() => remove.mutate()}
    >
      <Button size="small" icon={<DeleteOutlined />} loading={remove.isPending}>
        {dayLabel(day)}
      </Button>
    </Popconfirm>
  );
}

interface DayValues {
  day: string;
  kind: "holiday" | "workday";
  name: string;
}

function AddDay({ year }: { year: number }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<DayValues>();
  const { busy, error, run } = useFormSubmit(form, ["day", "kind", "name"]);
  const submit = (v: DayValues) =>
    run(async () => {
      await api(`/api/holidays/${v.day}`, { method: "PUT", body: { kind: v.kind, name: v.name.trim() } });
      message.success(t("holidays.saved", { day: dayLabel(v.day) }));
      void qc.invalidateQueries({ queryKey: ["holidays"] });
      form.resetFields(["day"]);
    });
  return (
    <Card size="small" title={t("holidays.addTitle")} style={{ flex: 1, width: "100%" }}>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form
        form={form}
        layout="vertical"
        name="holiday-day"
        onFinish={submit}
        initialValues={{ kind: "holiday", name: "" }}
      >
        <Form.Item
          label={t("holidays.day")}
          name="day"
          rules={[{ required: true, message: t("holidays.dayRequired") }]}
        >
          <Input type="date" min={`${year - 1}-01-01`} max={`${year + 1}-12-31`} />
        </Form.Item>
        <Form.Item label={t("holidays.kind")} name="kind">
          <Select
            options={[
              { value: "holiday", label: t("holidays.kindHoliday") },
              { value: "workday", label: t("holidays.kindWorkday") },
            ]}
          />
        </Form.Item>
        <Form.Item
          label={t("holidays.name")}
          name="name"
          rules={[{ required: true, whitespace: true, message: t("holidays.nameRequired") }]}
        >
          <Input maxLength={20} placeholder={t("holidays.namePlaceholder")} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>
          {t("holidays.save")}
        </Button>
      </Form>
    </Card>
  );
}

function ImportArrangement({ onImported }: { onImported: (years: number[]) => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const fileInput = useRef<HTMLInputElement>(null);
  const [text, setText] = useState("");
  const [problems, setProblems] = useState<string[] | null>(null);
  const send = useMutation({
    mutationFn: (file: Blob) => apiUpload<ImportResult>("/api/holidays/import", file),
    onSuccess: (r) => {
      setProblems(null);
      setText("");
      message.success(t("holidays.imported", { days: r.days, holidays: r.holidays, workdays: r.workdays }));
      void qc.invalidateQueries({ queryKey: ["holidays"] });
      onImported(r.years);
    },
    onError: (e) => {
      if (e instanceof ApiError && e.fields.length) setProblems(e.fields.map((f) => f.message));
      else setProblems([e instanceof ApiError ? e.message : String(e)]);
    },
  });
  const pick = async (f: File | undefined) => {
    if (!f) return;
    const isIcs = f.name.toLowerCase().endsWith(".ics") || f.type === "text/calendar";
    send.mutate(new Blob([await f.text()], { type: isIcs ? "text/calendar" : "text/csv" }));
  };
  return (
    <Card size="small" title={t("holidays.importTitle")} style={{ flex: 1, width: "100%" }}>
      <Flex vertical gap={8}>
        <Typography.Text type="secondary">{t("holidays.importHint")}</Typography.Text>
        <Input.TextArea
          rows={5}
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder={"2027-02-15,2027-02-23,春节,休\n2027-02-14,,春节,班"}
          aria-label={t("holidays.paste")}
        />
        {problems && (
          <Alert
            type="error"
            showIcon
            data-testid="holidays-import-errors"
            title={t("holidays.importFailed", { count: problems.length })}
            description={
              <ul style={{ margin: 0, paddingLeft: 18 }}>
                {problems.slice(0, 10).map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
            }
          />
        )}
        <Space wrap>
          <Button
            type="primary"
            disabled={!text.trim()}
            loading={send.isPending}
            onClick={() => send.mutate(new Blob([text], { type: "text/csv" }))}
          >
            {t("holidays.importPasted")}
          </Button>
          <Button icon={<UploadOutlined />} onClick={() => fileInput.current?.click()}>
            {t("holidays.importFile")}
          </Button>
          <input
            ref={fileInput}
            type="file"
            accept=".ics,.csv,.txt,text/calendar,text/csv,text/plain"
            hidden
            data-testid="holidays-file"
            onChange={(e) => {
              void pick(e.target.files?.[0]);
              e.target.value = "";
            }}
          />
        </Space>
      </Flex>
    </Card>
  );
}
