import { EnvironmentOutlined, IdcardOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { App as AntApp, Button, Card, Empty, Flex, Grid, Input, Radio, Tag, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../app/api.ts";
import { ErrorState, PageLoading } from "../../app/states.tsx";
import { OUTCOMES, type Tasks, type VRow } from "./types.ts";

/** 核查任务: the grid's people to verify at the door, on the worker's phone; one tap per outcome. */
export default function TasksPage() {
  const { t } = useTranslation();
  const phone = Grid.useBreakpoint().md === false;
  const tasks = useQuery({
    queryKey: ["verification", "tasks"],
    queryFn: () => api<Tasks>("/api/verification/tasks"),
  });
  if (tasks.error) return <ErrorState error={tasks.error} onRetry={() => tasks.refetch()} />;
  if (!tasks.data) return <PageLoading />;
  return (
    <Flex vertical gap={12}>
      <Typography.Title level={phone ? 3 : 2} style={{ margin: 0 }}>
        {t("verification.tasksTitle")}
      </Typography.Title>
      <Typography.Text type="secondary" data-testid="tasks-open">
        {t("verification.tasksOpen", { n: tasks.data.open })}
      </Typography.Text>
      {tasks.data.items.length === 0 && <Empty description={t("verification.tasksEmpty")} />}
      {tasks.data.items.map((task) => (
        <TaskCard key={task.id} task={task} />
      ))}
    </Flex>
  );
}

function TaskCard({ task }: { task: VRow }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const { message } = AntApp.useApp();
  const [outcome, setOutcome] = useState<string | null>(null);
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  async function submit() {
    setBusy(true);
    try {
      await api(`/api/verification/tasks/${task.id}/outcome`, {
        method: "POST",
        body: { outcome, ...(note.trim() ? { note: note.trim() } : {}) },
      });
      void message.success(t("verification.recorded", { outcome: t(`verification.outcomes.${outcome}`) }));
      await qc.invalidateQueries({ queryKey: ["verification", "tasks"] });
    } catch (e) {
      void message.error(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Card
      size="small"
      data-testid={`task-${task.n}`}
      title={task.name}
      extra={task.deadline && <Tag>{t("verification.deadlineAt", { day: task.deadline })}</Tag>}
    >
      <Flex vertical gap={8}>
        <Typography.Text>
          <IdcardOutlined /> {task.idNumber || "—"}
        </Typography.Text>
        <Typography.Text>
          <EnvironmentOutlined /> {task.address || "—"}
        </Typography.Text>
        <Typography.Text type="secondary">{task.listTitle}</Typography.Text>
        {task.reasons.length > 0 && (
          <Typography.Text type="warning">{task.reasons.join("；")}</Typography.Text>
        )}
        {task.outcome ? (
          <Tag color="green" style={{ alignSelf: "flex-start" }}>
            {t("verification.done")}：{t(`verification.outcomes.${task.outcome}`)}
            {task.outcomeNote ? ` · ${task.outcomeNote}` : ""}
          </Tag>
        ) : (
          <>
            <Radio.Group
              optionType="button"
              buttonStyle="solid"
              value={outcome}
              onChange={(e) => setOutcome(e.target.value)}
              options={OUTCOMES.map((o) => ({ value: o, label: t(`verification.outcomes.${o}`) }))}
              style={{ display: "flex", flexWrap: "wrap", gap: 4 }}
            />
            <Input.TextArea
              aria-label={t("verification.note")}
              placeholder={t("verification.notePlaceholder")}
              value={note}
              onChange={(e) => setNote(e.target.value)}
              autoSize={{ minRows: 1, maxRows: 3 }}
            />
            <Button
              type="primary"
              size="large"
              block
              disabled={!outcome || (outcome === "other" && !note.trim())}
              loading={busy}
              onClick={submit}
            >
              {t("verification.submit")}
            </Button>
          </>
        )}
      </Flex>
    </Card>
  );
}
