import { describe, expect, it } from "vitest";
import { databaseUnavailable, unavailableCause, WriteTrouble } from "./dbErrors.ts";

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe("database errors that answer 503, by cause", () => {
  it("out of disk (53100 from PostgreSQL and PGlite, ENOSPC beside them) is disk_full, not a bug", () => {
    for (const err of [
      pgError("53100", 'could not extend file "base/16384/16397": No space left on device'),
      pgError("ENOSPC", "ENOSPC: no space left on device, write"),
      // A driver that wraps the database's error keeps it as the cause.
      new Error("Failed query: insert into work_orders …", {
        cause: pgError("53100", 'could not extend file "base/5/16385": No space left on device'),
      }),
    ]) {
      expect(unavailableCause(err), err.message).toBe("disk_full");
      expect(databaseUnavailable(err)).toBe(true);
    }
  });

  it("the rest of class 53 (insufficient resources) is overloaded; read-only, and unreachable, by their codes", () => {
    expect(unavailableCause(pgError("53200", "out of memory"))).toBe("overloaded");
    expect(unavailableCause(pgError("53300", "sorry, too many clients already"))).toBe("overloaded");
    expect(unavailableCause(pgError("53400", "configuration limit exceeded"))).toBe("overloaded");
    expect(unavailableCause(pgError("25006", "cannot execute INSERT in a read-only transaction"))).toBe(
      "read_only",
    );
    expect(unavailableCause(pgError("EROFS", "EROFS: read-only file system, open"))).toBe("read_only");
    expect(unavailableCause(pgError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:5432"))).toBe(
      "unreachable",
    );
    expect(unavailableCause(pgError("57P01", "terminating connection due to administrator command"))).toBe(
      "unreachable",
    );
    expect(unavailableCause(new AggregateError([pgError("ECONNREFUSED", "refused")]))).toBe("unreachable");
  });

  it("a bug stays a bug (500)", () => {
    for (const err of [
      pgError("42703", 'column "x" does not exist'),
      pgError("23505", "duplicate key value violates unique constraint"),
      new TypeError("cannot read properties of undefined"),
    ]) {
      expect(unavailableCause(err)).toBeUndefined();
      expect(databaseUnavailable(err)).toBe(false);
    }
  });

  it("a refused save is remembered until a save succeeds or a minute passes; an outage is not (health sees that itself)", () => {
    const t = new WriteTrouble(60_000);
    t.refused("unreachable", 0);
    expect(t.current(1)).toBeUndefined();
    t.refused("disk_full", 1000);
    expect(t.current(2000)).toBe("disk_full");
    expect(t.current(61_000)).toBe("disk_full");
    expect(t.current(61_001)).toBeUndefined();
    t.refused("read_only", 70_000);
    t.succeeded();
    expect(t.current(70_001)).toBeUndefined();
  });
});
