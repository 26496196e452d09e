import { ApartmentOutlined, PhoneOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Card, Flex, Tag, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { useParams } from "react-router";
import { api, type OnDuty, type OnDutySlot } from "../../app/api.ts";
import { LangSwitch } from "../../app/Shell.tsx";
import { ErrorState, PageLoading } from "../../app/states.tsx";
import { formatTime } from "./common.tsx";
import "./care.css";

/** Public, no login: who on the 爱心专班 answers right now and on the next shift, with tap-to-call phones. */
export default function DutyPage() {
  const { t } = useTranslation();
  const id = Number(useParams().communityId);
  const duty = useQuery({
    queryKey: ["public", "duty", id],
    queryFn: () => api<OnDuty>(`/api/public/care-teams/${id}/on-duty`),
    refetchInterval: 300_000,
  });
  return (
    <div className="gk-care-public">
      <div className="gk-care-public-inner">
        <Flex align="center" justify="space-between">
          <span className="gk-logo gk-logo-inline">
            <ApartmentOutlined /> {t("app.name")}
          </span>
          <LangSwitch size="small" />
        </Flex>
        {duty.isPending ? (
          <PageLoading />
        ) : duty.error ? (
          <ErrorState error={duty.error} onRetry={() => duty.refetch()} />
        ) : (
          <>
            <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
              {t("care.duty.title", { name: duty.data.community.name })}
            </Typography.Title>
            <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
              {t("care.duty.intro")}
            </Typography.Paragraph>
            {duty.data.community.dutyPhone && (
              <Card size="small" data-testid="duty-hotline">
                <Flex justify="space-between" align="center" gap={8} wrap>
                  <Typography.Text strong>{t("care.duty.hotline")}</Typography.Text>
                  <a
                    href={`tel:${duty.data.community.dutyPhone}`}
                    className="gk-care-tel"
                    aria-label={t("care.duty.callHotline")}
                  >
                    <PhoneOutlined /> {duty.data.community.dutyPhone}
                  </a>
                </Flex>
              </Card>
            )}
            <Slot slot={duty.data.current} now hotline={duty.data.community.dutyPhone} />
            <Slot slot={duty.data.next} hotline={duty.data.community.dutyPhone} />
          </>
        )}
      </div>
    </div>
  );
}

function Slot({ slot, now, hotline }: { slot: OnDutySlot; now?: boolean; hotline: string | null }) {
  const { t } = useTranslation();
  return (
    <Card
      data-testid={now ? "duty-current" : "duty-next"}
      title={
        <h2 style={{ font: "inherit", margin: 0 }}>
          {t(now ? "care.duty.now" : "care.duty.next")} · {t(`care.shift.${slot.shift}`)}
        </h2>
      }
      extra={
        <Typography.Text type="secondary">
          {formatTime(slot.start)} – {formatTime(slot.end).slice(-5)}
        </Typography.Text>
      }
    >
      {slot.members.length === 0 ? (
        <Typography.Text type="warning">
          {hotline ? t("care.duty.nobodyCall", { phone: hotline }) : t("care.duty.nobody")}
        </Typography.Text>
      ) : (
        <ul className="gk-care-duty-list">
          {slot.members.map((m) => (
            <li key={`${m.teamRole}-${m.name}-${m.phone}`}>
              <Flex gap={8} align="center" style={{ minWidth: 0 }}>
                <Tag color="blue">{t(`care.teamRole.${m.teamRole}`, { defaultValue: m.teamRoleLabel })}</Tag>
                <span style={{ fontSize: 16 }}>{m.name}</span>
              </Flex>
              <a
                href={`tel:${m.phone}`}
                className="gk-care-tel"
                aria-label={t("care.duty.call", { name: m.name })}
              >
                <PhoneOutlined /> {m.phone}
              </a>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
