import { useQuery } from "@tanstack/react-query";
import { Alert, Button } from "antd";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { type Answer, api } from "../../app/api.ts";
import { useAuth } from "../../app/auth.tsx";

/**
 * Shown to those who can enter holidays when the coming year has none: from 1 January the 12345 clocks
 * would otherwise count 春节 as working days.
 */
export function HolidayCoverageBanner() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const navigate = useNavigate();
  const manage = can("holiday.manage");
  const cov = useQuery({
    queryKey: ["holidays", "coverage"],
    queryFn: () => api<Answer<"/api/holidays/coverage">>("/api/holidays/coverage"),
    enabled: manage,
    staleTime: 10 * 60_000,
  });
  if (!manage || !cov.data || cov.data.covered) return null;
  return (
    <Alert
      type="warning"
      showIcon
      banner
      // Room before the page's heading, which otherwise sits on the banner's edge.
      style={{ marginBottom: 16 }}
      data-testid="holiday-coverage-banner"
      title={t("holidays.banner", { year: cov.data.year })}
      action={
        <Button size="small" onClick={() => navigate("/admin/holidays")}>
          {t("holidays.bannerAction")}
        </Button>
      }
    />
  );
}
