import { sql } from "drizzle-orm";
import { ID_ERROR_ZH, parseIdCard } from "../../../domain/idcard/idcard.ts";
import type { AppContext, Principal } from "../../context.ts";
import * as audit from "../../platform/audit.ts";
import { Conflict, Invalid, NotFound } from "../../platform/errors.ts";
import * as notifications from "../notifications/index.ts";
import {
  actorId,
  communityOf,
  inTx,
  MEMBER_COLS,
  type MemberRow,
  myMember,
  pattern,
  pgArray,
  rows,
} from "./common.ts";
import { memberLedger } from "./ledger.ts";
import { volunteerPolicy } from "./policy.ts";

// Registration 报到 · 亮身份: a person registers once with their home community (the same ID number twice is
// 409), the community confirms or rejects with a reason. A member is seen only inside the community's subtree.

export const MEMBER_KINDS = ["party_member", "volunteer", "resident_volunteer"] as const;
export const SPECIALTIES = [
  "legal",
  "medical",
  "psychological",
  "education",
  "repairs",
  "it",
  "other",
] as const;

export interface Registration {
  kind: (typeof MEMBER_KINDS)[number];
  name: string;
  idNumber: string;
  phone?: string;
  workUnit?: string;
  partyBranch?: string;
  skills: string[];
  specialties: string[];
  availability?: string;
}

export async function register(ctx: AppContext, who: Principal, r: Registration) {
  volunteerPolicy.authorize(who, "self");
  if (who.kind !== "account") throw NotFound();
  const parsed = parseIdCard(r.idNumber);
  if (!parsed.ok)
    throw Invalid(ID_ERROR_ZH[parsed.error], [{ field: "idNumber", message: ID_ERROR_ZH[parsed.error] }]);
  if (r.kind === "party_member" && !r.workUnit?.trim())
    throw Invalid("在职党员请填写工作单位", [{ field: "workUnit", message: "在职党员请填写工作单位" }]);
  const community = await communityOf(ctx.database.db, who.orgPath);
  const idHash = ctx.crypto.hash(parsed.info.id);
  const phone = r.phone?.trim() || null;
  return inTx(ctx, async (tx) => {
    const values = sql`${r.kind}, ${r.name.trim()}, ${idHash}, ${ctx.crypto.encrypt(parsed.info.id)},
      ${phone ? ctx.crypto.encrypt(phone) : null}, ${phone ? phone.slice(-4) : null}, ${community.id}, ${community.path},
      ${r.workUnit?.trim() || null}, ${r.partyBranch?.trim() || null}, ${pgArray(r.skills)}::text[], ${pgArray(r.specialties)}::text[],
      ${r.availability?.trim() || null}`;
    // A rejected registration is corrected and sent again on the same row.
    const [again] = await rows<{ id: number; idHash: string }>(
      tx,
      sql`select id, id_hash as "idHash" from volunteer_members where account_id = ${who.id} and state = 'rejected' for update`,
    );
    let id: number | undefined;
    if (again) {
      const [u] = await rows<{ id: number }>(
        tx,
        sql`update volunteer_members set (kind, name, id_hash, id_cipher, phone_cipher, phone_tail, community_id, org_path,
          work_unit, party_branch, skills, specialties, availability) = (${values}), state = 'pending', reject_reason = null,
          updated_at = now() where id = ${again.id}
          and not exists (select 1 from volunteer_members o where o.id_hash = ${idHash} and o.id <> ${again.id}) returning id`,
      );
      id = u?.id;
    } else {
      const [ins] = await rows<{ id: number }>(
        tx,
        sql`insert into volunteer_members (kind, name, id_hash, id_cipher, phone_cipher, phone_tail, community_id, org_path,
          work_unit, party_branch, skills, specialties, availability, account_id)
          values (${values}, ${who.id}) on conflict do nothing returning id`,
      );
      id = ins?.id;
    }
    if (!id) throw Conflict("该身份证号已经报到过，一人只能报到一次");
    await audit.record(tx, who, {
      action: "register",
      entity: "volunteer_member",
      entityId: id,
      orgPath: community.path,
      after: { kind: r.kind, workUnit: r.workUnit ?? null, skills: r.skills, specialties: r.specialties },
    });
    return { id, state: "pending" };
  });
}

