import { ORG_KINDS } from "../../../domain/org/scope.ts";
import { IntOrNull, OneOf, type Static, Str, StrOrNull, Type } from "../../platform/schemas.ts";

const Kind = OneOf(ORG_KINDS);

// Org units as they leave the server. The path is the tree's internal key and stays inside.

export const OrgNodeSchema = Type.Object({
  id: Type.Integer(),
  kind: Kind,
  code: Str,
  name: Str,
  parentId: IntOrNull,
  childCount: Type.Integer(),
});
export type OrgNodeOut = Static<typeof OrgNodeSchema>;

export const CrumbSchema = Type.Object({ id: Type.Integer(), kind: Kind, name: Str, code: Str });
export type Crumb = Static<typeof CrumbSchema>;

export const OrgListSchema = Type.Object({ items: Type.Array(OrgNodeSchema) });
export const OrgDetailSchema = Type.Object({
  unit: OrgNodeSchema,
  breadcrumb: Type.Array(CrumbSchema),
  /** A community's on-duty hotline 社区值班电话 (a published number); null elsewhere or when not set. */
  dutyPhone: StrOrNull,
});
export const DutyPhoneSchema = Type.Object({ id: Type.Integer(), dutyPhone: StrOrNull });

export const presentCrumb = (r: Crumb): Crumb => ({ id: r.id, kind: r.kind, name: r.name, code: r.code });
