import { ErrorBody, Id, stdErrors, Text, Type } from "../../platform/schemas.ts";

// What the care routes take. Responses are declared in presenter.ts beside the code that builds them.

export const T = ["care"];

/** Care's refusals: the usual ones, and 422 for a rule over the data (an unconfigured hospital). */
export const careErrors = { ...stdErrors, 422: ErrorBody } as const;

export const CommunityParams = Type.Object({ communityId: Id });

export const limitQuery = (max: number, dflt: number) =>
  Type.Integer({ minimum: 1, maximum: max, default: dflt });

/** A reading as typed on a phone: a number, or the text of one (the domain parses and ranges it). */
const Reading = Type.Unsafe<number | string | null>({ type: ["number", "string", "null"] });

/**
 * The visit body is typed loosely on purpose: the domain validator checks every field at once and
 * answers in Chinese with the valid range, which a phone can show next to the field.
 */
export const VisitBody = Type.Object(
  {
    clientId: Type.String({ maxLength: 64 }),
    residentId: Type.Unsafe<number | string>({ type: ["integer", "string"] }),
    kind: Type.String({ maxLength: 20 }),
    visitedAt: Type.String({ maxLength: 40 }),
    durationMinutes: Type.Unsafe<number | string>({ type: ["integer", "string"] }),
    findings: Type.Optional(Text({ maxLength: 4000 })),
    needs: Type.Optional(
      Type.Array(
        Type.Object(
          {
            kind: Type.Optional(Type.String()),
            urgency: Type.Optional(Type.String()),
            note: Type.Optional(Text({ maxLength: 400 })),
          },
          { additionalProperties: false },
        ),
        { maxItems: 10 },
      ),
    ),
    vitals: Type.Optional(
      Type.Object(
        {
          systolic: Type.Optional(Reading),
          diastolic: Type.Optional(Reading),
          glucose: Type.Optional(Reading),
          glucoseContext: Type.Optional(Type.Unsafe<string | null>({ type: ["string", "null"] })),
          temperature: Type.Optional(Reading),
          spo2: Type.Optional(Reading),
          heartRate: Type.Optional(Reading),
        },
        { additionalProperties: false },
      ),
    ),
    location: Type.Optional(
      Type.Object(
        {
          lat: Type.Number({ minimum: -90, maximum: 90 }),
          long: Type.Number({ minimum: -180, maximum: 180 }),
          accuracy: Type.Optional(Type.Number({ minimum: 0, maximum: 100000 })),
        },
        {
          additionalProperties: false,
          description: "可选的位置打卡（手机定位）：纬度、经度、精度（米）",
        },
      ),
    ),
  },
  { additionalProperties: false },
);
