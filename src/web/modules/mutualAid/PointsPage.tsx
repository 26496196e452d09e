import { useQuery } from "@tanstack/react-query";
import { Card, Empty, Flex, Segmented, Space, Tag, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { api, qs } from "../../app/api.ts";
import { ErrorState, PageLoading } from "../../app/states.tsx";
import type { PublicPoint } from "./common.tsx";
import { PointsMap } from "./PointsMap.tsx";

const KINDS = ["party_center", "rest_station", "reading_corner", "medicine_box_site"] as const;

/** The public service-point directory (no account): places, hours, services and their phones; no person. */
export default function PointsPage() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const unit = params.get("unit") ?? undefined;
  const [kind, setKind] = useState<string>("all");
  const list = useQuery({
    queryKey: ["public", "points", unit, kind],
    queryFn: () =>
      api<{ items: PublicPoint[] }>(
        `/api/public/service-points${qs({ unit, kind: kind === "all" ? undefined : kind })}`,
      ),
  });
  return (
    <Flex vertical gap={12} style={{ maxWidth: 720, margin: "0 auto", padding: 16 }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t("mutualAid.points.publicTitle")}
      </Typography.Title>
      <Segmented
        value={kind}
        onChange={(v) => setKind(String(v))}
        options={[
          { value: "all", label: t("mutualAid.points.all") },
          ...KINDS.slice(0, 3).map((k) => ({ value: k, label: t(`mutualAid.points.kind.${k}`) })),
        ]}
        style={{ overflowX: "auto", maxWidth: "100%" }}
      />
      {list.isLoading ? (
        <PageLoading />
      ) : list.error ? (
        <ErrorState error={list.error} />
      ) : list.data!.items.length === 0 ? (
        <Empty description={t("mutualAid.points.empty")} />
      ) : (
        <>
          <PointsMap points={list.data!.items} height={300} />
          {list.data!.items.map((p) => (
            <Card key={p.id} size="small" title={p.name} extra={<Tag color="blue">{p.kindLabel}</Tag>}>
              <Flex vertical gap={4}>
                <Typography.Text>{p.address}</Typography.Text>
                <Typography.Text type="secondary">
                  {t("mutualAid.points.hours")}：{p.hours}
                </Typography.Text>
                {p.phone && (
                  <Typography.Text type="secondary">
                    {t("mutualAid.points.phone")}：<a href={`tel:${p.phone}`}>{p.phone}</a>
                  </Typography.Text>
                )}
                <Space wrap size={4}>
                  {p.services.map((s) => (
                    <Tag key={s}>{s}</Tag>
                  ))}
                  {p.boxes > 0 && <Tag color="green">{t("mutualAid.points.boxes")}</Tag>}
                </Space>
              </Flex>
            </Card>
          ))}
        </>
      )}
    </Flex>
  );
}
