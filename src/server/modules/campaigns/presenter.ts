import { OUTCOMES, STATUSES, type Status } from "../../../domain/campaigns/outcomes.ts";
import { QUESTION_KINDS } from "../../../domain/campaigns/questionnaire.ts";
import { KEY_TAGS } from "../../../domain/people/tags.ts";
import { IntOrNull, Line, OneOf, Str, StrOrNull, Time, TimeOrNull, Type } from "../../platform/schemas.ts";
import type { CampaignRow } from "./common.ts";

// What leaves the campaigns module, per audience. Staff see addresses (they knock on those doors); the
// name of whoever took a notice leaves masked; nothing here is public.

export const STATUS_LABELS: Record<Status, string> = {
  pending: "未入户",
  done: "已完成",
  revisit: "待复访",
  refused: "拒绝",
  moved: "已搬离",
  other: "其他",
};

/** 张三 → 张*, 欧阳娜娜 → 欧***. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return "*";
  return chars[0] + "*".repeat(chars.length - 1);
}

const B = { additionalProperties: false } as const;

export const QuestionSchema = Type.Object(
  {
    id: Line({ minLength: 1, maxLength: 30, pattern: "^[A-Za-z0-9_-]+$" }),
    kind: OneOf(QUESTION_KINDS),
    label: Line({ minLength: 1, maxLength: 100 }),
    options: Type.Optional(Type.Array(Line({ minLength: 1, maxLength: 40 }), { maxItems: 20 })),
    required: Type.Optional(Type.Boolean()),
    showIf: Type.Optional(
      Type.Object({ question: Line({ maxLength: 30 }), equals: Line({ maxLength: 40 }) }, B),
    ),
    raisesOrder: Type.Optional(
      Type.Object({ when: Line({ maxLength: 40 }), categoryCode: Line({ maxLength: 40 }) }, B),
    ),
    proposesTag: Type.Optional(Type.Object({ when: Line({ maxLength: 40 }), tag: OneOf(KEY_TAGS) }, B)),
  },
  B,
);
export const Questions = Type.Array(QuestionSchema, { minItems: 1, maxItems: 50 });

export const CampaignSchema = Type.Object({
  id: Type.Integer(),
  name: Str,
  org: Type.Object({ id: Type.Integer(), name: Str, kind: Str }),
  startsOn: Str,
  endsOn: Str,
  gridIds: Type.Array(Type.Integer()),
  target: Type.Object({ kind: Str, tags: Type.Array(Str), listId: IntOrNull, uploadId: IntOrNull }),
  questionnaireVersion: Type.Integer(),
  notice: Type.Union([Type.Object({ title: Str, body: Str }), Type.Null()]),
  state: Str,
  createdByName: StrOrNull,
  createdAt: Time,
});

export function presentCampaign(c: CampaignRow) {
  return {
    id: c.id,
    name: c.name,
    org: { id: c.orgUnitId, name: c.orgName, kind: c.orgKind },
    startsOn: c.startsOn,
    endsOn: c.endsOn,
    gridIds: c.gridIds,
    target: { kind: c.targetKind, tags: c.targetTags, listId: c.verificationListId, uploadId: c.uploadId },
    questionnaireVersion: c.questionnaireVersion,
    notice: c.noticeTitle ? { title: c.noticeTitle, body: c.noticeBody ?? "" } : null,
    state: c.state,
    createdByName: c.createdByName,
    createdAt: c.createdAt,
  };
}

export const CampaignListSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      ...CampaignSchema.properties,
      targetCount: Type.Integer(),
      visited: Type.Integer(),
      done: Type.Integer(),
    }),
  ),
});

export const CampaignDetailSchema = Type.Object({
  ...CampaignSchema.properties,
  questions: Type.Array(QuestionSchema),
  versions: Type.Array(Type.Integer()),
  grids: Type.Array(Type.Object({ id: Type.Integer(), name: Str })),
  canManage: Type.Boolean(),
  /** May move households between members in the caller's part (a community in its street's campaign too). */
  canReassign: Type.Boolean(),
});

