import { sql } from "drizzle-orm";
import ExcelJS from "exceljs";
import { safeCell } from "../../../domain/files/cells.ts";
import { publicText } from "../../../domain/privacy/publicText.ts";
import type { AppContext, Principal } from "../../context.ts";
import * as audit from "../../platform/audit.ts";
import { Conflict, Invalid, NotFound } from "../../platform/errors.ts";
import { cleanPhoto } from "../../platform/photos.ts";
import { workbookBuffer } from "../../platform/spreadsheet/index.ts";
import * as notifications from "../notifications/index.ts";
import {
  actorId,
  actorName,
  communityOf,
  confirmedMember,
  inTx,
  myMember,
  pattern,
  rows,
  settingsOf,
  unitInScope,
} from "./common.ts";
import { award, periodMonths } from "./ledger.ts";
import { volunteerPolicy } from "./policy.ts";

// Micro-wishes 微心愿, the expert pool's 点单 and the call 集结号.

// ——— micro-wishes ———

export async function postWish(
  ctx: AppContext,
  who: Principal,
  w: { orgUnitId: number; residentId?: number; title: string; detail: string },
) {
  volunteerPolicy.authorize(who, "post");
  const unit = await unitInScope(ctx, who, w.orgUnitId, "orgUnitId", ["community", "grid", "micro_grid"]);
  let names: string[] = [];
  if (w.residentId !== undefined) {
    const [r] = await ctx.database.query<{ name: string }>(
      "select name from residents where id = $1 and org_path like $2",
      [w.residentId, pattern(who)],
    );
    if (!r) throw Invalid("居民不存在", [{ field: "residentId", message: "居民不存在" }]);
    names = [r.name];
  }
  const masked = publicText(`${w.title}\n${w.detail}`, names);
  const [title, ...rest] = masked.split("\n");
  return inTx(ctx, async (tx) => {
    const [row] = await rows<{ id: number }>(
      tx,
      sql`insert into volunteer_wishes (org_unit_id, org_path, resident_id, title, detail, public_text, posted_by, posted_by_name)
        values (${unit.id}, ${unit.path}, ${w.residentId ?? null}, ${title.trim()}, ${w.detail.trim()}, ${rest.join("\n").trim()},
          ${actorId(who)}, ${actorName(who)}) returning id`,
    );
    await audit.record(tx, who, {
      action: "create",
      entity: "volunteer_wish",
      entityId: row.id,
      orgPath: unit.path,
    });
    return { id: row.id, state: "pending" };
  });
}

export async function listWishes(ctx: AppContext, who: Principal, now = new Date()) {
  volunteerPolicy.authorize(who, "browse");
  const staff = volunteerPolicy.can(who, "read");
  const member = staff ? null : await myMember(ctx, who);
  const items = await ctx.database.query<{
    id: number;
    title: string;
    detail: string;
    publicText: string;
    state: string;
    unitName: string;
    memberId: number | null;
    memberName: string | null;
    rejectReason: string | null;
    fulfilNote: string | null;
    hasPhoto: boolean;
    createdAt: Date;
    claimedAt: Date | null;
  }>(
    `select w.id, w.title, w.detail, w.public_text as "publicText", w.state, o.name as "unitName", w.member_id as "memberId",
       m.name as "memberName", w.reject_reason as "rejectReason", w.fulfil_note as "fulfilNote", (w.photo is not null) as "hasPhoto",
       w.created_at as "createdAt", w.claimed_at as "claimedAt"
     from volunteer_wishes w join org_units o on o.id = w.org_unit_id left join volunteer_members m on m.id = w.member_id
     where w.org_path like $1 ${staff ? "" : "and (w.state = 'published' or w.member_id = $2)"}
     order by w.id desc limit 200`,
    staff ? [pattern(who)] : [pattern(who), member?.id ?? 0],
  );
  const days = (d: Date) => Math.floor((now.getTime() - new Date(d).getTime()) / 86_400_000);
  return items.map((w) => ({
    id: w.id,
    // The wall (members) gets the masked text only: no name, phone or flat.
    title: w.title,
    text: staff ? w.detail : w.publicText,
    state: w.state,
    place: w.unitName,
    mine: member !== null && w.memberId === member.id,
    memberName: staff ? w.memberName : null,
    rejectReason: staff ? w.rejectReason : null,
    fulfilNote: w.fulfilNote,
    hasPhoto: !!w.hasPhoto,
    ageDays: days(w.createdAt),
    createdAt: w.createdAt,
  }));
}

