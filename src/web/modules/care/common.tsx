import { Tag } from "antd";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import type { CareDueState, VitalLevel } from "../../app/api.ts";
import { useMe } from "../../app/auth.tsx";
import { useSelectOrg } from "../../app/selection.tsx";

// Small pieces the care screens share: the unit in scope, times in Shanghai, coloured state tags,
// and server field errors placed on form fields.

/** The unit a scoped care page shows: ?org= or the account's own; the navigator follows it. */
export function useScopeOrg(): { org: number; own: boolean; param: number | undefined } {
  const me = useMe();
  const [params] = useSearchParams();
  const org = Number(params.get("org")) || me.org.id;
  useSelectOrg(org);
  return { org, own: org === me.org.id, param: org === me.org.id ? undefined : org };
}

export { formatDate, formatTime } from "../../app/time.ts";

export const LEVEL_COLORS: Record<VitalLevel, string> = {
  normal: "green",
  attention: "gold",
  abnormal: "orange",
  critical: "red",
};

export function LevelTag({ level, label }: { level: VitalLevel; label?: string }) {
  const { t } = useTranslation();
  return (
    <Tag color={LEVEL_COLORS[level]} data-level={level}>
      {t(`care.level.${level}`, { defaultValue: label ?? level })}
    </Tag>
  );
}

export const DUE_COLORS: Record<CareDueState, string> = {
  overdue: "red",
  due: "orange",
  due_soon: "blue",
  scheduled: "default",
};

/** The server's label ("已逾期 3 天") in Chinese; in English a translated one. */
export function DueTag({ state, label, days }: { state: CareDueState; label: string; days?: number }) {
  const { t, i18n } = useTranslation();
  const text = i18n.language === "en" ? t(`care.due.${state}`, { count: days ?? 0 }) : label;
  return (
    <Tag color={DUE_COLORS[state]} data-state={state}>
      {text}
    </Tag>
  );
}

export const REFERRAL_COLORS: Record<string, string> = {
  requested: "blue",
  accepted: "cyan",
  scheduled: "geekblue",
  completed: "green",
  returned_to_community: "purple",
  declined: "red",
  cancelled: "default",
};

export function ReferralStateTag({ state, label }: { state: string; label: string }) {
  const { t } = useTranslation();
  return (
    <Tag color={REFERRAL_COLORS[state]} data-testid="referral-state" data-state={state}>
      {t(`care.referralState.${state}`, { defaultValue: label })}
    </Tag>
  );
}

export { useFormSubmit } from "../../app/forms.ts";

/** A new submission id for an idempotent write (a retry resends the same one). */
export function newClientId(): string {
  if (typeof crypto !== "undefined" && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return `c-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}
