import { useQuery } from "@tanstack/react-query";
import { Button, Card, Col, Flex, Row, Statistic, Table, Tag, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { api, type BuildingSummary, type Crumb, type OrgNode, type OrgStats, qs } from "../../app/api.ts";
import { useSelectOrg } from "../../app/selection.tsx";
import { EmptyState, ErrorState, PageLoading } from "../../app/states.tsx";
import { TagChart } from "./TagChart.tsx";

export default function OrgPage() {
  const { t } = useTranslation();
  const id = Number(useParams().id);
  useSelectOrg(id);
  const org = useQuery({
    queryKey: ["org", id],
    queryFn: () => api<{ unit: OrgNode; breadcrumb: Crumb[] }>(`/api/orgs/${id}`),
  });
  const stats = useQuery({
    queryKey: ["orgStats", id],
    queryFn: () => api<OrgStats>(`/api/orgs/${id}/stats`),
  });
  const children = useQuery({
    queryKey: ["orgs", "children", id],
    queryFn: () => api<{ items: OrgNode[] }>(`/api/orgs${qs({ parent: id })}`),
  });
  const buildings = useQuery({
    queryKey: ["buildings", id],
    queryFn: () => api<{ items: BuildingSummary[] }>(`/api/buildings${qs({ org: id })}`),
  });

  if (org.isPending) return <PageLoading />;
  if (org.error) return <ErrorState error={org.error} onRetry={() => org.refetch()} />;
  const unit = org.data.unit;
  const keyTotal = stats.data ? Object.values(stats.data.tags).reduce((a, b) => a + b, 0) : 0;

  return (
    <Flex vertical gap={16}>
      <Flex align="center" gap={8} wrap>
        <Typography.Title level={2} style={{ margin: 0 }}>
          {unit.name}
        </Typography.Title>
        <Tag color="geekblue">{t(`kind.${unit.kind}`)}</Tag>
        <Typography.Text type="secondary">{unit.code}</Typography.Text>
        <Link to={`/residents${qs({ org: id })}`} style={{ marginLeft: "auto" }}>
          <Button type="primary">{t("org.viewResidents")}</Button>
        </Link>
      </Flex>

      {stats.error ? (
        <ErrorState error={stats.error} onRetry={() => stats.refetch()} />
      ) : (
        <Row gutter={[16, 16]}>
          {(
            [
              ["residents", stats.data?.residents],
              ["households", stats.data?.households],
              ["buildings", stats.data?.buildings],
              ["keyPopulation", stats.data ? keyTotal : undefined],
            ] as const
          ).map(([key, value]) => (
            <Col xs={12} md={6} key={key}>
              <Card>
                <Statistic title={t(`org.${key}`)} value={value ?? 0} loading={stats.isPending} />
              </Card>
            </Col>
          ))}
        </Row>
      )}

      <Card title={t("org.chartTitle")}>
        {stats.data ? <TagChart counts={stats.data.tags} /> : <PageLoading />}
      </Card>

      {children.data && children.data.items.length > 0 && (
        <Card title={t("org.subUnits")}>
          <Flex wrap gap={8}>
            {children.data.items.map((c) => (
              <Link key={c.id} to={`/orgs/${c.id}`}>
                <Button>{c.name}</Button>
              </Link>
            ))}
          </Flex>
        </Card>
      )}

      <Card title={t("org.buildingList")}>
        {buildings.error ? (
          <ErrorState error={buildings.error} />
        ) : (
          <Table<BuildingSummary>
            rowKey="id"
            size="middle"
            loading={buildings.isPending}
            dataSource={buildings.data?.items ?? []}
            pagination={{ pageSize: 10, showSizeChanger: false, hideOnSinglePage: true }}
            locale={{ emptyText: <EmptyState description={t("org.noBuildings")} /> }}
            scroll={{ x: "max-content" }}
            columns={[
              {
                title: t("org.buildingName"),
                dataIndex: "name",
                render: (name: string, b) => <Link to={`/buildings/${b.id}`}>{name}</Link>,
              },
              { title: t("org.address"), dataIndex: "address" },
              { title: t("org.householdCount"), dataIndex: "households", align: "right" },
            ]}
          />
        )}
      </Card>
    </Flex>
  );
}
