import crypto from "node:crypto";
import { sql } from "drizzle-orm";
import {
  CODE_TTL_MS,
  CODES_PER_ADDRESS_HOUR,
  CODES_PER_PHONE_HOUR,
  codeUsable,
  GUESS_LOCK_MS,
  MAX_GUESSES,
  newCode,
  RESEND_GAP_MS,
  sameCode,
} from "../../../domain/mutualAid/codes.ts";
import { salutation } from "../../../domain/mutualAid/notices.ts";
import { subtreePattern } from "../../../domain/org/scope.ts";
import type { AppContext, ResidentPrincipal } from "../../context.ts";
import { systemPrincipal } from "../../platform/access.ts";
import * as audit from "../../platform/audit.ts";
import { readThrough } from "../../platform/cache.ts";
import { TooMany, Unauthenticated } from "../../platform/errors.ts";
import {
  clearFailures,
  countFailure,
  failureKey,
  lockedFor,
  lockKeys,
} from "../../platform/failureCounts.ts";
import * as notifications from "../notifications/index.ts";
import { communityPathOf, inTx, rows } from "./common.ts";

// The resident app's sign-in: a one-time code to the phone (through the notifications outbox; in demo mode
// also printed to the console), rate-limited per phone and per address, living five minutes; five wrong
// guesses lock the phone out (429 with Retry-After). The account it opens is bound to the registry entry
// with that phone, and its session is a kind of its own: another cookie, another table, no role — a resident
// session never opens a staff route, and a staff session never opens the resident's.

export const RESIDENT_COOKIE = "gk_resident";
const SESSION_HOURS = 24 * 30;
const CODE_SYSTEM = systemPrincipal("resident_codes", "系统（居民端验证码）");

const tokenId = (token: string) => crypto.createHash("sha256").update(token).digest("base64url");
const codeHash = (ctx: AppContext, phone: string, code: string) =>
  ctx.crypto.hash(`resident-code\u0000${phone}\u0000${code}`);

/** Same words whether or not the phone is in the registry (no way to probe who lives here). */
const SENT = "如该手机号已在社区登记，验证码已发送，5 分钟内有效";

export async function requestCode(
  ctx: AppContext,
  phone: string,
  ip: string,
  opts: { echo?: (phone: string, code: string) => void } = {},
  now = new Date(),
) {
  const phoneHash = ctx.crypto.hash(phone);
  const keys = {
    guess: failureKey(ctx, "resident-code:guess", phone),
    phone: failureKey(ctx, "resident-code:phone", phone),
    address: failureKey(ctx, "resident-code:address", ip),
  };
  const wait = await lockedFor(ctx.database, Object.values(keys), now);
  if (wait > 0) throw TooMany("请求验证码过于频繁或错误次数过多，请稍后再试", wait);
  // One code a minute per phone, whether or not the phone is in the registry (the answer must not tell).
  const gapKey = failureKey(ctx, "resident-code:gap", phone);
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
  const [resident] = await ctx.database.query<{ id: number; phoneCipher: string; orgPath: string }>(
    `select id, phone_cipher as "phoneCipher", org_path as "orgPath" from residents where phone_hash = $1 order by id limit 1`,
    [phoneHash],
  );
  if (!resident) return { message: SENT };
  const code = newCode();
  await inTx(ctx, async (tx) => {
    await tx.execute(sql`insert into resident_codes (phone_hash, code_hash, expires_at, guesses, created_at, updated_at)
      values (${phoneHash}, ${codeHash(ctx, phone, code)}, ${new Date(now.getTime() + CODE_TTL_MS)}, 0, ${now}, ${now})
      on conflict (phone_hash) do update set code_hash = excluded.code_hash, expires_at = excluded.expires_at, guesses = 0,
        updated_at = excluded.updated_at`);
    await notifications.enqueue(tx, {
      kind: "resident.code",
      recipientPhoneCipher: resident.phoneCipher,
      orgPath: resident.orgPath,
      title: "网格管家验证码",
      body: `您的登录验证码是 ${code}，5 分钟内有效。请勿告诉他人。`,
    });
  });
  opts.echo?.(phone, code);
  return { message: SENT };
}

export interface SignInResult {
  token: string;
  csrfToken: string;
  expiresAt: Date;
  resident: ResidentPrincipal;
}

const lockedOut = (seconds: number) => TooMany("验证码错误次数过多，请稍后再试", seconds);

