import { useQuery } from "@tanstack/react-query";
import { Button, Card, Descriptions, Flex, Table, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { api, type Household, type Resident } from "../../app/api.ts";
import { useAuth } from "../../app/auth.tsx";
import { useSelectOrg } from "../../app/selection.tsx";
import { EmptyState, ErrorState, PageLoading } from "../../app/states.tsx";
import { AddResident } from "./AddResident.tsx";
import { ResidentTags } from "./tags.tsx";

export default function HouseholdPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const id = Number(useParams().id);
  const q = useQuery({
    queryKey: ["household", id],
    queryFn: () => api<{ household: Household; members: Resident[] }>(`/api/households/${id}`),
  });
  useSelectOrg(q.data?.household.orgUnitId);

  if (q.isPending) return <PageLoading />;
  if (q.error) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  const { household: h, members } = q.data;

  return (
    <Flex vertical gap={16}>
      <Typography.Title level={2} style={{ marginTop: 0 }}>
        {t("household.title")}
      </Typography.Title>
      <Card>
        <Descriptions
          column={{ xs: 1, md: 3 }}
          items={[
            { key: "address", label: t("household.address"), children: h.address, span: { xs: 1, md: 3 } },
            { key: "unit", label: t("household.unitNo"), children: h.unitNo ?? "—" },
            { key: "room", label: t("household.roomNo"), children: h.roomNo ?? "—" },
            { key: "count", label: t("household.memberCount"), children: members.length },
          ]}
        />
        <Flex gap={12} wrap style={{ marginTop: 8 }}>
          <Link to={`/buildings/${h.buildingId}`}>
            <Button>{t("resident.viewBuilding")}</Button>
          </Link>
          {can("resident.write") && <AddResident householdId={h.id} />}
        </Flex>
      </Card>
      <Card title={t("household.members")}>
        <Table<Resident>
          rowKey="id"
          size="middle"
          pagination={false}
          dataSource={members}
          scroll={{ x: "max-content" }}
          locale={{ emptyText: <EmptyState /> }}
          columns={[
            {
              title: t("resident.name"),
              dataIndex: "name",
              render: (name: string, r) => <Link to={`/residents/${r.id}`}>{name}</Link>,
            },
            {
              title: t("resident.relation"),
              dataIndex: "relationLabel",
              render: (v: string | null) => v ?? "—",
            },
            { title: t("resident.gender"), dataIndex: "gender", render: (g: string) => t(`gender.${g}`) },
            { title: t("resident.age"), dataIndex: "age" },
            { title: t("resident.phone"), dataIndex: "phoneMasked", render: (v: string | null) => v ?? "—" },
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
