import {
  BoolOrNull,
  IntOrNull,
  Str,
  StrOrNull,
  Strs,
  Time,
  TimeOrNull,
  Type,
} from "../../platform/schemas.ts";

// What leaves the volunteers module, per audience. Members (the wall) get masked wish text only and names
// on rankings with the surname alone; staff get the member's name, work unit and phone tail, never the ID.

export const MemberSchema = Type.Object({
  id: Type.Integer(),
  accountId: IntOrNull,
  name: Str,
  kind: Str,
  state: Str,
  communityId: Type.Integer(),
  communityName: Str,
  skills: Strs,
  specialties: Strs,
  workUnit: StrOrNull,
  partyBranch: StrOrNull,
  rejectReason: StrOrNull,
  availability: StrOrNull,
});

export const MeSchema = Type.Object({
  member: Type.Union([MemberSchema, Type.Null()]),
  balance: Type.Integer(),
  earned: Type.Integer(),
  minutes: Type.Integer(),
});

export const MemberListItem = Type.Object({
  id: Type.Integer(),
  name: Str,
  kind: Str,
  state: Str,
  communityName: Str,
  skills: Strs,
  specialties: Strs,
  workUnit: StrOrNull,
  partyBranch: StrOrNull,
  phone: StrOrNull,
  rejectReason: StrOrNull,
  balance: Type.Integer(),
  createdAt: Time,
});

const TaskBase = {
  id: Type.Integer(),
  kind: Str,
  title: Str,
  description: StrOrNull,
  place: Str,
  orgUnitId: Type.Integer(),
  unitName: Str,
  startsAt: Time,
  endsAt: Time,
  capacity: Type.Integer(),
  claimed: Type.Integer(),
  waitlisted: Type.Integer(),
  requiredSkills: Strs,
  cancelCutoffMinutes: Type.Integer(),
  state: Str,
  createdByName: StrOrNull,
};

export const TaskListItem = Type.Object({
  ...TaskBase,
  myState: StrOrNull,
  myCheckInAt: TimeOrNull,
  myCheckOutAt: TimeOrNull,
  myMinutes: IntOrNull,
  myConfirmed: Type.Boolean(),
});

export const TaskDetailSchema = Type.Object({
  task: Type.Object(TaskBase),
  claims: Type.Array(
    Type.Object({
      id: Type.Integer(),
      memberId: Type.Integer(),
      name: Str,
      state: Str,
      checkInAt: TimeOrNull,
      checkOutAt: TimeOrNull,
      minutes: IntOrNull,
      confirmedAt: TimeOrNull,
    }),
  ),
  /** The text of the QR code to print at the place: publishers only. */
  qrToken: StrOrNull,
});

export const AttendSchema = Type.Object({
  claimId: Type.Integer(),
  taskId: Type.Integer(),
  title: Str,
  step: Str,
  at: Time,
  minutes: IntOrNull,
});

export const LedgerSchema = Type.Object({
  balance: Type.Integer(),
  earned: Type.Integer(),
  minutes: Type.Integer(),
  entries: Type.Array(
    Type.Object({
      id: Type.Integer(),
      /** The ledger transaction (an award's id is what the desk reverses). */
      transactionId: Type.Integer(),
      kind: Str,
      memo: StrOrNull,
      amount: Type.Integer(),
      minutes: Type.Integer(),
      /** For an award or a redemption: whether it was reversed; null for a reversal. */
      reversed: BoolOrNull,
      at: Time,
    }),
  ),
});

/** A member's ledger as the community desk sees it. */
export const MemberLedgerSchema = Type.Object({
  member: Type.Object({ id: Type.Integer(), name: Str, state: Str }),
  ...LedgerSchema.properties,
});

export const ReversalSchema = Type.Object({
  id: Type.Integer(),
  state: Str,
  /** True when the award had been reversed before: nothing was written. */
  replayed: Type.Boolean(),
});

export const ItemSchema = Type.Object({
  id: Type.Integer(),
  kind: Str,
  name: Str,
  cost: Type.Integer(),
  stock: Type.Integer(),
});

export const RedemptionSchema = Type.Object({
  id: Type.Integer(),
  voucherCode: Str,
  item: Str,
  points: Type.Integer(),
  balance: Type.Integer(),
});

export const RedemptionListItem = Type.Object({
  id: Type.Integer(),
  item: Str,
  member: Str,
  points: Type.Integer(),
  voucherCode: Str,
  state: Str,
  reverseReason: StrOrNull,
  at: Time,
});

