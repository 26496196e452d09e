import { ORG_KINDS } from "../../../domain/org/scope.ts";
import {
  emptyCounts,
  LIST_RULES,
  RATE_NAMES,
  type RankedUnit,
  type RateCounts,
  type RateName,
} from "../../../domain/rates/index.ts";
import { IntOrNull, NumOrNull, OneOf, type Static, Str, Time, Type } from "../../platform/schemas.ts";

// The five rates and the red/black list as they leave the server, with their schemas. Every figure is
// named: a rate carries its numerator and denominator so a page can explain it.

const byRate = <T extends Parameters<typeof Type.Object>[0][string]>(schema: T) =>
  Type.Object(Object.fromEntries(RATE_NAMES.map((n) => [n, schema])) as Record<RateName, T>);

export const RateSchema = Type.Object({
  value: NumOrNull,
  numerator: Type.Integer(),
  denominator: Type.Integer(),
});
export const RatesSchema = byRate(RateSchema);
export const LabelsSchema = byRate(Str);
export const WeightsSchema = byRate(Type.Number({ minimum: 0, maximum: 100 }));
export const CountsSchema = Type.Object(
  Object.fromEntries(Object.keys(emptyCounts()).map((k) => [k, Type.Integer()])) as Record<
    keyof RateCounts,
    ReturnType<typeof Type.Integer>
  >,
);
const Kind = OneOf(ORG_KINDS);

export const RatesReportSchema = Type.Object({
  unit: Type.Object({ id: Type.Integer(), name: Str, kind: Kind }),
  period: Type.Object({ from: Time, to: Time }),
  counts: CountsSchema,
  rates: RatesSchema,
  labels: LabelsSchema,
  children: Type.Array(
    Type.Object({
      unit: Type.Object({ id: Type.Integer(), code: Str, name: Str, kind: Kind }),
      counts: CountsSchema,
      rates: RatesSchema,
    }),
  ),
});

export const RankedUnitSchema = Type.Object({
  rank: IntOrNull,
  /** The community's code. */
  unitId: Str,
  /** The community's org id, so a page can link to its rates. */
  orgId: IntOrNull,
  name: Str,
  score: NumOrNull,
  rates: RatesSchema,
  contributions: Type.Object(
    Object.fromEntries(RATE_NAMES.map((n) => [n, Type.Optional(Type.Number())])) as Record<
      RateName,
      ReturnType<typeof Type.Optional<ReturnType<typeof Type.Number>>>
    >,
  ),
  counts: CountsSchema,
});
export type RankedUnitOut = Static<typeof RankedUnitSchema>;

const ListNote = Type.Unsafe<"too_few_units" | "tie_at_cut" | null>({
  type: ["string", "null"],
  enum: ["too_few_units", "tie_at_cut", null],
});

export const RankingSchema = Type.Object({
  month: Str,
  /** What is ranked: the streets, communities or grids in the caller's subtree. */
  level: OneOf(["street", "community", "grid"] as const),
  weights: WeightsSchema,
  labels: LabelsSchema,
  ranking: Type.Array(RankedUnitSchema),
  red: Type.Array(RankedUnitSchema),
  black: Type.Array(RankedUnitSchema),
  /** Units with a score: the ones the list rules count. */
  ranked: Type.Integer(),
  limit: Type.Object({ red: Type.Integer(), black: Type.Integer() }),
  /** Why a list is shorter than asked (too few units, or a tie the cut would have split). */
  note: Type.Object({ red: ListNote, black: ListNote }),
  rules: Type.Object({ minUnits: Type.Integer(), maxShare: Type.Number() }),
  /** Whether this caller may change the weights (the district only). */
  canManageWeights: Type.Boolean(),
});

export const presentRankedUnit = (u: RankedUnit, orgId: number | null): RankedUnitOut => ({
  rank: u.rank,
  unitId: u.unitId,
  orgId,
  name: u.name,
  score: u.score,
  rates: u.rates,
  contributions: u.contributions,
  counts: u.counts,
});

export const LIST_RULES_OUT = { minUnits: LIST_RULES.minUnits, maxShare: LIST_RULES.maxShare };
