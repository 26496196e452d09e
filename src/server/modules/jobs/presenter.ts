import { IntOrNull, OneOf, type Static, StrOrNull, Time, TimeOrNull, Type } from "../../platform/schemas.ts";

/** A job ends succeeded, failed, or cancelled (its kind called it off; what was written stays). */
export const JOB_STATES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;

export const JobSchema = Type.Object({
  id: Type.Integer(),
  kind: Type.String(),
  state: OneOf(JOB_STATES),
  /** Items to work through and items done (the progress bar). */
  total: Type.Integer(),
  done: Type.Integer(),
  /** Counts so far; the final ones once the job has succeeded (what depends on the kind). */
  counters: Type.Record(Type.String(), Type.Integer()),
  result: Type.Unsafe<Record<string, unknown> | null>({
    type: ["object", "null"],
    additionalProperties: true,
  }),
  error: StrOrNull,
  createdAt: Time,
  updatedAt: Time,
  finishedAt: TimeOrNull,
  attempts: IntOrNull,
});
export type JobView = Static<typeof JobSchema>;

export interface JobRow {
  id: number;
  kind: string;
  state: string;
  total: number;
  checkpoint: number;
  counters: Record<string, number>;
  result: Record<string, unknown> | null;
  error: string | null;
  attempts: number;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

/** What leaves about a job: never its input (the rows it works through carry personal data). */
export function presentJob(j: JobRow): JobView {
  return {
    id: j.id,
    kind: j.kind,
    state: j.state as JobView["state"],
    total: j.total,
    done: j.checkpoint,
    counters: j.counters ?? {},
    result: j.result,
    error: j.error,
    createdAt: j.createdAt,
    updatedAt: j.updatedAt,
    finishedAt: j.finishedAt,
    attempts: j.attempts,
  };
}
