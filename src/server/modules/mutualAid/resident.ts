import crypto from "node:crypto";
import { sql } from "drizzle-orm";
import { salutation } from "../../../domain/mutualAid/notices.ts";
import { subtreePattern } from "../../../domain/org/scope.ts";
import type { AppContext, ResidentPrincipal } from "../../context.ts";
import * as audit from "../../platform/audit.ts";
import { readThrough } from "../../platform/cache.ts";
import { Unauthenticated } from "../../platform/errors.ts";
import * as oneTimeCodes from "../../platform/oneTimeCodes.ts";
import { communityPathOf, inTx, rows } from "./common.ts";

// The resident app's sign-in: a one-time code to the phone (the platform's one-time codes, purpose
// resident_sign_in: through the notifications outbox, in demo mode also printed to the console, rate-limited
// per phone and per address, living five minutes; five wrong guesses lock the phone out, 429 with
// Retry-After). A code goes only to a phone in the registry. The account it opens is bound to the registry
// entry with that phone, and its session is a kind of its own: another cookie, another table, no role — a
// resident session never opens a staff route, and a staff session never opens the resident's.

export const RESIDENT_COOKIE = "gk_resident";
const SESSION_HOURS = 24 * 30;

const tokenId = (token: string) => crypto.createHash("sha256").update(token).digest("base64url");

/** Same words whether or not the phone is in the registry (no way to probe who lives here). */
const SENT = "如该手机号已在社区登记，验证码已发送，5 分钟内有效";

export async function requestCode(ctx: AppContext, phone: string, ip: string, now = new Date()) {
  await oneTimeCodes.requestCode(
    ctx,
    "resident_sign_in",
    phone,
    ip,
    async () => {
      const [r] = await ctx.database.query<{ phoneCipher: string; orgPath: string }>(
        `select phone_cipher as "phoneCipher", org_path as "orgPath" from residents where phone_hash = $1 order by id limit 1`,
        [ctx.crypto.hash(phone)],
      );
      return r ?? null;
    },
    now,
  );
  return { message: SENT };
}

export interface SignInResult {
  token: string;
  csrfToken: string;
  expiresAt: Date;
  resident: ResidentPrincipal;
}

export async function signIn(
  ctx: AppContext,
  phone: string,
  code: string,
  ip: string,
  now = new Date(),
): Promise<SignInResult> {
  const { phoneHash } = await oneTimeCodes.verifyCode(ctx, "resident_sign_in", phone, code, {}, now);
  const [resident] = await ctx.database.query<{ id: number; name: string; orgPath: string }>(
    `select id, name, org_path as "orgPath" from residents where phone_hash = $1 order by id limit 1`,
    [phoneHash],
  );
  if (!resident) throw Unauthenticated("验证码不正确");
  const token = crypto.randomBytes(32).toString("base64url");
  const csrfToken = crypto.randomBytes(24).toString("base64url");
  const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3600_000);
  const accountId = await inTx(ctx, async (tx) => {
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