async function wishFor(tx: Parameters<typeof rows>[0], who: Principal, id: number) {
  const [w] = await rows<{
    id: number;
    state: string;
    memberId: number | null;
    orgPath: string;
    title: string;
    postedBy: number | null;
    residentAccountId: number | null;
    residentId: number | null;
  }>(
    tx,
    sql`select id, state, member_id as "memberId", org_path as "orgPath", title, posted_by as "postedBy",
        resident_account_id as "residentAccountId", resident_id as "residentId"
      from volunteer_wishes where id = ${id} and org_path like ${pattern(who)} for update`,
  );
  if (!w) throw NotFound("心愿不存在");
  return w;
}

export async function reviewWish(
  ctx: AppContext,
  who: Principal,
  id: number,
  d: { decision: "publish" | "reject"; reason?: string },
) {
  volunteerPolicy.authorize(who, "manage");
  if (d.decision === "reject" && !d.reason?.trim())
    throw Invalid("驳回请填写原因", [{ field: "reason", message: "驳回请填写原因" }]);
  return inTx(ctx, async (tx) => {
    const w = await wishFor(tx, who, id);
    if (w.state !== "pending") throw Conflict("该心愿已审核");
    const state = d.decision === "publish" ? "published" : "rejected";
    await tx.execute(
      sql`update volunteer_wishes set state = ${state}, reject_reason = ${d.reason?.trim() || null}, updated_at = now() where id = ${id}`,
    );
    await audit.record(tx, who, {
      action: d.decision,
      entity: "volunteer_wish",
      entityId: id,
      orgPath: w.orgPath,
      reason: d.reason ?? null,
    });
    return { id, state };
  });
}

export async function claimWish(ctx: AppContext, who: Principal, id: number) {
  volunteerPolicy.authorize(who, "self");
  const m = await confirmedMember(ctx, who);
  return inTx(ctx, async (tx) => {
    const w = await wishFor(tx, who, id);
    if (w.state === "pending" || w.state === "rejected") throw NotFound("心愿不存在");
    if (w.state !== "published") throw Conflict("该心愿已被认领");
    await tx.execute(
      sql`update volunteer_wishes set state = 'claimed', member_id = ${m.id}, claimed_at = now(), updated_at = now() where id = ${id}`,
    );
    await audit.record(tx, who, {
      action: "claim",
      entity: "volunteer_wish",
      entityId: id,
      orgPath: w.orgPath,
    });
    return { id, state: "claimed" };
  });
}

