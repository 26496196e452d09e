import type { Actor, Principal } from "../context.ts";
import { Forbidden } from "./errors.ts";
import { hasPermission, type Permission } from "./roles.ts";

// Who may do what. Two layers, as Outline writes them:
// - the role table (roles.ts): which roles hold a permission at all (`authorize`, 403 before any row is read);
// - each module's policy.ts: named rules over a row, `definePolicy({ accept: (who, order) => … })`, so a
//   reader finds every rule of a model in one file and services never test `actor.role` themselves.
// Scope (which subtree) is not a rule here: it is in the query (platform/access.ts), and outside it is 404.

/** Whether the principal is an account whose role holds the permission. */
export function permits(who: Principal | null | undefined, permission: Permission): who is Actor {
  return who?.kind === "account" && hasPermission(who.role, permission);
}

/** 403 unless the principal is an account whose role holds the permission. */
export function authorize(who: Principal, permission: Permission): asserts who is Actor {
  if (!permits(who, permission)) throw Forbidden("当前角色无此权限");
}

/** An account whose role is one of these. */
export function hasRole(who: Principal | null | undefined, ...roles: string[]): who is Actor {
  return who?.kind === "account" && roles.includes(who.role);
}

/**
 * District-wide settings (the category taxonomy, red/black-list weights, holidays) are changed at district
 * level only; a street reads them. A sysadmin is not tied to a level.
 */
export function atDistrictLevel(who: Principal): boolean {
  return who.kind === "account" && (who.role === "sysadmin" || who.orgKind === "district");
}

export type Rule<R> = (who: Principal, record: R) => boolean;

/** A rule's record argument: none for rules that look only at the principal (`undefined`). */
type RecordArg<R> = [R] extends [undefined] ? [] : [record: R];

export interface Policy<M extends Record<string, unknown>> {
  readonly rules: { readonly [K in keyof M]: Rule<M[K]> };
  can<K extends keyof M>(who: Principal, action: K, ...record: RecordArg<M[K]>): boolean;
  /** 403 with the rule's own message unless the rule allows it. */
  authorize<K extends keyof M>(who: Principal, action: K, ...record: RecordArg<M[K]>): void;
}

/**
 * A model's rules by name, each with the record it reads (`undefined` when it needs none) and the message a
 * refusal gives: `definePolicy<{ create: undefined; accept: OrderFacts }>({ accept: (who, order) => … })`.
 */
export function definePolicy<M extends Record<string, unknown>>(
  rules: { readonly [K in keyof M]: Rule<M[K]> },
  refusals: { readonly [K in keyof M]?: string } = {},
): Policy<M> {
  const can = <K extends keyof M>(who: Principal, action: K, ...record: RecordArg<M[K]>) =>
    rules[action](who, record[0] as M[K]);
  return {
    rules,
    can,
    authorize(who, action, ...record) {
      if (!can(who, action, ...record)) throw Forbidden(refusals[action] ?? "当前角色无此权限");
    },
  };
}
