import { UploadOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Flex, Modal, Progress, Table, Typography } from "antd";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import {
  type Answer,
  ApiError,
  api,
  apiUpload,
  type CareImportResult,
  type CareImportRowError,
  qs,
} from "../../app/api.ts";

const XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
type Job = Answer<"/api/jobs/{id}">;
const ended = (j?: Job) => j?.state === "succeeded" || j?.state === "failed";

/**
 * 导入台账: pick an xlsx or csv, upload it raw. A rejected batch lists every bad row, nothing imported; an
 * accepted one is written in the background, and the dialog follows its progress to the final counts.
 */
export function ImportLedger({ org, size }: { org?: number; size?: "large" | "middle" }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [jobId, setJobId] = useState<number | null>(null);
  const [failed, setFailed] = useState<{ message: string; rows: CareImportRowError[] } | null>(null);
  const input = useRef<HTMLInputElement>(null);

  const job = useQuery({
    queryKey: ["jobs", jobId],
    queryFn: () => api<Job>(`/api/jobs/${jobId}`),
    enabled: jobId !== null,
    refetchInterval: (q) => (ended(q.state.data) ? false : 500),
  });
  const state = job.data?.state;
  useEffect(() => {
    if (state === "succeeded") void qc.invalidateQueries({ queryKey: ["care"] });
  }, [state, qc]);
  const done = state === "succeeded" ? (job.data?.result as unknown as CareImportResult) : null;
  const running = jobId !== null && !ended(job.data);

  function reset() {
    setFile(null);
    setJobId(null);
    setFailed(null);
    if (input.current) input.current.value = "";
  }

  async function upload() {
    if (!file) return;
    setBusy(true);
    setJobId(null);
    setFailed(null);
    try {
      const csv = /\.csv$/i.test(file.name);
      const body = new Blob([file], { type: csv ? "text/csv" : XLSX_MIME });
      const started = await apiUpload<Job>(
        `/api/care/ledger/import${qs({ org, filename: file.name })}`,
        body,
      );
      setJobId(started.id);
    } catch (e) {
      const details =
        e instanceof ApiError ? (e.details as { rows?: CareImportRowError[] } | undefined) : undefined;
      setFailed({
        message: e instanceof Error ? e.message.split("。")[0] : String(e),
        rows:
          details?.rows ??
          (e instanceof ApiError ? e.fields.map((f, i) => ({ row: i, messages: [f.message] })) : []),
      });
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <Button icon={<UploadOutlined />} size={size} onClick={() => setOpen(true)}>
        {t("care.import.button")}
      </Button>
      <Modal
        open={open}
        title={t("care.import.title")}
        onCancel={() => {
          setOpen(false);
          reset();
        }}
        footer={null}
        width={640}
        destroyOnHidden
      >
        <Flex vertical gap={12}>
          <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
            {t("care.import.hint")}
          </Typography.Paragraph>
          <label htmlFor="gk-care-import-file">{t("care.import.file")}</label>
          <input
            id="gk-care-import-file"
            ref={input}
            type="file"
            accept=".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setJobId(null);
              setFailed(null);
            }}
          />
          <Button type="primary" disabled={!file || running} loading={busy || running} onClick={upload}>
            {t("care.import.upload")}
          </Button>
          {job.data && (
            <div data-testid="import-progress">
              <Progress
                percent={job.data.total ? Math.floor((job.data.done / job.data.total) * 100) : 0}
                status={state === "failed" ? "exception" : state === "succeeded" ? "success" : "active"}
              />
              <Typography.Text type="secondary">
                {t("care.import.progress", { done: job.data.done, total: job.data.total })}
              </Typography.Text>
            </div>
          )}
          {done && (
            <Alert
              type="success"
              showIcon
              data-testid="import-done"
              title={t("care.import.done", {
                rows: done.rows,
                changed: done.residentsChanged,
                tags: done.tagsAdded,
                unchanged: done.unchanged,
              })}
            />
          )}
          {state === "failed" && (
            <Alert type="error" showIcon data-testid="import-job-failed" title={job.data?.error ?? ""} />
          )}
          {failed && (
            <>
              <Alert type="error" showIcon title={failed.message} data-testid="import-failed" />
              {failed.rows.length > 0 && (
                <Table<CareImportRowError>
                  size="small"
                  rowKey="row"
                  data-testid="import-errors"
                  dataSource={failed.rows}
                  pagination={failed.rows.length > 10 ? { pageSize: 10 } : false}
                  columns={[
                    { title: t("care.import.row"), dataIndex: "row", width: 80 },
                    {
                      title: t("care.import.problem"),
                      dataIndex: "messages",
                      render: (m: string[]) => m.join("；"),
                    },
                  ]}
                />
              )}
            </>
          )}
        </Flex>
      </Modal>
    </>
  );
}
