import { UploadOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Alert, Button, Card, Flex, Grid, Table, Tag, Typography } from "antd";
import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { api, apiUpload, qs } from "../../app/api.ts";
import { ErrorState } from "../../app/states.tsx";
import { type Preview, type VList, XLSX_MIME } from "./types.ts";

export const STATE_COLORS: Record<string, string> = {
  previewed: "gold",
  running: "processing",
  succeeded: "success",
  failed: "error",
  cancelled: "default",
};

/** 核查名单: the lists of the caller's area, and the upload that opens a new one's column check. */
export default function ListsPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const phone = Grid.useBreakpoint().md === false;
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const lists = useQuery({
    queryKey: ["verification", "lists"],
    queryFn: () => api<{ items: VList[] }>("/api/verification/lists"),
  });

  async function upload(file: File) {
    setBusy(true);
    setError(null);
    try {
      const csv = /\.csv$/i.test(file.name);
      const body = new Blob([file], { type: csv ? "text/csv" : XLSX_MIME });
      const p = await apiUpload<Preview>(`/api/verification/lists${qs({ filename: file.name })}`, body);
      navigate(`/verification/lists/${p.id}`);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
      if (input.current) input.current.value = "";
    }
  }

  return (
    <Flex vertical gap={16}>
      <Typography.Title level={phone ? 3 : 2} style={{ margin: 0 }}>
        {t("verification.title")}
      </Typography.Title>
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
        {t("verification.hint")}
      </Typography.Paragraph>
      <Card>
        <Flex gap={12} align="center" wrap>
          <label htmlFor="gk-verification-file">{t("verification.file")}</label>
          <input
            id="gk-verification-file"
            ref={input}
            type="file"
            accept=".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void upload(f);
            }}
            style={{ display: "none" }}
          />
          <Button
            type="primary"
            icon={<UploadOutlined />}
            loading={busy}
            onClick={() => input.current?.click()}
          >
            {busy ? t("verification.uploading") : t("verification.upload")}
          </Button>
        </Flex>
        {error && (
          <Alert style={{ marginTop: 12 }} type="error" showIcon title={error} data-testid="upload-error" />
        )}
      </Card>
      {lists.error ? (
        <ErrorState error={lists.error} onRetry={() => lists.refetch()} />
      ) : (
        <Table<VList>
          rowKey="id"
          size="small"
          loading={lists.isLoading}
          dataSource={lists.data?.items ?? []}
          pagination={false}
          scroll={{ x: true }}
          onRow={(r) => ({
            onClick: () => navigate(`/verification/lists/${r.id}`),
            style: { cursor: "pointer" },
          })}
          columns={[
            {
              title: t("verification.columns.title"),
              dataIndex: "title",
              render: (v: string, r) => <a href={`/verification/lists/${r.id}`}>{v}</a>,
            },
            { title: t("verification.columns.org"), dataIndex: "orgName" },
            {
              title: t("verification.columns.state"),
              dataIndex: "state",
              render: (s: string) => <Tag color={STATE_COLORS[s]}>{t(`verification.states.${s}`)}</Tag>,
            },
            {
              title: t("verification.columns.rows"),
              render: (_, r) => (r.counters.rows ?? r.counters.read ?? 0).toLocaleString(),
            },
            { title: t("verification.columns.owner"), dataIndex: "ownerName" },
            {
              title: t("verification.columns.created"),
              dataIndex: "createdAt",
              render: (v: string) => new Date(v).toLocaleString("zh-CN", { hour12: false }),
            },
          ]}
        />
      )}
    </Flex>
  );
}
