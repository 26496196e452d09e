import { definePolicy } from "../../platform/policy.ts";

/**
 * A job is read by the account that started it, and only while that account's area still holds the job's
 * (the query carries both: anyone else gets 404, as for a job that does not exist).
 */
export const jobPolicy = definePolicy<{ read: undefined }>(
  { read: (who) => who.kind === "account" },
  { read: "只有发起任务的账号可以查看任务进度" },
);
