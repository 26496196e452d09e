import { DownloadOutlined, PhoneOutlined, UploadOutlined } from "@ant-design/icons";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Button, Card, Flex, Grid, Input, Pagination, Select, Spin, Table, Typography } from "antd";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useSearchParams } from "react-router";
import { api, type Crumb, type OrgNode, qs, type Resident, type ResidentPage } from "../../app/api.ts";
import { useAuth, useMe } from "../../app/auth.tsx";
import { KEY_TAGS } from "../../app/i18n/index.ts";
import { useSelectOrg } from "../../app/selection.tsx";
import { EmptyState, ErrorState } from "../../app/states.tsx";
import { ResidentTags } from "./tags.tsx";

const PAGE_SIZE = 20;

export default function ResidentListPage() {
  const { t } = useTranslation();
  const me = useMe();
  const { can } = useAuth();
  const navigate = useNavigate();
  const screens = Grid.useBreakpoint();
  const phone = screens.md === false;
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const tag = params.get("tag") ?? "";
  const org = Number(params.get("org")) || me.org.id;
  const page = Number(params.get("page")) || 1;
  const [text, setText] = useState(q);
  useEffect(() => setText(q), [q]);
  useSelectOrg(org);

  const scope = useQuery({
    queryKey: ["org", org],
    queryFn: () => api<{ unit: OrgNode; breadcrumb: Crumb[] }>(`/api/orgs/${org}`),
  });
  const filter = { q, tag, org: org === me.org.id ? undefined : org };
  const list = useQuery({
    queryKey: ["residents", filter, page],
    queryFn: () => api<ResidentPage>(`/api/residents${qs({ ...filter, page, pageSize: PAGE_SIZE })}`),
    placeholderData: keepPreviousData,
  });

  function update(changes: Record<string, string | undefined>) {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    if (!("page" in changes)) next.delete("page");
    setParams(next);
  }

  const totalLabel = list.data
    ? list.data.totalCapped
      ? `${list.data.total}+`
      : String(list.data.total)
    : "";
  const totalForPager = list.data ? Math.min(list.data.total, 10_000) : 0;

  const columns = [
    {
      title: t("resident.name"),
      dataIndex: "name",
      render: (name: string, r: Resident) => <Link to={`/residents/${r.id}`}>{name}</Link>,
    },
    { title: t("resident.gender"), dataIndex: "gender", width: 72, render: (g: string) => t(`gender.${g}`) },
    { title: t("resident.age"), dataIndex: "age", width: 64 },
    { title: t("resident.idNumber"), dataIndex: "idNumberMasked" },
    { title: t("resident.phone"), dataIndex: "phoneMasked", render: (p: string | null) => p ?? "—" },
    { title: t("resident.address"), dataIndex: "address", className: "gk-address" },
    {
      title: t("resident.tags"),
      dataIndex: "tags",
      render: (tags: string[]) => <ResidentTags tags={tags} />,
    },
  ];

  return (
    <Flex vertical gap={16}>
      <Flex align="center" gap={8} wrap>
        <Typography.Title level={phone ? 3 : 2} style={{ margin: 0 }}>
          {t("resident.listTitle")}
        </Typography.Title>
        {scope.data && (
          <Typography.Text type="secondary">
            {t("resident.scope", { name: scope.data.unit.name })}
          </Typography.Text>
        )}
      </Flex>

      <Flex gap={12} wrap align="end">
        <Flex vertical gap={4} style={{ flex: "1 1 320px", maxWidth: phone ? undefined : 520 }}>
          <label htmlFor="gk-resident-search">{t("resident.search")}</label>
          <Input.Search
            id="gk-resident-search"
            placeholder={t("resident.searchPlaceholder")}
            value={text}
            allowClear
            enterButton={t("resident.searchButton")}
            size={phone ? "large" : "middle"}
            onChange={(e) => setText(e.target.value)}
            onSearch={(v) => update({ q: v.trim() || undefined })}
          />
        </Flex>
        <Flex vertical gap={4} style={{ flex: phone ? "1 1 100%" : "0 0 180px" }}>
          <label htmlFor="gk-tag-filter">{t("resident.tagFilter")}</label>
          <Select
            id="gk-tag-filter"
            value={tag || ""}
            size={phone ? "large" : "middle"}
            onChange={(v: string) => update({ tag: v || undefined })}
            options={[
              { value: "", label: t("resident.allTags") },
              ...KEY_TAGS.map((k) => ({ value: k, label: t(`tag.${k}`) })),
            ]}
          />
        </Flex>
        {/* A roster is imported for one community, by whoever keeps its registry (grid workers sit below). */}
        {can("resident.write") && scope.data?.unit.kind === "community" && (
          <Button
            icon={<UploadOutlined />}
            size={phone ? "large" : "middle"}
            onClick={() => navigate(`/residents/rosters?org=${org}`)}
            data-testid="roster-import"
          >
            {t("roster.open")}
          </Button>
        )}
        {can("resident.export") && (
          <Button
            icon={<DownloadOutlined />}
            href={`/api/residents/export${qs(filter)}`}
            download="residents.csv"
            size={phone ? "large" : "middle"}
          >
            {t("resident.export")}
          </Button>
        )}
      </Flex>

      {list.error ? (
        <ErrorState error={list.error} onRetry={() => list.refetch()} />
      ) : phone ? (
        <Spin spinning={list.isFetching}>
          {list.data && (
            <Typography.Paragraph type="secondary" data-testid="resident-total">
              {t("resident.total", { total: totalLabel })}
            </Typography.Paragraph>
          )}
          {list.data && list.data.items.length === 0 ? (
            <EmptyState description={t("resident.empty")} />
          ) : (
            <ul className="gk-card-list" aria-label={t("resident.listTitle")}>
              {(list.data?.items ?? []).map((r) => (
                <li key={r.id}>
                  <ResidentCard r={r} />
                </li>
              ))}
            </ul>
          )}
          {list.data && list.data.total > PAGE_SIZE && (
            <Pagination
              simple
              style={{ marginTop: 16, justifyContent: "center" }}
              current={page}
              pageSize={PAGE_SIZE}
              total={totalForPager}
              onChange={(p) => update({ page: String(p) })}
            />
          )}
        </Spin>
      ) : (
        <Table<Resident>
          rowKey="id"
          size="middle"
          loading={list.isFetching}
          dataSource={list.data?.items ?? []}
          columns={columns}
          scroll={{ x: "max-content" }}
          locale={{ emptyText: list.isPending ? " " : <EmptyState description={t("resident.empty")} /> }}
          pagination={{
            current: page,
            pageSize: PAGE_SIZE,
            total: totalForPager,
            showSizeChanger: false,
            showTotal: () => (
              <span data-testid="resident-total">{t("resident.total", { total: totalLabel })}</span>
            ),
            onChange: (p) => update({ page: String(p) }),
          }}
        />
      )}
    </Flex>
  );
}

function ResidentCard({ r }: { r: Resident }) {
  const { t } = useTranslation();
  return (
    <Link to={`/residents/${r.id}`}>
      <Card className="gk-resident-card" hoverable>
        <Flex justify="space-between" align="baseline">
          <Typography.Text strong style={{ fontSize: 18 }}>
            {r.name}
          </Typography.Text>
          <Typography.Text type="secondary">
            {t(`gender.${r.gender}`)} · {t("resident.ageValue", { age: r.age })}
          </Typography.Text>
        </Flex>
        <div className="gk-address" style={{ color: "#555", margin: "6px 0" }}>
          {r.address}
        </div>
        <Flex justify="space-between" align="center" wrap gap={4}>
          <span>
            <ResidentTags tags={r.tags} />
          </span>
          {r.phoneMasked && (
            <Typography.Text type="secondary">
              <PhoneOutlined /> {r.phoneMasked}
            </Typography.Text>
          )}
        </Flex>
      </Card>
    </Link>
  );
}