export const LeaderboardSchema = Type.Object({
  period: Str,
  months: Strs,
  items: Type.Array(
    Type.Object({
      rank: Type.Integer(),
      memberId: Type.Integer(),
      name: Str,
      /** Staff only (they see the whole name): pinyin initials, so the desk finds 顾丽 by "gl". */
      initials: Type.Optional(Str),
      workUnit: StrOrNull,
      points: Type.Integer(),
      minutes: Type.Integer(),
      hours: Type.Number(),
      tasks: Type.Integer(),
    }),
  ),
});

export const WishSchema = Type.Object({
  id: Type.Integer(),
  title: Str,
  text: Str,
  state: Str,
  place: Str,
  mine: Type.Boolean(),
  memberName: StrOrNull,
  rejectReason: StrOrNull,
  fulfilNote: StrOrNull,
  hasPhoto: Type.Boolean(),
  ageDays: Type.Integer(),
  createdAt: Time,
});

export const RequestSchema = Type.Object({
  id: Type.Integer(),
  specialty: Str,
  description: Str,
  state: Str,
  unitName: Str,
  memberName: StrOrNull,
  rating: IntOrNull,
  createdAt: Time,
});

export const ExpertSchema = Type.Object({
  id: Type.Integer(),
  name: Str,
  workUnit: StrOrNull,
  specialties: Strs,
});

export const CallOutListItem = Type.Object({
  id: Type.Integer(),
  title: Str,
  body: Str,
  sent: Type.Integer(),
  responders: Type.Integer(),
  mine: Type.Boolean(),
  createdAt: Time,
});

export const CallOutSchema = Type.Object({
  id: Type.Integer(),
  title: Str,
  body: Str,
  sent: Type.Integer(),
  createdAt: Time,
  count: Type.Integer(),
  responders: Type.Array(Type.Object({ name: Str, at: Time })),
});

export const StateSchema = Type.Object({ id: Type.Integer(), state: Str });
export { BoolOrNull };

/** A community's rules: points per hour, per wish, per 点单; the quarterly minimum of hours. */
export const RulesSchema = Type.Object({
  communityId: Type.Integer(),
  communityName: Str,
  pointsPerHour: Type.Integer(),
  pointsPerWish: Type.Integer(),
  pointsPerRequest: Type.Integer(),
  quarterlyMinHours: Type.Integer(),
  /** Null while the community keeps the module's defaults. */
  updatedAt: TimeOrNull,
});

/** What names a team wherever it is shown: in the list and at the head of its roll. */
const TeamFields = {
  id: Type.Integer(),
  kind: Str,
  name: Str,
  complex: Str,
  communityId: Type.Integer(),
  communityName: Str,
  secretaryMemberId: Type.Integer(),
  secretaryName: Str,
};

export const TeamListItem = Type.Object({
  ...TeamFields,
  /** On the roll now, and of them in-service party members. */
  size: Type.Integer(),
  partyMembers: Type.Integer(),
  /** The caller is its secretary. */
  mine: Type.Boolean(),
});

/** A team's roll as its secretary and the community desk read it (staff audience: name, work unit, phone tail). */
export const RollSchema = Type.Object({
  team: Type.Object(TeamFields),
  quarter: Str,
  quarterlyMinHours: Type.Integer(),
  counts: Type.Object({
    current: Type.Integer(),
    partyMembers: Type.Integer(),
    joinedThisQuarter: Type.Integer(),
    leftThisQuarter: Type.Integer(),
    belowMinimum: Type.Integer(),
    hours: Type.Number(),
  }),
  canKeepRoll: Type.Boolean(),
  members: Type.Array(
    Type.Object({
      memberId: Type.Integer(),
      name: Str,
      kind: Str,
      workUnit: StrOrNull,
      phone: StrOrNull,
      joinedAt: Time,
      leftAt: TimeOrNull,
      leaveReason: StrOrNull,
      addedByName: StrOrNull,
      removedByName: StrOrNull,
      minutes: Type.Integer(),
      hours: Type.Number(),
      tasks: Type.Integer(),
      belowMinimum: Type.Boolean(),
    }),
  ),
});

export const RollCandidate = Type.Object({
  id: Type.Integer(),
  name: Str,
  kind: Str,
  workUnit: StrOrNull,
});
