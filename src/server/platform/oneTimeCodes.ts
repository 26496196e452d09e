import crypto from "node:crypto";
import { sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import {
  CODES_PER_ADDRESS_HOUR,
  CODES_PER_PHONE_HOUR,
  type CodePurpose,
  codeUsable,
  GUESS_LOCK_MS,
  MAX_GUESSES,
  newCode,
  PASS_TTL_MS,
  PURPOSE_TTL_MS,
  RESEND_GAP_MS,
  sameCode,
} from "../../domain/oneTimeCodes/codes.ts";
import type { AppContext } from "../context.ts";
import * as notifications from "../modules/notifications/index.ts";
import { systemPrincipal } from "./access.ts";
import * as audit from "./audit.ts";
import { type AppError, TooMany, Unauthenticated } from "./errors.ts";
import { clearFailures, countFailure, failureKey, lockedFor, lockKeys } from "./failureCounts.ts";

/**
 * One-time codes to a phone, for every purpose that needs a phone proven: the resident app's sign-in, rating a
 * practical project 评单, a household's vote in a deliberation. One table (`one_time_codes`, a row per purpose
 * and phone), one set of rules: a code lives minutes, is sent through the notifications outbox (and in a demo
 * database printed to the console, there being no SMS gateway), is asked for at most once a minute and a few
 * times an hour per phone and per client address, and five wrong guesses lock the phone out for that purpose
 * (429 with Retry-After). A code is stored only as a keyed hash. A rating or a vote trades the right code for a
 * pass, good for half an hour, that names the phone without the page holding the phone.
 */

/** What each purpose's message says and how its keys are named (the sign-in keeps the names its counts had). */
const PURPOSE: Record<
  CodePurpose,
  { scope: string; kind: string; title: string; body: (c: string) => string; demo: string }
> = {
  resident_sign_in: {
    scope: "resident-code",
    kind: "resident.code",
    title: "网格管家验证码",
    body: (c) => `您的登录验证码是 ${c}，5 分钟内有效。请勿告诉他人。`,
    demo: "居民端验证码",
  },
  project_rating: {
    scope: "otc-project-rating",
    kind: "affairs.rating_code",
    title: "评单验证码",
    body: (c) => `您的实事项目评价验证码为 ${c}，10 分钟内有效。如非本人操作请忽略。`,
    demo: "评单验证码",
  },
  deliberation_vote: {
    scope: "otc-deliberation-vote",
    kind: "affairs.vote_code",
    title: "议事投票验证码",
    body: (c) => `您的议事投票验证码为 ${c}，10 分钟内有效。如非本人操作请忽略。`,
    demo: "议事投票验证码",
  },
};

const SYSTEM = systemPrincipal("one_time_codes", "系统（手机验证码）");
const codeHash = (ctx: AppContext, purpose: CodePurpose, phone: string, code: string) =>
  ctx.crypto.hash(`${PURPOSE[purpose].scope}\u0000${phone}\u0000${code}`);
const passHash = (ctx: AppContext, purpose: CodePurpose, pass: string) =>
  ctx.crypto.hash(`${PURPOSE[purpose].scope}-pass\u0000${pass}`);
const keyOf = (ctx: AppContext, purpose: CodePurpose, what: string, v: string) =>
  failureKey(ctx, `${PURPOSE[purpose].scope}:${what}`, v);

const demoOf = new WeakMap<object, boolean>();
/** A demo database (the `npm start` demo) has a 'demo' system setting. */
async function isDemo(ctx: AppContext) {
  let d = demoOf.get(ctx.database);
  if (d === undefined) {
    d = (await ctx.database.query("select 1 from system_settings where key = 'demo'")).length > 0;
    demoOf.set(ctx.database, d);
  }
  return d;
}

/** Where a code goes: the phone's cipher and the unit the message is filed under. */
export interface CodeRecipient {
  phoneCipher: string;
  orgPath?: string | null;
}

/**
 * Sends a code for `purpose` to the phone (a normalised mainland mobile) when `recipient` names where it goes;
 * when it answers null (a phone the purpose does not serve) nothing is sent, but the request is counted all
 * the same, so the answer cannot tell which phones are known. Returns whether a code went out.
 */
export async function requestCode(
  ctx: AppContext,
  purpose: CodePurpose,
  phone: string,
  ip: string,
  recipient: () => Promise<CodeRecipient | null>,
  now = new Date(),
): Promise<{ sent: boolean; expiresInSeconds: number }> {
  const keys = {
    guess: keyOf(ctx, purpose, "guess", phone),
    phone: keyOf(ctx, purpose, "phone", phone),
    address: keyOf(ctx, purpose, "address", ip),
  };
  const wait = await lockedFor(ctx.database, Object.values(keys), now);
  if (wait > 0) throw TooMany("请求验证码过于频繁或错误次数过多，请稍后再试", wait);
  // One code a minute per phone, whether or not the phone is served (the answer must not tell).
  const gapKey = keyOf(ctx, purpose, "gap", phone);
  const gap = (await countFailure(ctx.database, [{ key: gapKey, windowMs: RESEND_GAP_MS }], now)).get(
    gapKey,
  )!;
  if (gap.failures > 1)
    throw TooMany(
      "验证码已发送，请 1 分钟后再试",
      Math.max(1, Math.ceil((gap.expiresAt.getTime() - now.getTime()) / 1000)),
    );
  // Every request counts against the phone's and the address's hourly allowance.
  const counts = await countFailure(
    ctx.database,
    [
      { key: keys.phone, windowMs: 3600_000 },
      { key: keys.address, windowMs: 3600_000 },
    ],
    now,
  );
  const over = [
    { key: keys.phone, max: CODES_PER_PHONE_HOUR },
    { key: keys.address, max: CODES_PER_ADDRESS_HOUR },
  ].filter((k) => (counts.get(k.key)?.failures ?? 0) > k.max);
  if (over.length) {
    const until = new Date(Math.max(...over.map((k) => counts.get(k.key)!.expiresAt.getTime())));
    await lockKeys(
      ctx.database,
      over.map((k) => ({ key: k.key, until })),
    );
    throw TooMany("请求验证码过于频繁，请稍后再试", Math.ceil((until.getTime() - now.getTime()) / 1000));
  }
  const ttl = PURPOSE_TTL_MS[purpose];
  const to = await recipient();
  if (!to) return { sent: false, expiresInSeconds: ttl / 1000 };
  const code = newCode();
  const p = PURPOSE[purpose];
  await ctx.database.db.transaction(async (t) => {
    const tx = t as unknown as Db;
    await tx.execute(sql`insert into one_time_codes (purpose, phone_hash, phone_cipher, code_hash, expires_at, guesses,
        pass_hash, pass_expires_at, created_at, updated_at)
      values (${purpose}, ${ctx.crypto.hash(phone)}, ${ctx.crypto.encrypt(phone)}, ${codeHash(ctx, purpose, phone, code)},
        ${new Date(now.getTime() + ttl)}, 0, null, null, ${now}, ${now})
      on conflict (purpose, phone_hash) do update set phone_cipher = excluded.phone_cipher, code_hash = excluded.code_hash,
        expires_at = excluded.expires_at, guesses = 0, pass_hash = null, pass_expires_at = null, updated_at = excluded.updated_at`);
    await notifications.enqueue(tx, {
      kind: p.kind,
      recipientPhoneCipher: to.phoneCipher,
      orgPath: to.orgPath ?? null,
      title: p.title,
      body: p.body(code),
    });
  });
  if (await isDemo(ctx)) console.log(`[演示] ${p.demo} ${phone.slice(0, 3)}****${phone.slice(-4)}: ${code}`);
  return { sent: true, expiresInSeconds: ttl / 1000 };
}

/**
 * Checks a guess. A right code is spent: either consumed (sign-in) or traded for a pass (`issuePass`). A wrong
 * one is counted — whether or not a code was sent, so an unknown phone locks out exactly as a known one — and
 * answered with `wrong(message)`; the fifth in a quarter of an hour voids the code and locks the phone out
 * for this purpose (429 with Retry-After).
 */
export async function verifyCode(
  ctx: AppContext,
  purpose: CodePurpose,
  phone: string,
  code: string,
  opts: { issuePass?: boolean; wrong?: (message: string) => AppError } = {},
  now = new Date(),
): Promise<{ phoneHash: string; pass?: string; expiresInSeconds?: number }> {
  const wrong = opts.wrong ?? ((m: string) => Unauthenticated(m));
  const phoneHash = ctx.crypto.hash(phone);
  const guessKey = keyOf(ctx, purpose, "guess", phone);
  const lockedOut = (s: number) => TooMany("验证码错误次数过多，请稍后再试", s);
  const wait = await lockedFor(ctx.database, [guessKey], now);
  if (wait > 0) throw lockedOut(wait);
  const [c] = await ctx.database.query<{ id: number; codeHash: string; expiresAt: Date; guesses: number }>(
    `select id, code_hash as "codeHash", expires_at as "expiresAt", guesses from one_time_codes
     where purpose = $1 and phone_hash = $2 and pass_hash is null`,
    [purpose, phoneHash],
  );
  const usable = c && codeUsable({ expiresAt: new Date(c.expiresAt), guesses: c.guesses }, now);
  if (!usable || !sameCode(c.codeHash, codeHash(ctx, purpose, phone, code))) {
    const counts = await countFailure(ctx.database, [{ key: guessKey, windowMs: GUESS_LOCK_MS }], now);
    if (c)
      await ctx.database.query(
        "update one_time_codes set guesses = guesses + 1, updated_at = $2 where id = $1",
        [c.id, now],
      );
    const failures = counts.get(guessKey)?.failures ?? 0;
    if (failures >= MAX_GUESSES) {
      const until = new Date(now.getTime() + GUESS_LOCK_MS);
      await lockKeys(ctx.database, [{ key: guessKey, until }]);
      // A locked phone's code is void: a new one is needed after the lock.
      await ctx.database.query("delete from one_time_codes where purpose = $1 and phone_hash = $2", [
        purpose,
        phoneHash,
      ]);
      await audit.record(ctx.database.db, SYSTEM, {
        action: "code_locked",
        entity: "one_time_code",
        after: { purpose, failures },
      });
      throw lockedOut(Math.ceil(GUESS_LOCK_MS / 1000));
    }
    throw wrong(c && !usable ? "验证码已失效，请重新获取" : "验证码不正确");
  }
  await clearFailures(ctx.database, [guessKey]);
  if (!opts.issuePass) {
    await ctx.database.query("delete from one_time_codes where id = $1", [c.id]);
    return { phoneHash };
  }
  const pass = crypto.randomBytes(24).toString("base64url");
  await ctx.database.query(
    "update one_time_codes set pass_hash = $2, pass_expires_at = $3, updated_at = $4 where id = $1",
    [c.id, passHash(ctx, purpose, pass), new Date(now.getTime() + PASS_TTL_MS), now],
  );
  return { phoneHash, pass, expiresInSeconds: PASS_TTL_MS / 1000 };
}

/** The phone a live pass was issued to (its keyed hash and the number itself), or null. */
export async function redeemPass(
  ctx: AppContext,
  purpose: CodePurpose,
  pass: string,
  now = new Date(),
): Promise<{ phoneHash: string; phone: string } | null> {
  const [r] = await ctx.database.query<{ phoneHash: string; phoneCipher: string }>(
    `select phone_hash as "phoneHash", phone_cipher as "phoneCipher" from one_time_codes
     where purpose = $1 and pass_hash = $2 and pass_expires_at > $3`,
    [purpose, passHash(ctx, purpose, pass), now],
  );
  return r ? { phoneHash: r.phoneHash, phone: ctx.crypto.decrypt(r.phoneCipher) } : null;
}

/** Drops codes and passes that are over (run by the background jobs). */
export async function pruneCodes(database: AppContext["database"], now = new Date()): Promise<number> {
  const rows = await database.query(
    `delete from one_time_codes where expires_at < $1 and (pass_expires_at is null or pass_expires_at < $1)
     returning 1`,
    [now],
  );
  return rows.length;
}
