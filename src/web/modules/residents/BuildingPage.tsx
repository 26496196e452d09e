import { useQuery } from "@tanstack/react-query";
import { Card, Descriptions, Flex, Table, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { api, type Building, type BuildingHousehold } from "../../app/api.ts";
import { useSelectOrg } from "../../app/selection.tsx";
import { EmptyState, ErrorState, PageLoading } from "../../app/states.tsx";
import { ResidentTags } from "./tags.tsx";

export default function BuildingPage() {
  const { t } = useTranslation();
  const id = Number(useParams().id);
  const q = useQuery({
    queryKey: ["building", id],
    queryFn: () => api<{ building: Building; households: BuildingHousehold[] }>(`/api/buildings/${id}`),
  });
  useSelectOrg(q.data?.building.orgUnitId);

  if (q.isPending) return <PageLoading />;
  if (q.error) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  const { building: b, households } = q.data;
  const people = households.reduce((n, h) => n + h.members, 0);

  return (
    <Flex vertical gap={16}>
      <Flex align="baseline" gap={12} wrap>
        <Typography.Title level={2} style={{ margin: 0 }}>
          {b.name}
        </Typography.Title>
        <Typography.Text type="secondary">{t("building.title")}</Typography.Text>
      </Flex>
      <Card>
        <Descriptions
          column={{ xs: 1, md: 4 }}
          items={[
            { key: "address", label: t("org.address"), children: b.address, span: { xs: 1, md: 4 } },
            { key: "floors", label: t("building.floors"), children: b.floors ?? "—" },
            { key: "units", label: t("building.units"), children: b.units ?? "—" },
            { key: "households", label: t("building.households"), children: households.length },
            { key: "people", label: t("org.residents"), children: people },
          ]}
        />
      </Card>
      <Card title={t("building.households")}>
        <Table<BuildingHousehold>
          rowKey="id"
          size="middle"
          dataSource={households}
          pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
          scroll={{ x: "max-content" }}
          locale={{ emptyText: <EmptyState /> }}
          columns={[
            {
              title: t("household.address"),
              dataIndex: "address",
              render: (address: string, h) => <Link to={`/households/${h.id}`}>{address}</Link>,
            },
            { title: t("household.unitNo"), dataIndex: "unitNo", render: (v: number | null) => v ?? "—" },
            { title: t("household.roomNo"), dataIndex: "roomNo", render: (v: string | null) => v ?? "—" },
            { title: t("household.memberCount"), dataIndex: "members", align: "right" },
            {
              title: t("resident.tags"),
              dataIndex: "tags",
              render: (tags: string[]) => <ResidentTags tags={tags} />,
            },
          ]}
        />
      </Card>
    </Flex>
  );
}
