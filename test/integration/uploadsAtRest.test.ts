import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { composeIdCard } from "../../src/domain/idcard/idcard.ts";
import type { Actor, AppContext } from "../../src/server/context.ts";
import { settleJobs } from "../../src/server/modules/jobs/index.ts";
import { flaggedRowsFile } from "../../src/server/modules/residents/rosterFlagged.ts";
import { sealKeptRosters, startRoster } from "../../src/server/modules/residents/rosterImport.ts";
import {
  haltLists,
  previewList,
  resumeLists,
  sealKeptLists,
  settleLists,
} from "../../src/server/modules/verification/imports.ts";
import { FieldCrypto } from "../../src/server/platform/crypto.ts";
import { createTestApp, DB_KINDS, type Headers, type TestApp } from "../helpers/app.ts";

// The uploads an import keeps (verification_lists.file, roster_imports.file) are sealed with the app's key:
// the raw column, as a dump or a replica holds it, has none of the upload's ID numbers, names or phones, and
// the imports, a resumed run and the flagged-row download read them as before. Files kept in clear before
// (file_key null) still read, and the app's step at start seals them. Another secret refuses, saying so.

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/** People of an upload: each one's ID number, name and phone must not be in the stored bytes. */
const people = (tag: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    id: composeIdCard("320611", `19${60 + i}-0${1 + (i % 9)}-1${i % 10}`, 300 + tag * 10 + i),
    name: `${["郑", "冯", "陈", "褚", "卫"][i % 5]}保密${"甲乙丙丁戊己庚辛"[tag % 8]}${i}`,
    phone: `1391${String(tag).padStart(3, "0")}${String(4000 + i).padStart(4, "0")}`,
  }));
type Person = ReturnType<typeof people>[number];

const listCsv = (ps: Person[]) =>
  Buffer.from(
    ["姓名,身份证号,联系电话,现住址", ...ps.map((p) => `${p.name},${p.id},${p.phone},某路1号`)].join("\n"),
  );
/** A roster: everyone goes in but the last, who is listed twice (flagged: 名单内重复). */
const rosterCsv = (ps: Person[]) =>
  Buffer.from(
    [
      "姓名,身份证号,手机,楼栋,单元,室",
      ...ps.map((p, i) => `${p.name},${p.id},${p.phone},88幢,1,${101 + i}`),
      `${ps.at(-1)!.name}二,${ps.at(-1)!.id},,88幢,1,199`,
    ].join("\n"),
  );

/** The values of the upload found in the stored bytes (none, when sealed). */
const leaked = (raw: Uint8Array, ps: Person[]) => {
  const b = Buffer.from(raw);
  return ps.flatMap((p) => [p.id, p.name, p.phone]).filter((v) => b.includes(Buffer.from(v, "utf8")));
};

