import { useQuery } from "@tanstack/react-query";
import { Select, Tag } from "antd";
import { useState } from "react";
import { type Answer, api, qs } from "../../app/api.ts";

export type MaBox = Answer<"/api/mutual-aid/boxes">["items"][number];
export type MaBoxDetail = Answer<"/api/mutual-aid/boxes/{id}">;
export type MaStock = Answer<"/api/mutual-aid/medicines">["items"][number];
export type MaRequest = Answer<"/api/mutual-aid/requests">["items"][number];
export type MaPoint = Answer<"/api/mutual-aid/points">["items"][number];
export type MaEvent = Answer<"/api/mutual-aid/events">["items"][number];
export type MaEventDetail = Answer<"/api/mutual-aid/events/{id}">;
export type MaNotice = Answer<"/api/mutual-aid/notices">["items"][number];
export type PublicPoint = Answer<"/api/public/service-points">["items"][number];

export const SLA_COLORS: Record<string, string> = { ok: "green", warning: "orange", overdue: "red" };
export const EXPIRY_COLORS: Record<string, string> = { ok: "default", expiring: "orange", expired: "red" };

export function SlaTag({ sla, label }: { sla: string; label: string }) {
  return <Tag color={SLA_COLORS[sla] ?? "default"}>{label}</Tag>;
}

/** Minutes left (negative when late) to a deadline, in words. */
export function minutesLeft(due: string, now = Date.now()): number {
  return Math.round((new Date(due).getTime() - now) / 60_000);
}

type ResidentHit = Answer<"/api/residents">["items"][number];

/** A resident of the caller's subtree, found by name or phone tail. */
export function ResidentPicker({
  id,
  value,
  onChange,
  placeholder,
  ariaLabel,
}: {
  id?: string;
  ariaLabel?: string;
  value?: number;
  onChange?: (id: number) => void;
  placeholder?: string;
}) {
  const [q, setQ] = useState("");
  const found = useQuery({
    queryKey: ["ma", "residents", q],
    queryFn: () => api<{ items: ResidentHit[] }>(`/api/residents${qs({ q, pageSize: 20 })}`),
    enabled: q.trim().length >= 1,
  });
  return (
    <Select
      id={id}
      showSearch
      value={value}
      placeholder={placeholder}
      aria-label={ariaLabel}
      filterOption={false}
      onSearch={setQ}
      onChange={(v) => onChange?.(v)}
      loading={found.isFetching}
      notFoundContent={null}
      options={(found.data?.items ?? []).map((r) => ({
        value: r.id,
        label: `${r.name} · ${r.age}岁 · ${r.address}`,
      }))}
      style={{ width: "100%" }}
    />
  );
}
