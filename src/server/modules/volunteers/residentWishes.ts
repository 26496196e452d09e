import { sql } from "drizzle-orm";
import { publicText } from "../../../domain/privacy/publicText.ts";
import type { AppContext, ResidentPrincipal } from "../../context.ts";
import * as audit from "../../platform/audit.ts";
import { Conflict, NotFound } from "../../platform/errors.ts";
import { inTx, rows } from "./common.ts";

// Micro-wishes 微心愿 a resident makes in the phone app. They enter the same flow as those a grid worker
// collects — pending → the community reviews → published on the wall (masked text only) → claimed by a
// member → fulfilled with a photo → confirmed — and the resident follows theirs under "my requests". The
// resident sees their own wish, its state, the member's note and the fulfilment photo; never the wall's
// other wishes, never who else is involved beyond a member's surname.

/** Wishes a resident may have under way at once (pending, published or claimed): a wall, not a mailbox. */
export const OPEN_WISHES_PER_RESIDENT = 3;

export async function wishFromApp(
  ctx: AppContext,
  who: ResidentPrincipal,
  w: { title: string; detail: string },
) {
  const [me] = await ctx.database.query<{ name: string; orgUnitId: number; orgPath: string }>(
    `select name, org_unit_id as "orgUnitId", org_path as "orgPath" from residents where id = $1`,
    [who.residentId],
  );
  if (!me) throw NotFound("居民信息不存在");
  const masked = publicText(`${w.title.trim()}\n${w.detail.trim()}`, [me.name]);
  const [title, ...rest] = masked.split("\n");
  return inTx(ctx, async (tx) => {
    // The count and the insert under the account's advisory lock: two taps at once make one wish past the cap.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('resident_wish'), ${who.residentAccountId})`);
    const [open] = await rows<{ n: number }>(
      tx,
      sql`select count(*)::int as n from volunteer_wishes where resident_account_id = ${who.residentAccountId}
        and state in ('pending', 'published', 'claimed')`,
    );
    if (open.n >= OPEN_WISHES_PER_RESIDENT)
      throw Conflict(`您已有 ${open.n} 个心愿在办理中，请等圆梦后再许新的心愿`);
    const [row] = await rows<{ id: number }>(
      tx,
      sql`insert into volunteer_wishes (org_unit_id, org_path, resident_id, resident_account_id, title, detail, public_text, posted_by_name)
        values (${me.orgUnitId}, ${me.orgPath}, ${who.residentId}, ${who.residentAccountId}, ${title.trim()}, ${w.detail.trim()},
          ${rest.join("\n").trim()}, ${"居民本人（居民端）"}) returning id`,
    );
    await audit.record(tx, who, {
      action: "create",
      entity: "volunteer_wish",
      entityId: row.id,
      orgPath: me.orgPath,
    });
    return { id: row.id, state: "pending" };
  });
}

export interface ResidentWish {
  id: number;
  title: string;
  detail: string;
  state: string;
  rejectReason: string | null;
  memberSurname: string | null;
  fulfilNote: string | null;
  hasPhoto: boolean;
  createdAt: Date;
  claimedAt: Date | null;
  fulfilledAt: Date | null;
}

/** The wishes a resident made in the app, newest first (what they wrote, not the wall's masked text). */
export async function wishesOfResident(ctx: AppContext, residentAccountId: number): Promise<ResidentWish[]> {
  return ctx.database.query<ResidentWish>(
    `select w.id, w.title, w.detail, w.state, w.reject_reason as "rejectReason", left(m.name, 1) as "memberSurname",
       w.fulfil_note as "fulfilNote", (w.photo is not null) as "hasPhoto", w.created_at as "createdAt",
       w.claimed_at as "claimedAt", w.fulfilled_at as "fulfilledAt"
     from volunteer_wishes w left join volunteer_members m on m.id = w.member_id
     where w.resident_account_id = $1 order by w.id desc limit 50`,
    [residentAccountId],
    { name: "app_my_wishes" },
  );
}

/** The fulfilment photo of the resident's own wish; 404 for anyone else's. */
export async function wishPhotoOfResident(ctx: AppContext, residentAccountId: number, id: number) {
  const [w] = await ctx.database.query<{ photo: Buffer | Uint8Array | null; photoType: string | null }>(
    `select photo, photo_type as "photoType" from volunteer_wishes where id = $1 and resident_account_id = $2`,
    [id, residentAccountId],
  );
  if (!w?.photo) throw NotFound("照片不存在");
  return { type: w.photoType ?? "image/jpeg", data: Buffer.from(w.photo) };
}
