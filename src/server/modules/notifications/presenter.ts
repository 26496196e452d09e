import {
  IntOrNull,
  OneOf,
  type Static,
  Str,
  StrOrNull,
  Time,
  TimeOrNull,
  Type,
} from "../../platform/schemas.ts";

// Outbox rows as the message log shows them to dispatchers and commanders.

export const NOTIFICATION_COLUMNS = `id, kind, transport, order_id as "orderId", title, body, state, attempts,
  next_attempt_at as "nextAttemptAt", last_error as "lastError", sent_at as "sentAt", created_at as "createdAt"`;

export interface NotificationRow {
  id: number;
  kind: string;
  transport: string | null;
  orderId: number | null;
  title: string;
  body: string;
  state: "pending" | "sent" | "failed";
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  sentAt: Date | null;
  createdAt: Date;
}

export const NotificationSchema = Type.Object({
  id: Type.Integer(),
  kind: Str,
  transport: StrOrNull,
  orderId: IntOrNull,
  title: Str,
  body: Str,
  state: OneOf(["pending", "sent", "failed"] as const),
  attempts: Type.Integer(),
  nextAttemptAt: Time,
  lastError: StrOrNull,
  sentAt: TimeOrNull,
  createdAt: Time,
});

export function presentNotification(r: NotificationRow): Static<typeof NotificationSchema> {
  return {
    id: r.id,
    kind: r.kind,
    transport: r.transport,
    orderId: r.orderId,
    title: r.title,
    body: r.body,
    state: r.state,
    attempts: r.attempts,
    nextAttemptAt: r.nextAttemptAt,
    lastError: r.lastError,
    sentAt: r.sentAt,
    createdAt: r.createdAt,
  };
}
