import { OneOf, type Static, Str, Type } from "../../platform/schemas.ts";

export const HolidayDaySchema = Type.Object({
  day: Str,
  kind: OneOf(["holiday", "workday"] as const),
  name: Str,
  /** builtin: from the chinese-days package; entered: typed or imported here (wins over the package). */
  source: OneOf(["builtin", "entered"] as const),
});
export type HolidayDay = Static<typeof HolidayDaySchema>;

export const YearSchema = Type.Object({
  year: Type.Integer(),
  covered: Type.Boolean(),
  days: Type.Array(HolidayDaySchema),
  canManage: Type.Boolean(),
});

export const CoverageSchema = Type.Object({
  /** The year the warning is about: the coming one. */
  year: Type.Integer(),
  covered: Type.Boolean(),
  /** The last year the package itself covers. */
  packageLastYear: Type.Integer(),
});