export async function signIn(
  ctx: AppContext,
  phone: string,
  code: string,
  ip: string,
  now = new Date(),
): Promise<SignInResult> {
  const phoneHash = ctx.crypto.hash(phone);
  const guessKey = failureKey(ctx, "resident-code:guess", phone);
  const wait = await lockedFor(ctx.database, [guessKey], now);
  if (wait > 0) throw lockedOut(wait);
  const [c] = await ctx.database.query<{ codeHash: string; expiresAt: Date; guesses: number }>(
    `select code_hash as "codeHash", expires_at as "expiresAt", guesses from resident_codes where phone_hash = $1`,
    [phoneHash],
  );
  const usable = c && codeUsable({ expiresAt: new Date(c.expiresAt), guesses: c.guesses }, now);
  if (!usable || !sameCode(c.codeHash, codeHash(ctx, phone, code))) {
    // Counted whether or not a code was sent: a phone not in the registry locks out exactly as one that is.
    const counts = await countFailure(ctx.database, [{ key: guessKey, windowMs: GUESS_LOCK_MS }], now);
    if (c)
      await ctx.database.query("update resident_codes set guesses = guesses + 1 where phone_hash = $1", [
        phoneHash,
      ]);
    const failures = counts.get(guessKey)?.failures ?? 0;
    if (failures >= MAX_GUESSES) {
      const until = new Date(now.getTime() + GUESS_LOCK_MS);
      await lockKeys(ctx.database, [{ key: guessKey, until }]);
      // A locked phone's code is void: a new one is needed after the lock.
      await ctx.database.query("delete from resident_codes where phone_hash = $1", [phoneHash]);
      await audit.record(ctx.database.db, CODE_SYSTEM, {
        action: "resident_code_locked",
        entity: "resident_code",
        after: { failures },
      });
      throw lockedOut(Math.ceil(GUESS_LOCK_MS / 1000));
    }
    throw Unauthenticated(c && !usable ? "验证码已失效，请重新获取" : "验证码不正确");
  }
  const [resident] = await ctx.database.query<{ id: number; name: string; orgPath: string }>(
    `select id, name, org_path as "orgPath" from residents where phone_hash = $1 order by id limit 1`,
    [phoneHash],
  );
  if (!resident) throw Unauthenticated("验证码不正确");
  const token = crypto.randomBytes(32).toString("base64url");
  const csrfToken = crypto.randomBytes(24).toString("base64url");
  const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3600_000);
  const accountId = await inTx(ctx, async (tx) => {
    await tx.execute(sql`delete from resident_codes where phone_hash = ${phoneHash}`);
    const [a] = await rows<{ id: number }>(
      tx,
      sql`insert into resident_accounts (resident_id, phone_hash, org_path, last_sign_in_at)
        values (${resident.id}, ${phoneHash}, ${resident.orgPath}, ${now})
        on conflict (resident_id) do update set phone_hash = excluded.phone_hash, org_path = excluded.org_path,
          last_sign_in_at = excluded.last_sign_in_at, updated_at = now()
        returning id`,
    );
    await tx.execute(sql`insert into resident_sessions (id, resident_account_id, csrf_token, expires_at)
      values (${tokenId(token)}, ${a.id}, ${csrfToken}, ${expiresAt})`);
    return a.id;
  });
  await clearFailures(ctx.database, [guessKey]);
  const who = principalOf({
    residentAccountId: accountId,
    residentId: resident.id,
    name: resident.name,
    orgPath: resident.orgPath,
  });
  await audit.record(
    ctx.database.db,
    { ...who, ip },
    { action: "login", entity: "resident_account", entityId: accountId },
  );
  return { token, csrfToken, expiresAt, resident: who };
}

/** A resident is named by surname and 先生/女士 nowhere but to themselves; the principal carries the name for the log. */
function principalOf(r: {
  residentAccountId: number;
  residentId: number;
  name: string;
  orgPath: string;
}): ResidentPrincipal {
  return {
    kind: "resident",
    residentAccountId: r.residentAccountId,
    residentId: r.residentId,
    displayName: `居民${r.name.slice(0, 1)}*`,
    orgPath: r.orgPath,
  };
}

const sessionCache = readThrough<string, { who: ResidentPrincipal; csrfToken: string; expiresAt: Date }>({
  max: 20_000,
  ttlMs: 5_000,
});

export async function residentSession(ctx: AppContext, token: string) {
  const id = tokenId(token);
  const s = await sessionCache.get(ctx.database, id, async () => {
    const [row] = await ctx.database.query<{
      csrfToken: string;
      expiresAt: Date;
      residentAccountId: number;
      residentId: number;
      name: string;
      orgPath: string;
    }>(
      `select s.csrf_token as "csrfToken", s.expires_at as "expiresAt", a.id as "residentAccountId", a.resident_id as "residentId",
         r.name, r.org_path as "orgPath"
       from resident_sessions s join resident_accounts a on a.id = s.resident_account_id join residents r on r.id = a.resident_id
       where s.id = $1 and s.expires_at > now()`,
      [id],
    );
    if (!row) return undefined;
    return { who: principalOf(row), csrfToken: row.csrfToken, expiresAt: new Date(row.expiresAt) };
  });
  if (!s || s.expiresAt <= new Date()) return null;
  return s;
}

export async function signOut(ctx: AppContext, token: string, who: ResidentPrincipal) {
  await ctx.database.query("delete from resident_sessions where id = $1", [tokenId(token)]);
  sessionCache.forget(ctx.database, tokenId(token));
  await audit.record(ctx.database.db, who, {
    action: "logout",
    entity: "resident_account",
    entityId: who.residentAccountId,
  });
}

/** The resident's profile for the app: their community and buildings to pick from. */
export async function profile(ctx: AppContext, who: ResidentPrincipal) {
  const community = (await communityPathOf(ctx, who.orgPath)) ?? who.orgPath;
  const [u] = await ctx.database.query<{ name: string }>("select name from org_units where path = $1", [
    community,
  ]);
  const buildings = await ctx.database.query<{ id: number; address: string }>(
    `select id, address from buildings where org_path like $1 order by address limit 300`,
    [subtreePattern(community)],
  );
  const [r] = await ctx.database.query<{ buildingId: number | null; name: string; gender: string }>(
    `select building_id as "buildingId", name, gender from residents where id = $1`,
    [who.residentId],
  );
  return {
    // To themselves a resident is 马女士 / 李先生; the log names them by their account.
    displayName: r ? salutation(r.name, r.gender) : who.displayName,
    communityName: u?.name ?? "",
    communityPath: community,
    buildings,
    homeBuildingId: r?.buildingId ?? null,
  };
}
