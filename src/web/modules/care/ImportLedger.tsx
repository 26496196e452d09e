import { UploadOutlined } from "@ant-design/icons";
import { useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Flex, Modal, Table, Typography } from "antd";
import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, apiUpload, type CareImportResult, type CareImportRowError, qs } from "../../app/api.ts";

const XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/** 导入台账: pick an xlsx, upload it raw; a rejected batch lists every bad row, nothing imported. */
export function ImportLedger({ org, size }: { org?: number; size?: "large" | "middle" }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<CareImportResult | null>(null);
  const [failed, setFailed] = useState<{ message: string; rows: CareImportRowError[] } | null>(null);
  const input = useRef<HTMLInputElement>(null);

  function reset() {
    setFile(null);
    setDone(null);
    setFailed(null);
    if (input.current) input.current.value = "";
  }

  async function upload() {
    if (!file) return;
    setBusy(true);
    setDone(null);
    setFailed(null);
    try {
      const body = new Blob([file], { type: XLSX_MIME });
      const r = await apiUpload<CareImportResult>(
        `/api/care/ledger/import${qs({ org, filename: file.name })}`,
        body,
      );
      setDone(r);
      await qc.invalidateQueries({ queryKey: ["care"] });
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
            accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setDone(null);
              setFailed(null);
            }}
          />
          <Button type="primary" disabled={!file} loading={busy} onClick={upload}>
            {t("care.import.upload")}
          </Button>
          {done && (
            <Alert
              type="success"
              showIcon
              data-testid="import-done"
              title={t("care.import.done", {
                rows: done.rows,
                changed: done.residentsChanged,
                tags: done.tagsAdded,
              })}
            />
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
