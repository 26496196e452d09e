import fs from "node:fs";
import path from "node:path";
import { publicText } from "../../../domain/privacy/publicText.ts";
import { type OrderState, STATE_LABELS } from "../../../domain/workflow/index.ts";
import type { AppContext, ResidentPrincipal } from "../../context.ts";
import { systemPrincipal } from "../../platform/access.ts";
import { Conflict, NotFound } from "../../platform/errors.ts";
import type { CheckIn } from "../../platform/schemas.ts";
import { storePhoto } from "./attachments.ts";
import { createOrder, transitionOrder } from "./service.ts";

// The resident app's way into work orders (the only one): a resident reports a problem (channel
// resident_app, the caller being the registry entry their account is bound to, so the receipt SMS with the
// order number and status link goes to their phone), adds photos, follows their orders and rates them.
// Which orders are theirs is the calling module's record; this face is handed the ids.

/** The system acting for the app, inside the resident's community (a building picked must lie there). */
const appSystem = (who: ResidentPrincipal, communityPath: string) =>
  systemPrincipal("resident_app", `居民端（${who.displayName}）`, communityPath);

export async function raiseFromApp(
  ctx: AppContext,
  who: ResidentPrincipal,
  communityPath: string,
  input: { categoryCode: string; description: string; buildingId?: number; checkIn?: CheckIn },
  now = new Date(),
): Promise<{ id: number; number: string; orgPath: string }> {
  const r = await createOrder(
    ctx,
    appSystem(who, communityPath),
    {
      channel: "resident_app",
      categoryCode: input.categoryCode,
      description: input.description,
      residentId: who.residentId,
      callerIsResident: true,
      ...(input.buildingId ? { buildingId: input.buildingId } : {}),
      ...(input.checkIn ? { checkIn: input.checkIn } : {}),
    },
    now,
  );
  return { id: r.id, number: r.number, orgPath: r.row.orgPath };
}

export async function addAppPhoto(
  ctx: AppContext,
  who: ResidentPrincipal,
  orderId: number,
  filename: string,
  upload: Buffer,
) {
  const [o] = await ctx.database.query<{ orgPath: string; state: string }>(
    `select org_path as "orgPath", state from work_orders where id = $1`,
    [orderId],
  );
  if (!o) throw NotFound("工单不存在");
  if (o.state === "closed" || o.state === "cancelled") throw Conflict("工单已结束，不能再添加照片");
  const a = await storePhoto(ctx, who, orderId, o.orgPath, filename, upload, null);
  return { id: a.id };
}

export interface AppOrder {
  id: number;
  number: string;
  state: string;
  stateLabel: string;
  category: string;
  description: string;
  createdAt: Date;
  canRate: boolean;
  rated: boolean;
  satisfaction: string | null;
  /** The handler's latest words to the resident (a reply or the resolution note), masked like public text. */
  reply: string | null;
  photos: { id: number; mine: boolean }[];
}

/** The resident's own orders (ids from their record), newest first, with reply and photos. */
export async function ordersForResident(ctx: AppContext, ids: readonly number[]): Promise<AppOrder[]> {
  if (ids.length === 0) return [];
  const list = `{${ids.join(",")}}`;
  const rows = await ctx.database.query<{
    id: number;
    number: string;
    state: string;
    categoryName: string;
    visibility: string;
    publicWording: string | null;
    description: string;
    createdAt: Date;
    ratedAt: Date | null;
    satisfaction: string | null;
    reply: string | null;
    photos: { id: number; mine: boolean }[] | null;
  }>(
    `select o.id, o.number, o.state, c.name as "categoryName", c.visibility, c.public_wording as "publicWording", o.description,
       o.created_at as "createdAt", o.rated_at as "ratedAt", o.satisfaction,
       (select e.note from work_order_events e where e.order_id = o.id and e.action in ('reply', 'resolve') and e.note is not null
         order by e.id desc limit 1) as reply,
       (select json_agg(json_build_object('id', a.id, 'mine', a.uploaded_by is null) order by a.id) from attachments a
         where a.order_id = o.id) as photos
     from work_orders o join categories c on c.id = o.category_id where o.id = any($1::int[]) order by o.id desc`,
    [list],
    { name: "wo_orders_for_resident" },
  );
  return rows.map((r) => ({
    id: r.id,
    number: r.number,
    state: r.state,
    stateLabel: STATE_LABELS[r.state as OrderState] ?? r.state,
    category: r.visibility === "public" ? r.categoryName : (r.publicWording ?? r.categoryName),
    description: r.description,
    createdAt: r.createdAt,
    canRate: r.state === "callback" && !r.ratedAt,
    rated: !!r.ratedAt,
    satisfaction: r.satisfaction,
    reply: r.reply ? publicText(r.reply) : null,
    photos: r.photos ?? [],
  }));
}

/** A photo of one of the resident's orders (ids from their record); 404 for any other. */
export async function photoForResident(ctx: AppContext, ids: readonly number[], attachmentId: number) {
  const [a] = await ctx.database.query<{ mime: string; storagePath: string }>(
    `select mime, storage_path as "storagePath" from attachments where id = $1 and order_id = any($2::int[])`,
    [attachmentId, `{${ids.join(",")}}`],
  );
  if (!a) throw NotFound("照片不存在");
  return { mime: a.mime, stream: fs.createReadStream(path.join(ctx.config.dataDir, a.storagePath)) };
}

/** The resident's rating at callback: solved and satisfied closes the order, anything else reopens it. */
export async function rateFromApp(
  ctx: AppContext,
  who: ResidentPrincipal,
  orderId: number,
  rating: {
    solved: boolean;
    satisfaction: "satisfied" | "basically_satisfied" | "unsatisfied";
    comment?: string;
  },
) {
  const [o] = await ctx.database.query<{
    state: string;
    version: number;
    ratedAt: Date | null;
    orgPath: string;
  }>(`select state, version, rated_at as "ratedAt", org_path as "orgPath" from work_orders where id = $1`, [
    orderId,
  ]);
  if (!o) throw NotFound("工单不存在");
  if (o.ratedAt) throw Conflict("该工单已评价，感谢您的反馈");
  if (o.state !== "callback") throw Conflict("工单尚未办结核查，暂不能评价", { state: o.state });
  const action = rating.solved && rating.satisfaction !== "unsatisfied" ? "close" : "reopen";
  const r = await transitionOrder(
    ctx,
    appSystem(who, o.orgPath),
    orderId,
    action,
    { version: o.version, callback: { solved: rating.solved, satisfaction: rating.satisfaction } },
    { resident: { comment: rating.comment?.trim() || null } },
  );
  return { state: r.state, stateLabel: STATE_LABELS[r.state as OrderState] ?? r.state };
}