export async function fulfilWish(ctx: AppContext, who: Principal, id: number, body: unknown, note: string) {
  volunteerPolicy.authorize(who, "self");
  if (!Buffer.isBuffer(body) || body.length === 0)
    throw Invalid("请上传圆梦照片", [{ field: "body", message: "请上传照片" }]);
  const m = await myMember(ctx, who);
  const photo = await cleanPhoto(body);
  return inTx(ctx, async (tx) => {
    const w = await wishFor(tx, who, id);
    volunteerPolicy.authorize(who, "fulfil", { wish: w, memberId: m?.id ?? null });
    if (w.state !== "claimed") throw Conflict("该心愿不在待圆梦状态");
    await tx.execute(sql`update volunteer_wishes set state = 'fulfilled', photo = ${photo.data}, photo_type = ${photo.type},
      fulfil_note = ${note.trim() || null}, fulfilled_at = now(), updated_at = now() where id = ${id}`);
    await audit.record(tx, who, {
      action: "fulfil",
      entity: "volunteer_wish",
      entityId: id,
      orgPath: w.orgPath,
    });
    if (w.postedBy)
      await notifications.enqueue(tx, {
        kind: "volunteer.wish_fulfilled",
        recipientAccountId: w.postedBy,
        orgPath: w.orgPath,
        title: "微心愿已圆梦，请确认",
        body: `「${w.title}」已由志愿者送达，请核实后确认`,
      });
    // A wish made in the resident app: the resident hears it by SMS and sees the photo under "my requests".
    if (w.residentAccountId && w.residentId) {
      const [r] = await rows<{ phoneCipher: string | null }>(
        tx,
        sql`select phone_cipher as "phoneCipher" from residents where id = ${w.residentId}`,
      );
      if (r?.phoneCipher)
        await notifications.enqueue(tx, {
          kind: "volunteer.wish_fulfilled_resident",
          recipientPhoneCipher: r.phoneCipher,
          orgPath: w.orgPath,
          title: "微心愿已圆梦",
          body: `您的微心愿「${w.title}」已由志愿者圆梦，可在居民端“我的”中查看照片`,
        });
    }
    return { id, state: "fulfilled" };
  });
}

export async function wishPhoto(ctx: AppContext, who: Principal, id: number) {
  volunteerPolicy.authorize(who, "browse");
  const staff = volunteerPolicy.can(who, "read");
  const m = staff ? null : await myMember(ctx, who);
  const [w] = await ctx.database.query<{
    photo: Buffer | Uint8Array | null;
    photoType: string | null;
    memberId: number | null;
  }>(
    `select photo, photo_type as "photoType", member_id as "memberId" from volunteer_wishes where id = $1 and org_path like $2`,
    [id, pattern(who)],
  );
  if (!w?.photo || (!staff && w.memberId !== m?.id)) throw NotFound("照片不存在");
  return { type: w.photoType ?? "image/jpeg", data: Buffer.from(w.photo) };
}

export async function confirmWish(ctx: AppContext, who: Principal, id: number) {
  volunteerPolicy.authorize(who, "post");
  return inTx(ctx, async (tx) => {
    const w = await wishFor(tx, who, id);
    if (w.state !== "fulfilled") throw Conflict("该心愿尚未圆梦");
    await tx.execute(
      sql`update volunteer_wishes set state = 'confirmed', confirmed_at = now(), updated_at = now() where id = ${id}`,
    );
    const community = await communityOf(tx, w.orgPath);
    const rules = await settingsOf(tx, community.id);
    await award(tx, who, {
      memberId: w.memberId!,
      community,
      points: rules.pointsPerWish,
      minutes: 0,
      source: `wish:${id}`,
      memo: `圆梦微心愿「${w.title}」`,
    });
    await audit.record(tx, who, {
      action: "confirm",
      entity: "volunteer_wish",
      entityId: id,
      orgPath: w.orgPath,
      after: { points: rules.pointsPerWish },
    });
    return { id, state: "confirmed", points: rules.pointsPerWish };
  });
}

// ——— 点单: 居民点单 → 网格接单 → 社区派单 → 党员接单 ———

export async function createRequest(
  ctx: AppContext,
  who: Principal,
  r: { orgUnitId: number; specialty: string; description: string },
) {
  volunteerPolicy.authorize(who, "post");
  const unit = await unitInScope(ctx, who, r.orgUnitId, "orgUnitId", ["community", "grid", "micro_grid"]);
  return inTx(ctx, async (tx) => {
    const [row] = await rows<{ id: number }>(
      tx,
      sql`insert into expert_requests (org_unit_id, org_path, specialty, description, created_by)
        values (${unit.id}, ${unit.path}, ${r.specialty}, ${r.description.trim()}, ${actorId(who)}) returning id`,
    );
    await audit.record(tx, who, {
      action: "create",
      entity: "expert_request",
      entityId: row.id,
      orgPath: unit.path,
    });
    return { id: row.id, state: "requested" };
  });
}

