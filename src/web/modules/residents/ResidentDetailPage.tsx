import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Button, Card, Descriptions, Flex, Grid, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { api, type Resident } from "../../app/api.ts";
import { useAuth } from "../../app/auth.tsx";
import { useSelectOrg } from "../../app/selection.tsx";
import { ErrorState, PageLoading } from "../../app/states.tsx";
import { EditResident } from "./EditResident.tsx";
import { RevealableValue } from "./RevealButton.tsx";
import { ResidentTags } from "./tags.tsx";

export default function ResidentDetailPage() {
  const { t } = useTranslation();
  const id = Number(useParams().id);
  const { can } = useAuth();
  const qc = useQueryClient();
  const screens = Grid.useBreakpoint();
  const q = useQuery({ queryKey: ["resident", id], queryFn: () => api<Resident>(`/api/residents/${id}`) });
  useSelectOrg(q.data?.orgUnitId);

  if (q.isPending) return <PageLoading />;
  if (q.error) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  const r = q.data;
  const reveal = can("resident.reveal");

  return (
    <Flex vertical gap={16}>
      <Flex align="center" gap={12} wrap>
        <Typography.Title level={2} style={{ margin: 0 }}>
          {r.name}
        </Typography.Title>
        <Typography.Text type="secondary">{t("resident.detailTitle")}</Typography.Text>
        <span style={{ marginLeft: "auto" }}>
          {can("resident.write") && (
            <EditResident resident={r} onSaved={(next) => qc.setQueryData(["resident", id], next)} />
          )}
        </span>
      </Flex>
      <Card>
        <Descriptions
          column={screens.md ? 2 : 1}
          bordered={!!screens.md}
          items={[
            { key: "name", label: t("resident.name"), children: r.name },
            { key: "gender", label: t("resident.gender"), children: t(`gender.${r.gender}`) },
            {
              key: "birth",
              label: t("resident.birthDate"),
              children: `${r.birthDate}（${t("resident.ageValue", { age: r.age })}）`,
            },
            {
              key: "id",
              label: t("resident.idNumber"),
              children: (
                <RevealableValue
                  residentId={r.id}
                  field="idNumber"
                  masked={r.idNumberMasked}
                  allowed={reveal}
                />
              ),
            },
            {
              key: "phone",
              label: t("resident.phone"),
              children: (
                <RevealableValue residentId={r.id} field="phone" masked={r.phoneMasked} allowed={reveal} />
              ),
            },
            {
              key: "relation",
              label: t("resident.relation"),
              children: r.relationLabel ?? t("resident.none"),
            },
            { key: "living", label: t("resident.living"), children: r.livingLabel ?? t("resident.none") },
            {
              key: "tags",
              label: t("resident.tags"),
              children: r.tags.length ? <ResidentTags tags={r.tags} /> : t("resident.none"),
            },
            { key: "address", label: t("resident.address"), children: r.address, span: screens.md ? 2 : 1 },
          ]}
        />
        <Flex gap={12} wrap style={{ marginTop: 16 }}>
          {r.householdId && (
            <Link to={`/households/${r.householdId}`}>
              <Button>{t("resident.viewHousehold")}</Button>
            </Link>
          )}
          {r.buildingId && (
            <Link to={`/buildings/${r.buildingId}`}>
              <Button>{t("resident.viewBuilding")}</Button>
            </Link>
          )}
          {can("care.read") && (
            <Link to={`/care/residents/${r.id}`}>
              <Button>{t("resident.viewHealth")}</Button>
            </Link>
          )}
        </Flex>
      </Card>
    </Flex>
  );
}
