// What leaves the server about lists, rows and tasks, per audience. ID numbers and phones are masked for
// staff screens and exports; only a reveal (permission + stated reason, audited) shows them whole.
import { maskIdCard } from "../../../domain/mask/mask.ts";
import type { Actor, AppContext } from "../../context.ts";
import { canSee } from "../../platform/access.ts";
import {
  IntOrNull,
  NumOrNull,
  type Static,
  Str,
  StrOrNull,
  Strs,
  Time,
  TimeOrNull,
  Type,
} from "../../platform/schemas.ts";

export const CountersSchema = Type.Record(Type.String(), Type.Integer());

export const ListSchema = Type.Object({
  id: Type.Integer(),
  title: Str,
  filename: StrOrNull,
  format: Str,
  state: Str,
  orgName: Str,
  ownerName: Str,
  /** Rows the sheet holds, as estimated before reading (0 = unknown). */
  estimate: Type.Integer(),
  /** Rows read and committed so far (sheet row number). */
  checkpoint: Type.Integer(),
  counters: CountersSchema,
  deadline: StrOrNull,
  error: StrOrNull,
  /** Whether the caller may start or cancel it (a list of their own area). */
  mine: Type.Boolean(),
  createdAt: Time,
  finishedAt: TimeOrNull,
  routedAt: TimeOrNull,
  /** The campaign's first list (this list's own id for a first batch), and this list's batch number. */
  campaignId: Type.Integer(),
  batchNo: Type.Integer(),
});
export type ListView = Static<typeof ListSchema>;

export function presentList(r: any, actor: Actor): ListView {
  return {
    id: r.id,
    title: r.title,
    filename: r.filename,
    format: r.format,
    state: r.state,
    orgName: r.orgName,
    ownerName: r.ownerName,
    estimate: r.estimate,
    checkpoint: r.checkpoint,
    counters: r.counters ?? {},
    deadline: r.deadline,
    error: r.error,
    mine: canSee(actor, r.orgPath),
    createdAt: r.createdAt,
    finishedAt: r.finishedAt,
    routedAt: r.routedAt,
    campaignId: r.campaignId ?? r.id,
    batchNo: r.batchNo ?? 1,
  };
}

export interface RowRecord {
  id: number;
  n: number;
  name: string;
  idTail: string | null;
  idStatus: string;
  phoneTail: string | null;
  address: string;
  statedCommunity: string;
  class: string;
  reasons: string[];
  matchBy: string | null;
  score: number | null;
  streetCode: string | null;
  communityCode: string | null;
  gridPath: string | null;
  gridName: string | null;
  outcome: string | null;
  outcomeNote: string | null;
  outcomeAt: Date | string | null;
  outcomeByName: string | null;
  /** The ID and phone as typed, when they differ from the cleaned ones (null: typed as cleaned). */
  originalCipher: string | null;
  idCipher: string | null;
  phoneCipher: string | null;
  listTitle: string;
  listId: number;
  deadline: string | null;
  batchStatus?: string | null;
  changedFields?: string[];
}

export const RowSchema = Type.Object({
  id: Type.Integer(),
  listId: Type.Integer(),
  listTitle: Str,
  n: Type.Integer(),
  name: Str,
  idNumber: Str,
  phone: Str,
  address: Str,
  statedCommunity: Str,
  class: Str,
  reasons: Strs,
  matchBy: StrOrNull,
  score: NumOrNull,
  gridName: StrOrNull,
  deadline: StrOrNull,
  outcome: StrOrNull,
  outcomeNote: StrOrNull,
  outcomeAt: TimeOrNull,
  outcomeByName: StrOrNull,
  /** Against the campaign's earlier batches: new, unchanged or changed (null: a row of a first batch). */
  batchStatus: StrOrNull,
  /** What changed since the earlier batch (name, idNumber, phone, address, community). */
  changedFields: Strs,
});
export type RowView = Static<typeof RowSchema> & { idTyped?: string; phoneTyped?: string };

/** Masked what was typed when no cleaned value exists (a damaged number keeps its visible shape). */
const maskTyped = (s: string | undefined) => (s ? (s.length > 8 ? maskIdCard(s) : "*".repeat(s.length)) : "");

export function presentRow(r: RowRecord, audience: "staff" | "export" | "reveal", ctx: AppContext): RowView {
  const reveal = audience === "reveal";
  const id = r.idCipher ? (reveal ? ctx.crypto.decrypt(r.idCipher) : null) : null;
  const phone = r.phoneCipher ? (reveal ? ctx.crypto.decrypt(r.phoneCipher) : null) : null;
  const original: Record<string, string | undefined> =
    audience === "staff"
      ? {}
      : r.originalCipher
        ? JSON.parse(ctx.crypto.decrypt(r.originalCipher))
        : {
            idNumber: r.idCipher ? (id ?? ctx.crypto.decrypt(r.idCipher)) : undefined,
            phone: r.phoneCipher ? (phone ?? ctx.crypto.decrypt(r.phoneCipher)) : undefined,
          };
  const view: RowView = {
    id: r.id,
    listId: r.listId,
    listTitle: r.listTitle,
    n: r.n,
    name: r.name,
    idNumber: r.idTail ? (id ?? `${"*".repeat(14)}${r.idTail}`) : "",
    phone: r.phoneTail ? (phone ?? `*******${r.phoneTail}`) : "",
    address: r.address,
    statedCommunity: r.statedCommunity,
    class: r.class,
    reasons: r.reasons,
    matchBy: r.matchBy,
    score: r.score,
    gridName: r.gridName,
    deadline: r.deadline,
    outcome: r.outcome,
    outcomeNote: r.outcomeNote,
    outcomeAt: r.outcomeAt,
    outcomeByName: r.outcomeByName,
    batchStatus: r.batchStatus ?? null,
    changedFields: r.changedFields ?? [],
  };
  if (audience !== "staff") {
    view.idTyped = reveal ? (original.idNumber ?? "") : maskTyped(original.idNumber);
    view.phoneTyped = reveal ? (original.phone ?? "") : maskTyped(original.phone);
  }
  return view;
}

/** A task as the grid worker sees it on the phone: whom to visit, where, by when; the phone masked. */
export const TaskSchema = RowSchema;
export const IntOrNullSchema = IntOrNull;