export async function listRequests(ctx: AppContext, who: Principal) {
  volunteerPolicy.authorize(who, "browse");
  const staff = volunteerPolicy.can(who, "read");
  const member = staff ? null : await myMember(ctx, who);
  return ctx.database.query<{
    id: number;
    specialty: string;
    description: string;
    state: string;
    unitName: string;
    memberName: string | null;
    rating: number | null;
    createdAt: Date;
  }>(
    `select r.id, r.specialty, r.description, r.state, o.name as "unitName", m.name as "memberName", r.rating, r.created_at as "createdAt"
     from expert_requests r join org_units o on o.id = r.org_unit_id left join volunteer_members m on m.id = r.member_id
     where r.org_path like $1 ${staff ? "" : "and r.member_id = $2"} order by r.id desc limit 200`,
    staff ? [pattern(who)] : [pattern(who), member?.id ?? 0],
  );
}

async function requestFor(tx: Parameters<typeof rows>[0], who: Principal, id: number) {
  const [r] = await rows<{
    id: number;
    state: string;
    specialty: string;
    memberId: number | null;
    orgPath: string;
  }>(
    tx,
    sql`select id, state, specialty, member_id as "memberId", org_path as "orgPath" from expert_requests
      where id = ${id} and org_path like ${pattern(who)} for update`,
  );
  if (!r) throw NotFound("点单不存在");
  return r;
}

type Step = "accept" | "dispatch" | "respond" | "finish" | "rate";

export async function requestStep(
  ctx: AppContext,
  who: Principal,
  id: number,
  step: Step,
  b: { memberId?: number; accept?: boolean; rating?: number },
) {
  volunteerPolicy.authorize(
    who,
    step === "dispatch" ? "manage" : step === "respond" || step === "finish" ? "self" : "post",
  );
  const me = step === "respond" || step === "finish" ? await confirmedMember(ctx, who) : null;
  return inTx(ctx, async (tx) => {
    const r = await requestFor(tx, who, id);
    const need = (...states: string[]) => {
      if (!states.includes(r.state)) throw Conflict("点单当前状态不能进行此操作");
    };
    let next = r.state;
    let memberId = r.memberId;
    if (step === "accept") {
      need("requested");
      next = "accepted";
    } else if (step === "dispatch") {
      need("accepted");
      if (!b.memberId) throw Invalid("请选择党员专家", [{ field: "memberId", message: "请选择党员专家" }]);
      const [m] = await rows<{ id: number; accountId: number | null; ok: boolean }>(
        tx,
        sql`select id, account_id as "accountId", (${r.specialty} = any(specialties)) as ok from volunteer_members
          where id = ${b.memberId} and state = 'confirmed' and org_path like ${pattern(who)}`,
      );
      if (!m) throw Invalid("党员专家不存在", [{ field: "memberId", message: "党员专家不存在" }]);
      if (!m.ok) throw Invalid("该党员不在此专长的专家库中", [{ field: "memberId", message: "专长不符" }]);
      next = "dispatched";
      memberId = m.id;
      if (m.accountId)
        await notifications.enqueue(tx, {
          kind: "volunteer.request",
          recipientAccountId: m.accountId,
          orgPath: r.orgPath,
          title: "社区派单",
          body: "有一条居民点单派给您，请在“我的点单”中接单",
        });
    } else if (step === "respond") {
      need("dispatched");
      if (r.memberId !== me!.id) throw NotFound("点单不存在");
      if (b.accept) next = "taken";
      else {
        next = "accepted";
        memberId = null;
        await tx.execute(
          sql`update expert_requests set declined_by = array_append(declined_by, ${me!.id}) where id = ${id}`,
        );
      }
    } else if (step === "finish") {
      need("taken");
      if (r.memberId !== me!.id) throw NotFound("点单不存在");
      next = "done";
    } else {
      need("done");
      if (!b.rating) throw Invalid("请评分", [{ field: "rating", message: "请评分" }]);
      next = "rated";
      const community = await communityOf(tx, r.orgPath);
      const rules = await settingsOf(tx, community.id);
      await award(tx, who, {
        memberId: r.memberId!,
        community,
        points: rules.pointsPerRequest,
        minutes: 0,
        source: `request:${id}`,
        memo: "完成居民点单",
      });
    }
    await tx.execute(
      sql`update expert_requests set state = ${next}, member_id = ${memberId}, rating = ${step === "rate" ? b.rating! : null}::smallint, updated_at = now() where id = ${id}`,
    );
    await audit.record(tx, who, {
      action: step,
      entity: "expert_request",
      entityId: id,
      orgPath: r.orgPath,
      after: { state: next },
    });
    return { id, state: next };
  });
}

