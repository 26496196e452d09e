import { sql } from "drizzle-orm";
import { subtreePattern } from "../../../domain/org/scope.ts";
import { KEY_TAGS, type KeyTag, TAG_LABELS } from "../../../domain/people/tags.ts";
import type { Actor, AppContext, Principal } from "../../context.ts";
import * as audit from "../../platform/audit.ts";
import { Conflict, Invalid, NotFound } from "../../platform/errors.ts";
import { rows, type Tx } from "./common.ts";
import { addTagsTx } from "./ledger.ts";
import { carePolicy } from "./policy.ts";

// Tag proposals 标签建议: someone who does not keep the ledger saw something at the door (a campaign answer
// "独居") and proposes a tag for the household. Nothing reaches the ledger until a care role in scope
// confirms it on a resident of that household (the tag is then set with source 'visit') or rejects it.

export interface TagProposalInput {
  householdId: number;
  tag: string;
  /** What the proposer saw, shown to the one who decides. */
  note: string;
  /** Where it came from, e.g. "campaign:12/record:345". */
  sourceRef: string;
  source: string;
}

/**
 * Proposes a tag for a household (the campaigns module calls this through the face). An open proposal of
 * the same tag for the household already waiting is left as it is: `created` says which.
 */
export async function proposeTag(
  ctx: Pick<AppContext, "database">,
  by: Principal,
  input: TagProposalInput,
): Promise<{ id: number | null; created: boolean }> {
  if (!(KEY_TAGS as readonly string[]).includes(input.tag)) throw Invalid("未知的人群标签");
  return ctx.database.db.transaction(async (t) => {
    const tx = t as unknown as Tx;
    const [h] = await rows<{ orgPath: string }>(
      tx,
      sql`select org_path as "orgPath" from households where id = ${input.householdId}`,
    );
    if (!h) throw NotFound("住户不存在");
    const [p] = await rows<{ id: number }>(
      tx,
      sql`insert into care_tag_proposals (household_id, org_path, tag, source, note, source_ref, proposed_by_name)
          values (${input.householdId}, ${h.orgPath}, ${input.tag}, ${input.source}, ${input.note.slice(0, 500)},
                  ${input.sourceRef}, ${by.displayName})
          on conflict (household_id, tag) where state = 'proposed' do nothing returning id`,
    );
    if (!p) return { id: null, created: false };
    await audit.record(tx as any, by, {
      action: "propose_tag",
      entity: "care_tag_proposal",
      entityId: p.id,
      orgPath: h.orgPath,
      after: { household: input.householdId, tag: input.tag, source: input.sourceRef },
    });
    return { id: p.id, created: true };
  });
}

/** Proposals in the caller's subtree (waiting ones by default), each with the household's residents to pick. */
export async function listProposals(ctx: AppContext, actor: Actor, state = "proposed") {
  carePolicy.authorize(actor, "read");
  const list = await ctx.database.query<{
    id: number;
    householdId: number;
    address: string;
    tag: KeyTag;
    source: string;
    note: string | null;
    proposedByName: string;
    state: string;
    decidedByName: string | null;
    decidedAt: Date | null;
    decisionNote: string | null;
    residentId: number | null;
    createdAt: Date;
    residents: { id: number; name: string; birthDate: string | null; tags: string[] }[];
  }>(
    `select p.id, p.household_id as "householdId", h.address, p.tag, p.source, p.note,
            p.proposed_by_name as "proposedByName", p.state, p.decided_by_name as "decidedByName",
            p.decided_at as "decidedAt", p.decision_note as "decisionNote", p.resident_id as "residentId",
            p.created_at as "createdAt",
            coalesce((select json_agg(json_build_object('id', r.id, 'name', r.name, 'birthDate', r.birth_date::text,
                                                        'tags', r.tags) order by r.birth_date, r.id)
                        from residents r where r.household_id = p.household_id), '[]') as residents
       from care_tag_proposals p join households h on h.id = p.household_id
      where p.org_path like $1 and p.state = $2
      order by p.created_at desc, p.id desc limit 200`,
    [subtreePattern(actor.orgPath), state],
  );
  return list.map((p) => ({
    id: p.id,
    householdId: p.householdId,
    address: p.address,
    tag: p.tag,
    tagLabel: TAG_LABELS[p.tag] ?? p.tag,
    source: p.source,
    note: p.note,
    proposedByName: p.proposedByName,
    state: p.state,
    decidedByName: p.decidedByName,
    decidedAt: p.decidedAt,
    decisionNote: p.decisionNote,
    residentId: p.residentId,
    createdAt: p.createdAt,
    residents: p.residents.map((r) => ({
      id: r.id,
      name: r.name,
      birthDate: r.birthDate,
      hasTag: r.tags.includes(p.tag),
    })),
  }));
}

/**
 * Confirms a proposal on one resident of its household (the tag is set with its evidence, source 'visit'),
 * or rejects it. Outside the caller's subtree 404; already decided 409; a resident not of the household 400.
 */
export async function decideProposal(
  ctx: AppContext,
  actor: Actor,
  id: number,
  input: { decision: "confirm" | "reject"; residentId?: number; note?: string },
  now = new Date(),
) {
  carePolicy.authorize(actor, "write");
  return ctx.database.db.transaction(async (t) => {
    const tx = t as unknown as Tx;
    const [p] = await rows<{
      id: number;
      householdId: number;
      orgPath: string;
      tag: KeyTag;
      state: string;
      note: string | null;
    }>(
      tx,
      sql`select id, household_id as "householdId", org_path as "orgPath", tag, state, note from care_tag_proposals
           where id = ${id} and org_path like ${subtreePattern(actor.orgPath)} for update`,
    );
    if (!p) throw NotFound("标签建议不存在");
    if (p.state !== "proposed") throw Conflict("该建议已处理");
    const note = input.note?.trim() || null;
    let residentId: number | null = null;
    let added: string[] = [];
    if (input.decision === "confirm") {
      const people = await rows<{ id: number; orgPath: string }>(
        tx,
        sql`select id, org_path as "orgPath" from residents where household_id = ${p.householdId} order by id`,
      );
      const r = input.residentId
        ? people.find((x) => x.id === input.residentId)
        : people.length === 1
          ? people[0]
          : null;
      if (!r)
        throw Invalid(input.residentId ? "该居民不在这一户" : "这一户有多名居民，请选择标签对应的居民", [
          { field: "residentId", message: input.residentId ? "该居民不在这一户" : "请选择居民" },
        ]);
      residentId = r.id;
      added = await addTagsTx(tx, actor, r, [p.tag], "visit", note ?? p.note, now);
    }
    await tx.execute(sql`update care_tag_proposals set state = ${input.decision === "confirm" ? "confirmed" : "rejected"},
        resident_id = ${residentId}, decided_by = ${actor.id}, decided_by_name = ${actor.displayName}, decided_at = ${now},
        decision_note = ${note}, updated_at = now() where id = ${id}`);
    await audit.record(tx as any, actor, {
      action: input.decision === "confirm" ? "confirm_tag_proposal" : "reject_tag_proposal",
      entity: "care_tag_proposal",
      entityId: id,
      orgPath: p.orgPath,
      after: { tag: p.tag, resident: residentId, added: added.length > 0, note },
    });
    return {
      id,
      state: input.decision === "confirm" ? "confirmed" : "rejected",
      residentId,
      tagAdded: added.length > 0,
    };
  });
}
