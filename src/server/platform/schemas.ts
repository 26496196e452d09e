import { errorSchema } from "./errors.ts";

/** Error responses every authenticated route may give, for the OpenAPI document. */
export const stdErrors = {
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  404: errorSchema,
  409: errorSchema,
} as const;

export const idParams = {
  type: "object",
  properties: { id: { type: "integer", minimum: 1, maximum: 2147483647 } },
  required: ["id"],
} as const;