export async function experts(ctx: AppContext, who: Principal, specialty: string) {
  volunteerPolicy.authorize(who, "read");
  return ctx.database.query<{ id: number; name: string; workUnit: string | null; specialties: string[] }>(
    `select id, name, work_unit as "workUnit", specialties from volunteer_members
     where state = 'confirmed' and $2 = any(specialties) and org_path like $1 order by name limit 100`,
    [pattern(who), specialty],
  );
}

// ——— 集结号 ———

export async function soundCallOut(
  ctx: AppContext,
  who: Principal,
  c: { orgUnitId: number; title: string; body: string },
) {
  volunteerPolicy.authorize(who, "manage");
  const unit = await unitInScope(ctx, who, c.orgUnitId, "orgUnitId", ["community", "grid"]);
  return inTx(ctx, async (tx) => {
    const members = await rows<{ accountId: number }>(
      tx,
      sql`select account_id as "accountId" from volunteer_members where state = 'confirmed' and account_id is not null and org_path like ${`${unit.path.replace(/[\\%_]/g, (x) => `\\${x}`)}%`}`,
    );
    const [row] = await rows<{ id: number }>(
      tx,
      sql`insert into call_outs (org_unit_id, org_path, title, body, sent, created_by)
        values (${unit.id}, ${unit.path}, ${c.title.trim()}, ${c.body.trim()}, ${members.length}, ${actorId(who)}) returning id`,
    );
    for (const m of members)
      await notifications.enqueue(tx, {
        kind: "volunteer.call_out",
        recipientAccountId: m.accountId,
        orgPath: unit.path,
        title: `集结号：${c.title.trim()}`,
        body: `${c.body.trim()}（打开志愿服务页，一键回应“我来了”）`,
      });
    await audit.record(tx, who, {
      action: "call_out",
      entity: "call_out",
      entityId: row.id,
      orgPath: unit.path,
      after: { sent: members.length },
    });
    return { id: row.id, sent: members.length };
  });
}

export async function listCallOuts(ctx: AppContext, who: Principal) {
  volunteerPolicy.authorize(who, "browse");
  const member = await myMember(ctx, who);
  return ctx.database.query<{
    id: number;
    title: string;
    body: string;
    sent: number;
    responders: number;
    mine: boolean;
    createdAt: Date;
  }>(
    `select c.id, c.title, c.body, c.sent, (select count(*)::int from call_out_responses r where r.call_out_id = c.id) as responders,
       exists (select 1 from call_out_responses r where r.call_out_id = c.id and r.member_id = $2) as mine, c.created_at as "createdAt"
     from call_outs c where c.org_path like $1 and c.created_at > now() - interval '7 days' order by c.id desc limit 20`,
    [pattern(who), member?.id ?? 0],
  );
}

