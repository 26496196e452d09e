import { useQueryClient } from "@tanstack/react-query";
import { App } from "antd";
import { type Answer, ApiError } from "../../app/api.ts";

export type Project = Answer<"/api/affairs/projects">["items"][number];
export type Proposal = Answer<"/api/affairs/proposals">["items"][number];
export type Topic = Answer<"/api/affairs/deliberations">["items"][number];
export type TopicDetail = Answer<"/api/affairs/deliberations/{id}">;
export type BoardRow = Answer<"/api/affairs/key-projects">["items"][number];
export type KeyDetail = Answer<"/api/affairs/key-projects/{id}">;
export type Enterprise = Answer<"/api/affairs/enterprises">["items"][number];
export type Rectification = Answer<"/api/affairs/rectifications">["items"][number];
export type Assignment = Answer<"/api/affairs/inspections/mine">["items"][number];
export type PublicList = Answer<"/api/public/affairs/projects">;
export type Quarter = Answer<"/api/affairs/quarters">["items"][number];
export type PublicArchive = Answer<"/api/public/affairs/archive">;
export type PublicTopic = Answer<"/api/public/affairs/deliberations/{id}">;

/** Runs a write, says so, and refreshes the module's queries; errors are shown with the server's words. */
export function useAct() {
  const { message } = App.useApp();
  const qc = useQueryClient();
  return async <T,>(fn: () => Promise<T>, ok = "已完成") => {
    try {
      const r = await fn();
      message.success(ok);
      await qc.invalidateQueries({ queryKey: ["affairs"] });
      return r;
    } catch (e) {
      message.error(e instanceof ApiError ? e.message : String(e));
      return undefined;
    }
  };
}

export const pct = (r: number | null | undefined) => (r == null ? "—" : `${Math.round(r * 1000) / 10}%`);
export const yuan = (n: number) => (n >= 10_000 ? `${Math.round(n / 1000) / 10} 万元` : `${n} 元`);

export function thisQuarter(d = new Date()) {
  return `${d.getFullYear()}Q${Math.floor(d.getMonth() / 3) + 1}`;
}
