import { FileExcelOutlined, FilePdfOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { App, Button, Card, Empty, Flex, Grid, List, Select, Space, Table, Tag, Typography } from "antd";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { type Answer, ApiError, api, qs } from "../../app/api.ts";
import { useMe } from "../../app/auth.tsx";
import { ErrorState, PageLoading } from "../../app/states.tsx";
import { formatTime } from "../../app/time.ts";

// 日报存档: the reports made at 08:00 for the district and each street, to download again; and who receives
// them (set by the district; a street reads its list).

type Archive = Answer<"/api/command/reports">;
type Row = Archive["items"][number];
type Recipients = Answer<"/api/command/report-recipients">;

export default function ReportsPage() {
  const { t } = useTranslation();
  const phone = Grid.useBreakpoint().md === false;
  const q = useQuery({
    queryKey: ["command", "reports"],
    queryFn: () => api<Archive>("/api/command/reports?limit=120"),
  });
  if (q.isPending) return <PageLoading />;
  if (q.error) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  const items = q.data.items;
  const units = [...new Map(items.map((i) => [i.unit.id, i.unit])).values()];
  return (
    <Flex vertical gap={16}>
      <div>
        <Typography.Title level={phone ? 3 : 2} style={{ margin: 0 }}>
          {t("command.archive.title")}
        </Typography.Title>
        <Typography.Text type="secondary">{t("command.archive.hint")}</Typography.Text>
      </div>
      <Card size="small">
        {items.length === 0 ? (
          <Empty description={t("command.archive.empty")} />
        ) : (
          <Table<Row>
            data-testid="report-archive"
            rowKey="id"
            size="small"
            scroll={{ x: "max-content" }}
            dataSource={items}
            pagination={items.length > 20 ? { pageSize: 20, showSizeChanger: false } : false}
            columns={[
              { title: t("command.archive.date"), dataIndex: "date" },
              {
                title: t("command.archive.unit"),
                key: "unit",
                render: (_: unknown, r) => r.unit.label,
                filters: units.length > 1 ? units.map((u) => ({ text: u.label, value: u.id })) : undefined,
                onFilter: (v, r) => r.unit.id === v,
              },
              {
                title: t("command.archive.state"),
                key: "state",
                render: (_: unknown, r) =>
                  r.state === "ready" ? (
                    <Tag color="green">{t("command.archive.ready")}</Tag>
                  ) : (
                    <Tag color="processing">{t("command.archive.generating")}</Tag>
                  ),
              },
              {
                title: t("command.archive.sentTo"),
                key: "sent",
                render: (_: unknown, r) =>
                  r.readyAt ? (
                    <span title={formatTime(String(r.readyAt))}>
                      {t("command.archive.people", { n: r.sentTo })}
                    </span>
                  ) : (
                    "—"
                  ),
              },
              {
                title: t("command.archive.download"),
                key: "download",
                render: (_: unknown, r) =>
                  r.state === "ready" ? (
                    <Space>
                      <a href={`/api/command/reports/${r.id}${qs({ format: "pdf" })}`} download>
                        <FilePdfOutlined /> PDF
                      </a>
                      <a href={`/api/command/reports/${r.id}${qs({ format: "xlsx" })}`} download>
                        <FileExcelOutlined /> Excel
                      </a>
                    </Space>
                  ) : null,
              },
            ]}
          />
        )}
      </Card>
      <RecipientsCard />
    </Flex>
  );
}

function RecipientsCard() {
  const { t } = useTranslation();
  const me = useMe();
  const { message } = App.useApp();
  const client = useQueryClient();
  // The district's own list first; a district may also pick one of its streets.
  const [org, setOrg] = useState<number>(me.org.id);
  const streets = useQuery({
    queryKey: ["orgs", "children", me.org.id],
    queryFn: () => api<Answer<"/api/orgs">>(`/api/orgs${qs({ parent: me.org.id })}`),
    enabled: me.org.kind === "district",
  });
  const q = useQuery({
    queryKey: ["command", "recipients", org],
    queryFn: () => api<Recipients>(`/api/command/report-recipients${qs({ org })}`),
  });
  const [picked, setPicked] = useState<number[]>([]);
  useEffect(() => {
    if (q.data) setPicked(q.data.items.map((i) => i.id));
  }, [q.data]);
  const save = useMutation({
    mutationFn: () =>
      api<Recipients>("/api/command/report-recipients", { method: "PUT", body: { org, accountIds: picked } }),
    onSuccess: (r) => {
      message.success(t("command.archive.saved"));
      client.setQueryData(["command", "recipients", org], r);
    },
    onError: (e) => message.error(e instanceof ApiError ? e.message : String(e)),
  });
  if (me.org.kind !== "district" && me.org.kind !== "street") return null;
  const unitOptions = [
    { value: me.org.id, label: me.org.name },
    ...(streets.data?.items ?? [])
      .filter((u) => u.kind === "street")
      .map((u) => ({ value: u.id, label: u.name })),
  ];
  return (
    <Card
      size="small"
      title={t("command.archive.recipients")}
      data-testid="report-recipients"
      extra={
        unitOptions.length > 1 && (
          <Select
            aria-label={t("command.archive.unitPick")}
            style={{ minWidth: 160 }}
            value={org}
            onChange={setOrg}
            options={unitOptions}
            showSearch={{ optionFilterProp: "label" }}
          />
        )
      }
    >
      {q.isPending ? (
        <PageLoading />
      ) : q.error ? (
        <ErrorState error={q.error} onRetry={() => q.refetch()} />
      ) : q.data.editable ? (
        <Flex vertical gap={8}>
          <Typography.Text>{t("command.archive.recipientsOf", { unit: q.data.unit.name })}</Typography.Text>
          <Select
            mode="multiple"
            aria-label={t("command.archive.pick")}
            placeholder={t("command.archive.pick")}
            value={picked}
            onChange={setPicked}
            style={{ width: "100%" }}
            options={q.data.candidates.map((c) => ({
              value: c.id,
              label: `${c.displayName}（${c.orgName}）`,
              initials: c.initials,
            }))}
            showSearch={{
              filterOption: (input, option) => {
                const s = input.trim().toLowerCase();
                return (
                  !s ||
                  String(option?.label ?? "").includes(input.trim()) ||
                  (/^[a-z]+$/.test(s) &&
                    String((option as { initials?: string })?.initials ?? "").includes(s))
                );
              },
            }}
          />
          <div>
            <Button type="primary" loading={save.isPending} onClick={() => save.mutate()}>
              {t("command.archive.save")}
            </Button>
          </div>
        </Flex>
      ) : (
        <Flex vertical gap={8}>
          <Typography.Text type="secondary">{t("command.archive.readOnly")}</Typography.Text>
          {q.data.items.length === 0 ? (
            <Typography.Text>{t("command.archive.none")}</Typography.Text>
          ) : (
            <List
              size="small"
              dataSource={q.data.items}
              renderItem={(i) => (
                <List.Item>
                  {i.displayName}（{i.orgName}）
                </List.Item>
              )}
            />
          )}
        </Flex>
      )}
    </Card>
  );
}