export async function callOutView(ctx: AppContext, who: Principal, id: number) {
  volunteerPolicy.authorize(who, "read");
  const [c] = await ctx.database.query<{
    id: number;
    title: string;
    body: string;
    sent: number;
    createdAt: Date;
  }>(
    `select id, title, body, sent, created_at as "createdAt" from call_outs where id = $1 and org_path like $2`,
    [id, pattern(who)],
  );
  if (!c) throw NotFound("集结号不存在");
  const responders = await ctx.database.query<{ name: string; at: Date }>(
    `select m.name, r.created_at as at from call_out_responses r join volunteer_members m on m.id = r.member_id where r.call_out_id = $1 order by r.id`,
    [id],
  );
  return { ...c, count: responders.length, responders };
}

export async function respondCallOut(ctx: AppContext, who: Principal, id: number) {
  volunteerPolicy.authorize(who, "self");
  const m = await confirmedMember(ctx, who);
  return inTx(ctx, async (tx) => {
    const [c] = await rows<{ id: number; orgPath: string }>(
      tx,
      sql`select id, org_path as "orgPath" from call_outs where id = ${id} and org_path like ${pattern(who)}`,
    );
    if (!c) throw NotFound("集结号不存在");
    const [r] = await rows<{ id: number }>(
      tx,
      sql`insert into call_out_responses (call_out_id, member_id, org_path) values (${id}, ${m.id}, ${m.orgPath}) on conflict do nothing returning id`,
    );
    if (r)
      await audit.record(tx, who, {
        action: "respond",
        entity: "call_out",
        entityId: id,
        orgPath: c.orgPath,
      });
    const [n] = await rows<{ n: number }>(
      tx,
      sql`select count(*)::int as n from call_out_responses where call_out_id = ${id}`,
    );
    return { id, count: n.n };
  });
}

// ——— the employer's report ———

export async function workUnitReport(
  ctx: AppContext,
  who: Principal,
  q: { workUnit: string; period: "month" | "quarter"; at: string },
) {
  volunteerPolicy.authorize(who, "read");
  const months = periodMonths(q.period, q.at);
  const list = await ctx.database.query<{
    name: string;
    kind: string;
    community: string;
    partyBranch: string | null;
    minutes: number;
    points: number;
    tasks: number;
  }>(
    `select m.name, m.kind, o.name as community, m.party_branch as "partyBranch",
       coalesce(sum(pm.minutes), 0)::int as minutes, coalesce(sum(pm.points), 0)::int as points, coalesce(sum(pm.tasks), 0)::int as tasks
     from volunteer_members m join org_units o on o.id = m.community_id
     left join points_accounts a on a.kind = 'member' and a.member_id = m.id
     left join points_monthly pm on pm.account_id = a.id and pm.month = any($3::text[])
     where m.work_unit = $2 and m.state = 'confirmed' and m.org_path like $1
     group by m.id, o.name order by minutes desc, m.name`,
    [pattern(who), q.workUnit, months],
  );
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet("志愿服务");
  ws.addRow([`${q.workUnit} 在职党员社区志愿服务情况（${months[0]} 至 ${months.at(-1)}）`]);
  ws.addRow(["姓名", "报到社区", "党支部", "服务时长（小时）", "获得积分", "服务次数"]);
  for (const r of list)
    ws.addRow(
      [r.name, r.community, r.partyBranch ?? "", Math.round(r.minutes / 6) / 10, r.points, r.tasks].map(
        safeCell,
      ),
    );
  ws.columns.forEach((c) => {
    c.width = 16;
  });
  await audit.record(ctx.database.db, who, {
    action: "export",
    entity: "volunteer_report",
    entityId: null,
    orgPath: who.orgPath,
    after: { workUnit: q.workUnit, months, rows: list.length },
  });
  return await workbookBuffer(wb);
}
