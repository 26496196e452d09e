import crypto from "node:crypto";
import { and, eq, gt } from "drizzle-orm";
import { accounts, orgUnits, sessions } from "../../../db/schema/index.ts";
import {
  LOGIN_LIMITS,
  LOGIN_WINDOW_MS,
  type LoginLimit,
  lockDurationMs,
} from "../../../domain/auth/lockout.ts";
import type { Actor, AppContext } from "../../context.ts";
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
import { dummyHash, verifyPassword } from "./passwords.ts";
import { maySignIn } from "./policy.ts";

/** Locking an account after failed sign-ins is the system's doing, and the log says so. */
const AUTH_SYSTEM = systemPrincipal("auth", "系统（登录保护）");

const tokenId = (token: string) => crypto.createHash("sha256").update(token).digest("base64url");

export interface LoginResult {
  token: string;
  csrfToken: string;
  expiresAt: Date;
  actor: Actor;
}

/** Same words whichever limit was hit and whether or not the name exists. */
const locked = (seconds: number) => TooMany("登录失败次数过多，请稍后再试", seconds);

export async function login(
  ctx: AppContext,
  username: string,
  password: string,
  ip: string | undefined,
): Promise<LoginResult> {
  const { db } = ctx.database;
  const now = new Date();
  const address = ip ?? "";
  const keys: Record<LoginLimit, string> = {
    accountAddress: failureKey(ctx, "login:account-address", username, address),
    address: failureKey(ctx, "login:address", address),
    account: failureKey(ctx, "login:account", username),
  };
  const wait = await lockedFor(ctx.database, Object.values(keys), now);
  if (wait > 0) throw locked(wait);
  const [acc] = await db.select().from(accounts).where(eq(accounts.username, username)).limit(1);
  let ok = false;
  if (maySignIn(acc)) ok = await verifyPassword(acc.passwordHash, password);
  else await verifyPassword(await dummyHash(), password); // same cost for an unknown name
  if (!acc || !ok) {
    // Counted for names that do not exist too: an unknown name locks exactly as a real one does.
    const counts = await countFailure(
      ctx.database,
      Object.values(keys).map((key) => ({ key, windowMs: LOGIN_WINDOW_MS })),
      now,
    );
    const locks = (Object.keys(keys) as LoginLimit[]).flatMap((limit) => {
      const failures = counts.get(keys[limit])?.failures ?? 0;
      const ms = lockDurationMs(failures, LOGIN_LIMITS[limit].free);
      return ms > 0 ? [{ limit, key: keys[limit], failures, until: new Date(now.getTime() + ms) }] : [];
    });
    if (locks.length > 0) {
      await lockKeys(ctx.database, locks);
      if (acc)
        await audit.record(db, AUTH_SYSTEM, {
          action: "login_locked",
          entity: "account",
          entityId: acc.id,
          after: Object.fromEntries(locks.map((l) => [l.limit, l.failures])),
        });
      throw locked(Math.ceil((Math.max(...locks.map((l) => l.until.getTime())) - now.getTime()) / 1000));
    }
    throw Unauthenticated("用户名或密码错误");
  }
  // The address's own count stays: logging in to one's own account must not reset a spray from there.
  await clearFailures(ctx.database, [keys.accountAddress, keys.account]);
  const token = crypto.randomBytes(32).toString("base64url");
  const csrfToken = crypto.randomBytes(24).toString("base64url");
  const expiresAt = new Date(now.getTime() + ctx.config.sessionHours * 3600_000);
  await db.insert(sessions).values({ id: tokenId(token), accountId: acc.id, csrfToken, expiresAt });
  const actor = await actorFor(ctx, acc.id);
  await audit.record(db, { ...actor!, ip }, { action: "login", entity: "account", entityId: acc.id });
  return { token, csrfToken, expiresAt, actor: actor! };
}

export async function logout(ctx: AppContext, token: string, actor: Actor): Promise<void> {
  const { db } = ctx.database;
  await db.delete(sessions).where(eq(sessions.id, tokenId(token)));
  sessionCache.forget(ctx.database, tokenId(token));
  await audit.record(db, actor, { action: "logout", entity: "account", entityId: actor.id });
}

async function actorFor(ctx: AppContext, accountId: number): Promise<Actor | null> {
  const [row] = await ctx.database.db
    .select({
      id: accounts.id,
      username: accounts.username,
      displayName: accounts.displayName,
      role: accounts.role,
      orgUnitId: accounts.orgUnitId,
      orgPath: orgUnits.path,
      orgName: orgUnits.name,
      orgKind: orgUnits.kind,
    })
    .from(accounts)
    .innerJoin(orgUnits, eq(orgUnits.id, accounts.orgUnitId))
    .where(eq(accounts.id, accountId));
  return row ? actorOf(row) : null;
}

/** An account row (with its unit) as the actor requests run as: the one mapping, for login and sessions. */
function actorOf(row: Omit<Actor, "kind" | "ip">): Actor {
  const { id, username, displayName, role, orgUnitId, orgPath, orgName, orgKind } = row;
  return { kind: "account", id, username, displayName, role, orgUnitId, orgPath, orgName, orgKind };
}

interface CachedSession {
  actor: Actor;
  csrfToken: string;
  expiresAt: Date;
}
/**
 * Every request resolves its session; a few seconds of cache saves a query per request. Logout here
 * forgets at once; a logout or a disabled account seen by another server process takes effect there
 * within these seconds.
 */
const sessionCache = readThrough<string, CachedSession>({ max: 20_000, ttlMs: 5_000 });

/** Resolves a session token to its actor and CSRF token; expired or unknown → null. */
export async function sessionActor(
  ctx: AppContext,
  token: string,
): Promise<{ actor: Actor; csrfToken: string } | null> {
  const id = tokenId(token);
  const s = await sessionCache.get(ctx.database, id, async () => {
    const [row] = await ctx.database.db
      .select({
        csrfToken: sessions.csrfToken,
        expiresAt: sessions.expiresAt,
        id: accounts.id,
        username: accounts.username,
        displayName: accounts.displayName,
        role: accounts.role,
        disabled: accounts.disabled,
        orgUnitId: accounts.orgUnitId,
        orgPath: orgUnits.path,
        orgName: orgUnits.name,
        orgKind: orgUnits.kind,
      })
      .from(sessions)
      .innerJoin(accounts, eq(accounts.id, sessions.accountId))
      .innerJoin(orgUnits, eq(orgUnits.id, accounts.orgUnitId))
      .where(and(eq(sessions.id, id), gt(sessions.expiresAt, new Date())));
    if (!maySignIn(row)) return undefined;
    return { actor: actorOf(row), csrfToken: row.csrfToken, expiresAt: row.expiresAt };
  });
  if (!s || s.expiresAt <= new Date()) return null;
  return { actor: s.actor, csrfToken: s.csrfToken };
}
