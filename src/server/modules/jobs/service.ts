import { sql } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { subtreePattern } from "../../../domain/org/scope.ts";
import type { Actor, AppContext, Principal } from "../../context.ts";
import { AppError, NotFound } from "../../platform/errors.ts";
import { backgroundRunner, type Runner } from "../../platform/runner.ts";
import { jobPolicy } from "./policy.ts";
import { type JobRow, presentJob } from "./presenter.ts";

// Background jobs. A job's input is stored with it; the runner works through it a chunk at a time, each
// chunk one transaction that also moves the checkpoint, then steps aside so other requests get the
// database (PGlite has one connection: a 7,000-row import in one transaction held it for 19 s). A process
// that dies leaves whole chunks and a checkpoint; jobs it left `running` are resumed from there when a
// process starts (and by the periodic sweep, once their heartbeat is older than a minute).

/** What a kind of job does with its items. */
export interface JobKind<I> {
  /** Items per transaction: small enough that nobody waits long for the connection. */
  chunkSize: number;
  /** Writes one chunk inside `tx` and returns what to add to the job's counters. */
  writeChunk(tx: Db, job: RunningJob, items: I[]): Promise<Record<string, number>>;
  /** After the last chunk, in its own transaction: the result shown to the owner (and the audit entry). */
  finish(tx: Db, job: RunningJob, counters: Record<string, number>): Promise<Record<string, unknown>>;
}

export interface RunningJob {
  id: number;
  kind: string;
  ownerId: number;
  ownerName: string;
  orgUnitId: number;
  orgPath: string;
  total: number;
}

const kinds = new Map<string, JobKind<any>>();

export function defineJobKind<I>(kind: string, def: JobKind<I>) {
  kinds.set(kind, def);
}

/** Thrown inside a chunk when the process stops: the chunk rolls back, as it would if the process died. */
class Halted extends Error {}

/**
 * Thrown by a kind's `writeChunk` or `finish` when the job was called off (the kind keeps who called it off
 * and why): the chunk rolls back and the job ends `cancelled` with the message, what earlier chunks wrote
 * staying. Not a failure: nothing went wrong.
 */
export class JobCancelled extends Error {}

/** Pause between chunks: requests queued on the connection meanwhile go first. */
const YIELD_MS = 5;
/** A running job whose heartbeat is older than this has lost its process. */
export const STALE_MS = 60_000;

const JOB_COLUMNS = `id, kind, state, total, checkpoint, counters, result, error, attempts,
  owner_id as "ownerId", owner_name as "ownerName", org_unit_id as "orgUnitId", org_path as "orgPath",
  created_at as "createdAt", updated_at as "updatedAt", finished_at as "finishedAt"`;

async function execRows<T>(db: Db, q: ReturnType<typeof sql>): Promise<T[]> {
  return ((await db.execute(q)) as unknown as { rows: T[] }).rows;
}

/** Stores a job with its input and starts it in this process. Answers at once (the caller gives 202). */
export async function startJob<I>(
  ctx: AppContext,
  owner: Actor,
  kind: string,
  scope: { orgUnitId: number; orgPath: string },
  input: I[],
) {
  if (!kinds.has(kind)) throw new Error(`unknown job kind ${kind}`);
  const [row] = await ctx.database.query<JobRow>(
    `insert into jobs (kind, owner_id, owner_name, org_unit_id, org_path, input, total)
     values ($1, $2, $3, $4, $5, $6::jsonb, $7) returning ${JOB_COLUMNS}`,
    [kind, owner.id, owner.displayName, scope.orgUnitId, scope.orgPath, JSON.stringify(input), input.length],
  );
  kick(ctx, row.id);
  return presentJob(row);
}

/** Per database: what this process is running, and whether it has been told to stop. */
const runs = backgroundRunner(runJob);
const kick = (ctx: AppContext, id: number, staleMs = STALE_MS) => runs.kick(ctx, id, staleMs);