describe.each(DB_KINDS)("uploads sealed at rest on %s", (kind) => {
  let t: TestApp;
  let street: Headers;
  let community: Headers;
  let suyang: number;
  const q = <T = any>(text: string, params?: unknown[]) => t.ctx.database.query<T>(text, params);
  const other = new FieldCrypto("another-secret-than-the-uploads");
  const wrong = (): AppContext => ({ ...t.ctx, crypto: other });

  beforeAll(async () => {
    t = await createTestApp(kind);
    [street, community] = await Promise.all([t.login("demo-street"), t.login("demo-community")]);
    [{ id: suyang }] = await q("select id from org_units where code = '320613019010'");
  });
  afterAll(() => t?.close());

  async function actor(username: string): Promise<Actor> {
    const [a] = await q(
      `select a.id, a.username, a.display_name as "displayName", a.role, a.org_unit_id as "orgUnitId",
         u.path as "orgPath", u.name as "orgName", u.kind as "orgKind"
       from accounts a join org_units u on u.id = a.org_unit_id where a.username = $1`,
      [username],
    );
    return { kind: "account", ...a };
  }
  const raw = async (table: "verification_lists" | "roster_imports", id: number) =>
    (
      await q<{ file: Uint8Array; fileKey: string | null }>(
        `select file, file_key as "fileKey" from ${table} where id = $1`,
        [id],
      )
    )[0];

  const uploadList = async (body: Buffer, type = "text/csv", name = "名单.csv") => {
    const r = await t.app.inject({
      method: "POST",
      url: `/api/verification/lists?filename=${encodeURIComponent(name)}`,
      headers: { ...street, "content-type": type },
      payload: body,
    });
    expect(r.statusCode, r.body).toBe(201);
    return r.json() as { id: number; headerRow: number; mapping: Record<string, number | null> };
  };
  const startList = async (p: { id: number; headerRow: number; mapping: object }) => {
    const r = await t.app.inject({
      method: "POST",
      url: `/api/verification/lists/${p.id}/start`,
      headers: street,
      payload: { headerRow: p.headerRow, mapping: p.mapping },
    });
    expect(r.statusCode, r.body).toBe(202);
  };
  const list = async (id: number) => {
    const r = await t.app.inject({ url: `/api/verification/lists/${id}`, headers: street });
    expect(r.statusCode, r.body).toBe(200);
    return r.json();
  };
  const uploadRoster = async (body: Buffer) => {
    const r = await t.app.inject({
      method: "POST",
      url: `/api/residents/rosters?org=${suyang}&filename=${encodeURIComponent("花名册.csv")}`,
      headers: { ...community, "content-type": "text/csv" },
      payload: body,
    });
    expect(r.statusCode, r.body).toBe(201);
    return r.json() as { id: number; headerRow: number; mapping: Record<string, number | null> };
  };
  const startRosterOver = async (p: { id: number; headerRow: number; mapping: object }) => {
    const r = await t.app.inject({
      method: "POST",
      url: `/api/residents/rosters/${p.id}/start`,
      headers: community,
      payload: { headerRow: p.headerRow, mapping: p.mapping },
    });
    expect(r.statusCode, r.body).toBe(202);
    await settleJobs(t.ctx);
  };
  /** The flagged-row download's rows: [row number, name, ID (masked), …]. */
  const flagged = async (id: number) => {
    const r = await t.app.inject({ url: `/api/residents/rosters/${id}/flagged.xlsx`, headers: community });
    expect(r.statusCode, r.body).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(r.rawPayload as any);
    const rows: any[][] = [];
    book.worksheets[0].eachRow((row) => {
      rows.push((row.values as any[]).slice(1));
    });
    return rows;
  };

  it("a list and a roster are stored sealed: none of the upload's IDs, names or phones in the column; import and flagged download work", async () => {
    const ps = people(1, 4);
    const p = await uploadList(listCsv(ps));
    const stored = await raw("verification_lists", p.id);
    expect(stored.fileKey).toBe(t.ctx.crypto.fingerprint());
    expect(leaked(stored.file, ps)).toEqual([]);
    expect(Buffer.from(stored.file).includes(Buffer.from("姓名,身份证号"))).toBe(false);
    // The preview reads it again.
    const again = await t.app.inject({ url: `/api/verification/lists/${p.id}/preview`, headers: street });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().columns).toContain("身份证号");
    await startList(p);
    await settleLists(t.ctx);
    const done = await list(p.id);
    expect(done.state, done.error).toBe("succeeded");
    expect(done.counters).toMatchObject({ cleaned: 4 });
    const [{ n }] = await q("select count(*)::int as n from verification_rows where list_id = $1", [p.id]);
    expect(n).toBe(4);

    // An xlsx is a zip whose member names and structure show in clear: sealed, nothing of it does.
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("名单");
    ws.addRow(["姓名", "身份证号", "联系电话"]);
    for (const x of ps) ws.addRow([x.name, x.id, x.phone]);
    const x = await uploadList(Buffer.from(await wb.xlsx.writeBuffer()), XLSX, "名单.xlsx");
    const zip = Buffer.from((await raw("verification_lists", x.id)).file);
    expect(zip.includes(Buffer.from("PK\x03\x04", "latin1"))).toBe(false);
    expect(zip.includes(Buffer.from("xl/worksheets"))).toBe(false);

    const rs = people(2, 3);
    const r = await uploadRoster(rosterCsv(rs));
    const kept = await raw("roster_imports", r.id);
    expect(kept.fileKey).toBe(t.ctx.crypto.fingerprint());
    expect(leaked(kept.file, rs)).toEqual([]);
    await startRosterOver(r);
    const res = await t.app.inject({ url: `/api/residents/rosters/${r.id}`, headers: community });
    expect(res.json().summary, res.body).toMatchObject({ created: 3, flagged: 1 });
    const rows = await flagged(r.id);
    expect(rows.slice(1).map((row) => [row[0], row[1]])).toEqual([[5, `${rs[2].name}二`]]);
    expect(rows[1][2]).toMatch(/^3206\*+\d{4}$/);
    // Still sealed once the import is done.
    expect(leaked((await raw("roster_imports", r.id)).file, rs)).toEqual([]);
  });

  it("uploads kept in clear before sealing still read; the app's step seals them, and not under another key", async () => {
    const ps = people(3, 3);
    const plainList = listCsv(ps);
    const p = await uploadList(plainList);
    // As a row kept before uploads were sealed holds it.
    await q("update verification_lists set file = $2, file_key = null where id = $1", [p.id, plainList]);
    const rs = people(4, 2);
    const plainRoster = rosterCsv(rs);
    const r = await uploadRoster(plainRoster);
    await startRosterOver(r);
    await q("update roster_imports set file = $2, file_key = null where id = $1", [r.id, plainRoster]);
    expect(leaked((await raw("verification_lists", p.id)).file, ps)).toHaveLength(9);

    const pv = await t.app.inject({ url: `/api/verification/lists/${p.id}/preview`, headers: street });
    expect(pv.statusCode, pv.body).toBe(200);
    expect((await flagged(r.id)).slice(1).map((row) => row[0])).toEqual([4]);

    // A process with another secret seals nothing (what it sealed, the others could not open).
    expect(await sealKeptLists(wrong())).toBe(0);
    expect(await sealKeptRosters(wrong())).toBe(0);
    expect((await raw("verification_lists", p.id)).fileKey).toBeNull();

    expect(await sealKeptLists(t.ctx)).toBeGreaterThanOrEqual(1);
    expect(await sealKeptRosters(t.ctx)).toBeGreaterThanOrEqual(1);
    for (const [table, id, who] of [
      ["verification_lists", p.id, ps],
      ["roster_imports", r.id, rs],
    ] as const) {
      const s = await raw(table, id);
      expect(s.fileKey).toBe(t.ctx.crypto.fingerprint());
      expect(leaked(s.file, who)).toEqual([]);
    }
    expect(await sealKeptLists(t.ctx)).toBe(0);
    await startList(p);
    await settleLists(t.ctx);
    const done = await list(p.id);
    expect(done.state, done.error).toBe("succeeded");
    expect(done.counters).toMatchObject({ cleaned: 3 });
    expect((await flagged(r.id)).slice(1).map((row) => row[0])).toEqual([4]);
  });

  it("another secret refuses clearly, naming both key fingerprints; a run waits for a process with the right key", async () => {
    /** The refusal a call under the other secret answers (as JSON over HTTP: status, code, message). */
    const refusal = (call: Promise<unknown>) =>
      call.then(
        () => expect.unreachable("read an upload under another secret"),
        (e) => ({ status: e.status, code: e.code, message: e.message }),
      );
    const mismatch = {
      status: 503,
      code: "upload_key_mismatch",
      message: expect.stringMatching(
        new RegExp(`^加密密钥不符.*${t.ctx.crypto.fingerprint()}.*${other.fingerprint()}.*GRIDKEEPER_SECRET`),
      ),
    };
    const ps = people(5, 3);
    const p = await uploadList(listCsv(ps));
    expect(await refusal(previewList(wrong(), await actor("demo-street"), p.id))).toEqual(mismatch);

    // Started while this process runs nothing, then taken by a process with another secret.
    await haltLists(t.ctx);
    await startList(p);
    await resumeLists(wrong(), 0);
    await settleLists(t.ctx);
    const waiting = await list(p.id);
    expect(waiting.state).toBe("running");
    expect(waiting.error).toContain("加密密钥不符");
    const [left] = await q(
      `select checkpoint, heartbeat_at as "heartbeatAt",
         (select count(*)::int from verification_rows where list_id = $1) as rows
       from verification_lists where id = $1`,
      [p.id],
    );
    expect(left).toEqual({ checkpoint: 0, heartbeatAt: null, rows: 0 });
    // The process with the right key takes it and finishes it; the message is gone.
    expect(await resumeLists(t.ctx, 0)).toContain(p.id);
    await settleLists(t.ctx);
    const done = await list(p.id);
    expect(done.state, done.error).toBe("succeeded");
    expect(done.error).toBeNull();
    expect(done.counters).toMatchObject({ cleaned: 3 });

    const clerk = await actor("demo-community");
    const rs = people(6, 2);
    const r = await uploadRoster(rosterCsv(rs));
    expect(await refusal(startRoster(wrong(), clerk, r.id, r as any))).toEqual(mismatch);
    const [{ state }] = await q("select state from roster_imports where id = $1", [r.id]);
    expect(state).toBe("previewed");
    await startRosterOver(r);
    expect(await refusal(flaggedRowsFile(wrong(), clerk, r.id, {}))).toEqual(mismatch);
    expect((await flagged(r.id)).slice(1).map((row) => row[0])).toEqual([4]);
  });
});
