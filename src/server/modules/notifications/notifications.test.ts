import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type TestApp } from "../../../../test/helpers/app.ts";
import { drainOutbox, enqueue, type Transport } from "./service.ts";

describe.each(DB_KINDS)("outbox delivery on %s", (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t?.close());

  it("drains a backlog batch after batch, marking each message sent once", async () => {
    for (let i = 0; i < 7; i++)
      await enqueue(t.ctx.database.db, {
        kind: "overdue",
        recipientOrgId: 1,
        orgPath: "/",
        title: `超时 ${i}`,
        body: "",
      });
    const seen: number[] = [];
    let failOnce = true;
    const transport: Transport = {
      name: "test-drain",
      async send(m) {
        if (m.title === "超时 3" && failOnce) {
          failOnce = false;
          throw new Error("网关超时");
        }
        seen.push(m.id);
      },
    };
    const r = await drainOutbox(t.ctx, transport, 3);
    expect(r.failed).toBe(1);
    expect(new Set(seen).size).toBe(seen.length);
    const rows = await t.ctx.database.query<{ title: string; state: string; attempts: number }>(
      "select title, state, attempts from notifications where transport = 'test-drain' order by id",
    );
    expect(rows).toHaveLength(7);
    // The failed one waits for its retry; every other one went out once, whatever batch it was in.
    expect(rows.filter((m) => m.state === "sent").map((m) => m.attempts)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(rows.find((m) => m.title === "超时 3")).toMatchObject({ state: "pending", attempts: 1 });
    const [{ due }] = await t.ctx.database.query<{ due: number }>(
      "select count(*)::int as due from notifications where state = 'pending' and next_attempt_at <= now()",
    );
    expect(due).toBe(0);
  });
});