async function runJob(ctx: AppContext, runner: Runner, id: number, staleMs = STALE_MS) {
  const { db } = ctx.database;
  const [job] = await ctx.database.query<
    RunningJob & { checkpoint: number; counters: Record<string, number>; input: unknown[] }
  >(
    `update jobs set state = 'running', attempts = attempts + 1, heartbeat_at = now(), updated_at = now()
     where id = $1 and (state = 'queued' or (state = 'running' and (heartbeat_at is null
       or heartbeat_at < now() - make_interval(secs => $2::int / 1000.0))))
     returning ${JOB_COLUMNS}, input`,
    [id, staleMs],
  );
  if (!job) return;
  const def = kinds.get(job.kind);
  let { checkpoint } = job;
  let counters = { ...job.counters };
  try {
    if (!def) throw new AppError(500, "internal", `未知的任务类型 ${job.kind}`);
    while (checkpoint < job.total) {
      if (runner.halted) return;
      const items = job.input.slice(checkpoint, checkpoint + def.chunkSize);
      const next = await db.transaction(async (txRaw) => {
        const tx = txRaw as unknown as Db;
        const delta = await def.writeChunk(tx, job, items);
        if (runner.halted) throw new Halted();
        const merged = { ...counters };
        for (const [k, v] of Object.entries(delta)) merged[k] = (merged[k] ?? 0) + v;
        const moved = await execRows(
          tx,
          sql`update jobs set checkpoint = ${checkpoint + items.length}, counters = ${JSON.stringify(merged)}::jsonb,
            heartbeat_at = now(), updated_at = now()
            where id = ${job.id} and checkpoint = ${checkpoint} and state = 'running' returning id`,
        );
        // Another process took the job over (ours was thought dead): leave it to that one.
        if (!moved.length) throw new Halted();
        return merged;
      });
      checkpoint += items.length;
      counters = next;
      await new Promise((r) => setTimeout(r, YIELD_MS));
    }
    if (runner.halted) return;
    await db.transaction(async (txRaw) => {
      const tx = txRaw as unknown as Db;
      const result = await def.finish(tx, job, counters);
      await tx.execute(sql`update jobs set state = 'succeeded', result = ${JSON.stringify(result)}::jsonb,
        heartbeat_at = now(), finished_at = now(), updated_at = now() where id = ${job.id}`);
    });
  } catch (e) {
    if (e instanceof Halted || runner.halted) return;
    if (e instanceof JobCancelled) {
      await ctx.database
        .query(
          `update jobs set state = 'cancelled', error = $2, finished_at = now(), updated_at = now()
           where id = $1 and state = 'running'`,
          [job.id, e.message],
        )
        .catch(() => {});
      return;
    }
    const message =
      e instanceof AppError && e.status < 500 ? e.message : "任务执行出错，已写入的部分完整保留，可重新导入";
    await ctx.database
      .query(
        `update jobs set state = 'failed', error = $2, finished_at = now(), updated_at = now() where id = $1`,
        [job.id, message],
      )
      .catch(() => {});
  }
}

/**
 * Picks up what no live process is running: queued jobs, and running ones whose heartbeat is older than
 * `staleMs`. At start on PGlite every running job is dead (one process), so it passes 0.
 */
export async function resumeJobs(ctx: AppContext, staleMs = STALE_MS): Promise<number[]> {
  return runs.resume(ctx, staleMs, () =>
    ctx.database.query<{ id: number }>(
      `select id from jobs where state = 'queued' or (state = 'running' and (heartbeat_at is null
       or heartbeat_at < now() - make_interval(secs => $1::int / 1000.0))) order by id`,
      [staleMs],
    ),
  );
}

/**
 * Stops this process's jobs where they stand, as a process that exits would (a chunk in flight rolls back;
 * the jobs stay `running` for the next start to resume). Used when the server closes, and by tests.
 */
export async function haltJobs(ctx: AppContext) {
  await runs.halt(ctx);
}

/** Resolves when this process has no job left running (tests and the benchmark wait on it). */
export async function settleJobs(ctx: AppContext) {
  await runs.settle(ctx);
}

/** A job as its owner sees it; anyone else, or the owner moved out of the job's area, gets 404. */
export async function getJob(ctx: AppContext, who: Principal, id: number) {
  jobPolicy.authorize(who, "read");
  const actor = who as Actor;
  const [row] = await ctx.database.query<JobRow>(
    `select ${JOB_COLUMNS} from jobs where id = $1 and owner_id = $2 and org_path like $3`,
    [id, actor.id, subtreePattern(actor.orgPath)],
  );
  if (!row) throw NotFound("任务不存在");
  return presentJob(row);
}
