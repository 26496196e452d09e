import { LeftOutlined, RightOutlined } from "@ant-design/icons";
import { Button, Select, Space } from "antd";
import { useTranslation } from "react-i18next";
import { MAIN_RATES as MAIN } from "../../../domain/rates/rates.ts";
import type { Rate, RateName } from "../../app/api.ts";
import { formatMonth } from "../../app/time.ts";

/** This month in Asia/Shanghai, as YYYY-MM. */
export function thisMonth(now = new Date()): string {
  return formatMonth(now);
}

export function shiftMonth(month: string, by: number): string {
  const [y, m] = month.split("-").map(Number);
  const i = y * 12 + (m - 1) + by;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`;
}

/** A month picker: the last two years in a list, with previous / next buttons. */
export function MonthPicker({ value, onChange }: { value: string; onChange: (m: string) => void }) {
  const { t } = useTranslation();
  const latest = thisMonth();
  const months = Array.from({ length: 24 }, (_, i) => shiftMonth(latest, -i));
  if (!months.includes(value)) months.push(value);
  const label = (m: string) => t("rates.monthLabel", { year: m.slice(0, 4), month: Number(m.slice(5)) });
  return (
    <Space.Compact>
      <Button
        icon={<LeftOutlined />}
        aria-label={t("rates.prevMonth")}
        onClick={() => onChange(shiftMonth(value, -1))}
      />
      <Select
        aria-label={t("rates.month")}
        value={value}
        onChange={onChange}
        style={{ width: 136 }}
        options={months.map((m) => ({ value: m, label: label(m) }))}
      />
      <Button
        icon={<RightOutlined />}
        aria-label={t("rates.nextMonth")}
        disabled={value >= latest}
        onClick={() => onChange(shiftMonth(value, 1))}
      />
    </Space.Compact>
  );
}

/** 87.5% — or — when the denominator is empty. */
export function percent(r: Rate | undefined | null, digits = 1): string {
  if (!r || r.value === null) return "—";
  return `${(r.value * 100).toFixed(digits)}%`;
}

/** The five rates of DESIGN §3, then the two where lower is better. */
export const MAIN_RATES: RateName[] = [...MAIN]; // one list, in domain/rates
export const LOWER_IS_BETTER: RateName[] = ["rework_rate", "extension_rate"];

export function RateCell({ rate }: { rate: Rate }) {
  return (
    <span style={{ whiteSpace: "nowrap" }}>
      {percent(rate)}
      <span style={{ color: "#8c8c8c", fontSize: 12, marginInlineStart: 6 }}>
        {rate.numerator}/{rate.denominator}
      </span>
    </span>
  );
}