const CountProps = {
  target: Type.Integer(),
  visited: Type.Integer(),
  done: Type.Integer(),
  revisit: Type.Integer(),
  refused: Type.Integer(),
  moved: Type.Integer(),
  other: Type.Integer(),
  notices: Type.Integer(),
  flagged: Type.Integer(),
};
export const ProgressSchema = Type.Object({
  org: Type.Object({ id: Type.Integer(), name: Str, kind: Str }),
  totals: Type.Object(CountProps),
  children: Type.Array(Type.Object({ id: Type.Integer(), name: Str, kind: Str, ...CountProps })),
  members: Type.Array(Type.Object({ id: IntOrNull, name: Str, ...CountProps })),
  trend: Type.Array(
    Type.Object({ day: Str, records: Type.Integer(), done: Type.Integer(), notices: Type.Integer() }),
  ),
});

export const HouseholdListSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.Integer(),
      address: Str,
      status: OneOf(STATUSES),
      lastVisitAt: TimeOrNull,
      records: Type.Integer(),
      flagged: Type.Boolean(),
      member: StrOrNull,
      unit: Str,
    }),
  ),
  total: Type.Integer(),
});

export const HouseholdRecordsSchema = Type.Object({
  address: Str,
  status: Str,
  flagged: Type.Boolean(),
  records: Type.Array(
    Type.Object({
      id: Type.Integer(),
      member: Str,
      outcome: OneOf(OUTCOMES),
      outcomeLabel: Str,
      note: StrOrNull,
      version: Type.Integer(),
      visitedAt: Time,
      receivedAt: Time,
      notice: Type.Union([Type.Object({ method: Str, to: StrOrNull, at: TimeOrNull }), Type.Null()]),
      workOrderId: IntOrNull,
      photos: Type.Array(Type.Integer()),
      answers: Type.Array(Type.Object({ question: Str, label: Str, answer: Str })),
    }),
  ),
});

export const FieldSchema = Type.Object({
  campaigns: Type.Array(
    Type.Object({
      id: Type.Integer(),
      name: Str,
      startsOn: Str,
      endsOn: Str,
      noticeTitle: StrOrNull,
      noticeBody: StrOrNull,
      version: Type.Integer(),
      questions: Type.Array(QuestionSchema),
      households: Type.Array(
        Type.Object({
          id: Type.Integer(),
          building: Str,
          address: Str,
          unitNo: IntOrNull,
          floor: IntOrNull,
          roomNo: StrOrNull,
          status: OneOf(STATUSES),
          lastVisitAt: TimeOrNull,
          revisitDue: TimeOrNull,
          records: Type.Integer(),
          flagged: Type.Boolean(),
          overdue: Type.Boolean(),
        }),
      ),
    }),
  ),
  revisitAfterHours: Type.Integer(),
  at: Time,
});

export const SyncResultSchema = Type.Object({
  results: Type.Array(
    Type.Object({ clientId: Str, status: OneOf(["stored", "duplicate"] as const), flagged: Type.Boolean() }),
  ),
});

export const MemberSchema = Type.Object({
  items: Type.Array(Type.Object({ id: Type.Integer(), name: Str, unit: Str, households: Type.Integer() })),
});

const UnmatchedRow = Type.Object({ n: Type.Integer(), text: Str, reason: Str });
export const UploadSchema = Type.Object({
  id: Type.Integer(),
  filename: StrOrNull,
  rows: Type.Integer(),
  matched: Type.Integer(),
  unmatchedCount: Type.Integer(),
  unmatched: Type.Array(UnmatchedRow),
});

export const AssignmentBoardSchema = Type.Object({
  org: Type.Object({ id: Type.Integer(), name: Str, kind: Str }),
  members: Type.Array(Type.Object({ id: Type.Integer(), name: Str, unit: Str })),
  households: Type.Array(
    Type.Object({
      id: Type.Integer(),
      address: Str,
      unit: Str,
      status: OneOf(STATUSES),
      memberId: IntOrNull,
    }),
  ),
  truncated: Type.Boolean(),
});
