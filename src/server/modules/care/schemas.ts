import { VISIT_FREQUENCIES } from "../../../domain/care/plans.ts";
import { REFERRAL_STATES } from "../../../domain/care/referrals.ts";
import { KEY_TAGS } from "../../../domain/people/generate.ts";
import { errorSchema } from "../../platform/errors.ts";
import { stdErrors } from "../../platform/schemas.ts";

// Request and response schemas of the care routes. Responses are described to the level a client
// relies on; nested records stay open objects so the OpenAPI document lists them without a second copy.

export const open = { type: "object", additionalProperties: true } as const;
export const list = (items: object = open) =>
  ({ type: "object", properties: { items: { type: "array", items } }, additionalProperties: true }) as const;

export const errors = { ...stdErrors, 422: errorSchema } as const;

export const orgQuery = { org: { type: "integer", minimum: 1 } } as const;

export const tagEnum = { type: "string", enum: [...KEY_TAGS] } as const;
export const frequencyEnum = { type: ["string", "null"], enum: [...VISIT_FREQUENCIES, null] } as const;
export const referralStateEnum = { type: "string", enum: [...REFERRAL_STATES] } as const;

export const communityParams = {
  type: "object",
  properties: { communityId: { type: "integer", minimum: 1, maximum: 2147483647 } },
  required: ["communityId"],
} as const;

export const dueItem = {
  type: "object",
  properties: {
    residentId: { type: "integer" },
    name: { type: "string" },
    address: { type: "string" },
    gridCode: { type: ["string", "null"] },
    tags: { type: "array", items: { type: "string" } },
    tagLabels: { type: "array", items: { type: "string" } },
    frequency: { type: "string" },
    frequencyLabel: { type: "string" },
    state: { type: "string", enum: ["scheduled", "due_soon", "due", "overdue"] },
    label: { type: "string" },
    dueBy: { type: "string" },
    daysLeft: { type: "integer" },
    daysOverdue: { type: "integer" },
    lastVisitAt: { type: ["string", "null"], format: "date-time" },
    assignedWorkerId: { type: ["integer", "null"] },
    doctorId: { type: ["integer", "null"] },
  },
} as const;

/** Staff for the plan pickers; listing the fields keeps anything else an account row holds out of the answer. */
export const staffList = {
  type: "object",
  properties: {
    org: {
      type: "object",
      properties: { id: { type: "integer" }, name: { type: "string" }, kind: { type: "string" } },
    },
    items: {
      type: "array",
      items: {
        type: "object",
        properties: {
          id: { type: "integer" },
          displayName: { type: "string" },
          role: { type: "string" },
          roleLabel: { type: "string" },
          orgUnitId: { type: "integer" },
          orgName: { type: "string" },
          orgKind: { type: "string" },
          initials: { type: "string" },
        },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
} as const;

export const vitalsBody = {
  type: "object",
  properties: {
    systolic: { type: ["number", "string", "null"] },
    diastolic: { type: ["number", "string", "null"] },
    glucose: { type: ["number", "string", "null"] },
    glucoseContext: { type: ["string", "null"] },
    temperature: { type: ["number", "string", "null"] },
    spo2: { type: ["number", "string", "null"] },
    heartRate: { type: ["number", "string", "null"] },
  },
  additionalProperties: false,
} as const;

/**
 * The visit body is typed loosely on purpose: the domain validator checks every field at once and
 * answers in Chinese with the valid range, which a phone can show next to the field.
 */
export const visitBody = {
  type: "object",
  properties: {
    clientId: { type: "string", maxLength: 64 },
    residentId: { type: ["integer", "string"] },
    kind: { type: "string", maxLength: 20 },
    visitedAt: { type: "string", maxLength: 40 },
    durationMinutes: { type: ["integer", "string"] },
    findings: { type: "string", maxLength: 4000 },
    needs: {
      type: "array",
      maxItems: 10,
      items: {
        type: "object",
        properties: {
          kind: { type: "string" },
          urgency: { type: "string" },
          note: { type: "string", maxLength: 400 },
        },
        additionalProperties: false,
      },
    },
    vitals: vitalsBody,
    location: {
      type: "object",
      description: "可选的位置打卡（手机定位）：纬度、经度、精度（米）",
      properties: {
        lat: { type: "number", minimum: -90, maximum: 90 },
        long: { type: "number", minimum: -180, maximum: 180 },
        accuracy: { type: "number", minimum: 0, maximum: 100000 },
      },
      required: ["lat", "long"],
      additionalProperties: false,
    },
  },
  required: ["clientId", "residentId", "kind", "visitedAt", "durationMinutes"],
  additionalProperties: false,
} as const;

export const visitResult = {
  type: "object",
  properties: {
    replay: { type: "boolean" },
    visit: open,
    alert: { type: ["object", "null"], additionalProperties: true },
    workOrder: { type: ["object", "null"], additionalProperties: true },
  },
} as const;