export async function me(ctx: AppContext, who: Principal) {
  volunteerPolicy.authorize(who, "self");
  const m = await myMember(ctx, who);
  if (!m) return { member: null, balance: 0, earned: 0, minutes: 0 };
  const [full] = await ctx.database.query<{
    workUnit: string | null;
    partyBranch: string | null;
    rejectReason: string | null;
    availability: string | null;
    communityName: string;
  }>(
    `select m.work_unit as "workUnit", m.party_branch as "partyBranch", m.reject_reason as "rejectReason",
       m.availability, o.name as "communityName" from volunteer_members m join org_units o on o.id = m.community_id where m.id = $1`,
    [m.id],
  );
  const l = await memberLedger(ctx.database, m.id);
  return {
    member: { ...m, ...full },
    balance: l.balance,
    earned: l.earned,
    minutes: l.minutes,
  };
}

export async function listMembers(
  ctx: AppContext,
  who: Principal,
  q: { state?: string; specialty?: string; q?: string },
) {
  volunteerPolicy.authorize(who, "read");
  const params: unknown[] = [pattern(who)];
  const where = ["m.org_path like $1"];
  if (q.state) where.push(`m.state = $${params.push(q.state)}`);
  if (q.specialty) where.push(`$${params.push(q.specialty)} = any(m.specialties)`);
  if (q.q) where.push(`(m.name like $${params.push(`%${q.q}%`)} or m.work_unit like $${params.length})`);
  const items = await ctx.database.query<
    MemberRow & {
      workUnit: string | null;
      partyBranch: string | null;
      phoneTail: string | null;
      rejectReason: string | null;
      createdAt: Date;
      communityName: string;
      balance: number;
    }
  >(
    `select ${MEMBER_COLS}, m.work_unit as "workUnit", m.party_branch as "partyBranch", m.phone_tail as "phoneTail",
       m.reject_reason as "rejectReason", m.created_at as "createdAt", o.name as "communityName",
       coalesce(a.balance, 0)::int as balance
     from volunteer_members m join org_units o on o.id = m.community_id
     left join points_accounts a on a.kind = 'member' and a.member_id = m.id
     where ${where.join(" and ")} order by (m.state = 'pending') desc, m.id desc limit 200`,
    params,
  );
  return items.map((m) => ({ ...m, phone: m.phoneTail ? `尾号 ${m.phoneTail}` : null }));
}

export async function decide(
  ctx: AppContext,
  who: Principal,
  id: number,
  d: { decision: "confirm" | "reject"; reason?: string },
) {
  volunteerPolicy.authorize(who, "manage");
  if (d.decision === "reject" && !d.reason?.trim())
    throw Invalid("驳回请填写原因", [{ field: "reason", message: "驳回请填写原因" }]);
  return inTx(ctx, async (tx) => {
    const [m] = await rows<{
      id: number;
      state: string;
      accountId: number | null;
      orgPath: string;
      name: string;
    }>(
      tx,
      sql`select id, state, account_id as "accountId", org_path as "orgPath", name from volunteer_members
        where id = ${id} and org_path like ${pattern(who)} for update`,
    );
    if (!m) throw NotFound("志愿者不存在");
    if (m.state !== "pending") throw Conflict(m.state === "confirmed" ? "该报到已确认" : "该报到已驳回");
    const state = d.decision === "confirm" ? "confirmed" : "rejected";
    await tx.execute(sql`update volunteer_members set state = ${state}, reject_reason = ${d.reason?.trim() || null},
      decided_by = ${actorId(who)}, decided_at = now(), updated_at = now() where id = ${id}`);
    await audit.record(tx, who, {
      action: d.decision,
      entity: "volunteer_member",
      entityId: id,
      orgPath: m.orgPath,
      reason: d.reason ?? null,
    });
    if (m.accountId)
      await notifications.enqueue(tx, {
        kind: "volunteer.registration",
        recipientAccountId: m.accountId,
        orgPath: m.orgPath,
        title: state === "confirmed" ? "报到已确认" : "报到未通过",
        body: state === "confirmed" ? "社区已确认您的报到，可以认领任务和微心愿了" : `驳回原因：${d.reason}`,
      });
    return { id, state };
  });
}
