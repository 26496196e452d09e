import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type TestApp } from "../../../../test/helpers/app.ts";
import { composeIdCard } from "../../../domain/idcard/idcard.ts";
import { maskIdCard } from "../../../domain/mask/mask.ts";
import type { Actor } from "../../context.ts";
import { FieldCrypto } from "../../platform/crypto.ts";
import { previewList } from "./imports.ts";
import { haltLists, resumeLists, sealKeptLists, settleLists } from "./index.ts";

type H = Awaited<ReturnType<TestApp["login"]>>;
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
interface Res {
  id: number;
  name: string;
  org_path: string;
  id_cipher: string;
  phone_cipher: string | null;
  address: string;
  birth_date: string;
}
const fullWidth = (s: string) => s.replace(/[0-9X]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

/** A roster as offices send it: a merged title, numbers typed as numbers, blank and 合计 rows. */
async function roster(rows: (string | number | null)[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet("核查名单");
  ws.addRow(["秦灶街道 公安推送人员核查名单（2026年11月）"]);
  ws.mergeCells("A1:F1");
  ws.addRow(["序号", "姓名", "证件号码", "联系电话", "现住址", "所属社区"]);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe.each(DB_KINDS)("bulk list verification on %s", (kind) => {
  let t: TestApp;
  let street: H;
  let grid: H;
  let community: H;
  let inG1: Res[];
  let elsewhere: Res;
  let otherCommunity: string;
  const q = <T = any>(text: string, params?: unknown[]) => t.ctx.database.query<T>(text, params);
  const idOf = (r: Res) => t.ctx.crypto.decrypt(r.id_cipher);
  const RES = "select id, name, org_path, id_cipher, phone_cipher, address, birth_date::text from residents";

  beforeAll(async () => {
    t = await createTestApp(kind);
    [street, grid, community] = await Promise.all([
      t.login("demo-street"),
      t.login("demo-grid"),
      t.login("demo-community"),
    ]);
    const [g1] = await q<{ path: string }>("select path from org_units where code = '320613019010-G01'");
    inG1 = await q<Res>(`${RES} where org_path like $1 and birth_date < '1999-01-01' order by id limit 6`, [
      `${g1.path}%`,
    ]);
    // The demo's people all live in 苏阳社区: one of G02's, listed under another community of the street.
    [elsewhere] = await q<Res>(`${RES} where org_path like '%/320613019010-G02/%' order by id limit 1`);
    [{ name: otherCommunity }] = await q<{ name: string }>(
      "select name from org_units where kind = 'community' and path like '/320613/320613019/%' and code <> '320613019010' order by code limit 1",
    );
  });
  afterAll(() => t?.close());

  const upload = (file: Buffer, headers: H = street, type = XLSX, name = "名单.xlsx") =>
    t.app.inject({
      method: "POST",
      url: `/api/verification/lists?filename=${encodeURIComponent(name)}`,
      headers: { ...headers, "content-type": type },
      payload: file,
    });
  async function finished(id: number, headers: H = street) {
    for (let i = 0; i < 1200; i++) {
      const r = await t.app.inject({ url: `/api/verification/lists/${id}`, headers });
      expect(r.statusCode, r.body).toBe(200);
      if (["succeeded", "failed", "cancelled"].includes(r.json().state)) return r.json();
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error("list did not finish");
  }
  const start = (id: number, body: object, headers: H = street) =>
    t.app.inject({ method: "POST", url: `/api/verification/lists/${id}/start`, headers, payload: body });

  it("reads a messy roster, classifies every row with its reason, routes tasks, and exports the outcome", async () => {
    const [a, b, c, d, e] = inG1;
    // A community name typed with a quote, a backslash and a comma: it travels into the row's reasons.
    const oddCommunity = '东"门\\社区,3';
    const old = idOf(c);
    const id15 = `${old.slice(0, 6)}${old.slice(8, 17)}`;
    const stranger = composeIdCard("320613", "1971-05-06", 457);
    const file = await roster([
      [1, a.name, idOf(a), null, a.address, "苏阳社区"],
      [2, b.name, fullWidth(idOf(b)), null, b.address, "苏阳"],
      [3, elsewhere.name, idOf(elsewhere), null, elsewhere.address, otherCommunity],
      [4, d.name, Number(idOf(d)), null, d.address, "苏阳社区"],
      [5, c.name, old.slice(6, 8) === "19" ? id15 : old, null, c.address, "苏阳社区"],
      [6, a.name, idOf(a).toLowerCase(), null, a.address, "苏阳社区"],
      [],
      [7, "路人甲", stranger, "0513-8512 3456", "某地", "苏阳社区"],
      [8, "路人乙", `${stranger.slice(0, 17)}${stranger[17] === "1" ? "2" : "1"}`, null, "", ""],
      ["合计", null, null, null, null, null],
      ["序号", "姓名", "证件号码", "联系电话", "现住址", "所属社区"],
      [9, e.name, idOf(e), null, e.address, oddCommunity],
    ]);
    const up = await upload(file);
    expect(up.statusCode, up.body).toBe(201);
    const preview = up.json();
    expect(preview).toMatchObject({
      headerRow: 2,
      mapping: { name: 1, idNumber: 2, phone: 3, address: 4, community: 5, street: null },
      problem: null,
    });
    expect(preview.columns).toEqual(["序号", "姓名", "证件号码", "联系电话", "现住址", "所属社区"]);
    // ID numbers are masked in the preview.
    expect(preview.sample[0].cells[2]).toMatch(/^\d{4}\*{10}[\dX]{4}$/);
    expect(JSON.stringify(preview)).not.toContain(idOf(a));

    // Another street's admin, the grid worker: not theirs to start.
    expect((await start(preview.id, { headerRow: 2, mapping: preview.mapping }, grid)).statusCode).toBe(403);
    expect((await start(preview.id, { headerRow: 2, mapping: preview.mapping }, community)).statusCode).toBe(
      404,
    );
    const s = await start(preview.id, { headerRow: 2, mapping: preview.mapping, deadline: "2026-12-05" });
    expect(s.statusCode, s.body).toBe(202);
    const list = await finished(preview.id);
    expect(list.state, list.error).toBe("succeeded");
    expect(list.counters).toMatchObject({
      rows: 14,
      found: 4,
      routed: 2,
      duplicate: 1,
      not_found: 1,
      invalid: 1,
    });

    const sum = (
      await t.app.inject({ url: `/api/verification/lists/${preview.id}/summary`, headers: street })
    ).json();
    const skipped = Object.fromEntries(sum.skipped.map((x: any) => [x.reason, x.count]));
    expect(skipped).toEqual({ blank: 1, title: 1, header: 1, total: 1 });
    expect(sum.headerRows + sum.classified + sum.skipped.reduce((n: number, x: any) => n + x.count, 0)).toBe(
      sum.rowsRead,
    );
    expect(sum.rowsRead).toBe(14);
    expect(sum.totals).toEqual({ found: 4, routed: 2, not_found: 1, duplicate: 1, invalid: 1 });
    expect(sum.lines.reduce((n: number, l: any) => n + l.total, 0)).toBe(9);
    expect(sum.lines.some((l: any) => l.communityName === "苏阳社区")).toBe(true);

    const rows = (
      await t.app.inject({ url: `/api/verification/lists/${preview.id}/rows?pageSize=50`, headers: street })
    ).json();
    const byN = Object.fromEntries(rows.items.map((r: any) => [r.n, r]));
    expect(byN[3]).toMatchObject({ class: "found", matchBy: "id" });
    expect(byN[4]).toMatchObject({ class: "found", matchBy: "id" });
    expect(byN[5].class).toBe("routed");
    expect(byN[5].reasons[0]).toContain("已转交");
    expect(byN[6]).toMatchObject({ class: "found", matchBy: "fuzzy" });
    expect(byN[6].reasons.join()).toContain("后几位已丢失");
    expect(byN[7].class).toBe("found");
    expect(byN[8]).toMatchObject({ class: "duplicate", reasons: ["与第 3 行重复"] });
    expect(byN[10].class).toBe("not_found");
    expect(byN[11]).toMatchObject({ class: "invalid", reasons: ["身份证号校验位不正确"] });
    expect(byN[14]).toMatchObject({ class: "routed", matchBy: "id", statedCommunity: oddCommunity });
    expect(byN[14].reasons[0]).toContain(`「${oddCommunity}」`);
    expect(JSON.stringify(rows)).not.toContain(idOf(a));

    // The flagged rows, with the reason in Chinese beside each, masked.
    const flagged = await t.app.inject({
      url: `/api/verification/lists/${preview.id}/export?flagged=true`,
      headers: street,
    });
    expect(flagged.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(flagged.rawPayload as any);
    const sheet = wb.worksheets[0];
    const lines = sheet.getSheetValues().slice(2) as any[];
    const reasonsCol = 8;
    expect(lines.map((l) => l[1]).sort()).toEqual([10, 11, 5, 6, 8, 14].sort());
    expect(lines.find((l) => l[1] === 11)[reasonsCol]).toBe("身份证号校验位不正确");
    // The typed ID and phone: kept where they differ from the cleaned ones, else the cleaned ones (masked).
    const typed = (n: number) => lines.find((l) => l[1] === n).slice(9, 11);
    expect(typed(10)).toEqual([maskIdCard(stranger), maskIdCard("0513-8512 3456")]);
    expect(typed(14)[0]).toBe(maskIdCard(idOf(e)));
    expect(typed(6)[0]).toBe(maskIdCard(String(Number(idOf(d)))));
    const kept = await q<{ n: number }>(
      "select n from verification_rows where list_id = $1 and original_cipher is not null order by n",
      [preview.id],
    );
    // Rows 4 (full-width ID), 6 (ID as a number), 7 (15-digit ID), 10 (phone with a space), 11 (bad ID),
    // and 8 only if its lowercased ID had an x.
    expect(kept.map((k) => k.n).filter((n) => n !== 8)).toEqual([4, 6, 7, 10, 11]);
    expect(JSON.stringify(lines)).not.toContain(idOf(a));

    // The grid worker's queue holds the G01 rows; an outcome goes into the export.
    const tasks = (await t.app.inject({ url: "/api/verification/tasks?open=true", headers: grid })).json();
    const mine = tasks.items.filter((x: any) => x.listId === preview.id);
    expect(mine.map((x: any) => x.n).sort()).toEqual([14, 3, 4, 6, 7]);
    expect(mine[0].deadline).toBe("2026-12-05");
    const task = mine.find((x: any) => x.n === 3);
    const other = await t.app.inject({
      method: "POST",
      url: `/api/verification/tasks/${task.id}/outcome`,
      headers: grid,
      payload: { outcome: "other" },
    });
    expect(other.statusCode).toBe(400);
    const done = await t.app.inject({
      method: "POST",
      url: `/api/verification/tasks/${task.id}/outcome`,
      headers: grid,
      payload: { outcome: "at_home", note: "本人在家" },
    });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({
      outcome: "at_home",
      outcomeByName: expect.stringContaining("网格员"),
    });
    const again = await t.app.inject({
      method: "POST",
      url: `/api/verification/tasks/${task.id}/outcome`,
      headers: grid,
      payload: { outcome: "moved_away" },
    });
    expect(again.statusCode).toBe(409);
    const routedTask = byN[5];
    const notMine = await t.app.inject({
      method: "POST",
      url: `/api/verification/tasks/${routedTask.id}/outcome`,
      headers: grid,
      payload: { outcome: "at_home" },
    });
    expect(notMine.statusCode).toBe(404);

    const grids = (
      await t.app.inject({ url: `/api/verification/lists/${preview.id}/grids`, headers: street })
    ).json();
    const g1 = grids.items.find((g: any) => g.gridPath.endsWith("320613019010-G01/"));
    expect(g1).toMatchObject({ total: 5, done: 1, outcomes: { at_home: 1 } });

    const exp = await t.app.inject({ url: `/api/verification/lists/${preview.id}/export`, headers: street });
    const wb2 = new ExcelJS.Workbook();
    await wb2.xlsx.load(exp.rawPayload as any);
    const out = wb2.worksheets[0].getSheetValues().slice(2) as any[];
    const line3 = out.find((l) => l[1] === 3);
    expect(line3[10]).toBe("核实在住");
    expect(line3[11]).toBe("本人在家");
    expect(String(line3[3])).toMatch(/\*{10}/);
    // The community sees the street's list through its own rows; revealing needs a reason, and says it.
    const noReason = `/api/verification/lists/${preview.id}/export?reveal=true`;
    expect((await t.app.inject({ url: noReason, headers: community })).statusCode).toBe(400);
    const revealed = await t.app.inject({
      url: `${noReason}&reason=${encodeURIComponent("上门核对")}`,
      headers: community,
    });
    expect(revealed.statusCode).toBe(200);
    const wb3 = new ExcelJS.Workbook();
    await wb3.xlsx.load(revealed.rawPayload as any);
    const full = wb3.worksheets[0].getSheetValues().slice(2) as any[];
    expect(full.find((l) => l[1] === 3)[3]).toBe(idOf(a));
    expect(full.some((l) => l[1] === 5)).toBe(true); // routed to 苏阳社区: the community's row now
    const [audits] = await q<{ n: number }>(
      "select count(*)::int as n from audit_events where entity = 'verification_list' and entity_id = $1",
      [String(preview.id)],
    );
    expect(audits.n).toBeGreaterThanOrEqual(6); // upload, start, import_done, three exports
    const [why] = await q<{ reason: string }>(
      "select reason from audit_events where action = 'reveal_export'",
    );
    expect(why.reason).toBe("上门核对");
  });

  it("resumes a killed import from its checkpoint without a row twice, and cancels one", async () => {
    const n = 6_000;
    const lines = ["姓名,身份证号,联系电话,现住址"];
    for (let i = 0; i < n; i++)
      lines.push(
        `居民${i},${composeIdCard("320613", "1980-01-01", i % 1000)}${i >= 1000 ? "" : ""},,地址${i}`,
      );
    const csv = Buffer.from(lines.join("\n"));
    const up = await upload(csv, street, "text/csv", "big.csv");
    expect(up.statusCode, up.body).toBe(201);
    const id = up.json().id;
    expect((await start(id, { headerRow: 1, mapping: up.json().mapping })).statusCode).toBe(202);
    for (let i = 0; i < 400; i++) {
      const [l] = await q<{ checkpoint: number }>("select checkpoint from verification_lists where id = $1", [
        id,
      ]);
      if (l.checkpoint > 0) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    await haltLists(t.ctx);
    const [mid] = await q<{ checkpoint: number; state: string; rows: number }>(
      `select checkpoint, state, (select count(*)::int from verification_rows where list_id = $1) as rows
       from verification_lists where id = $1`,
      [id],
    );
    expect(mid.state).toBe("running");
    expect(mid.checkpoint).toBeGreaterThan(0);
    expect(mid.checkpoint).toBeLessThan(n + 1);
    expect(mid.rows).toBe(mid.checkpoint - 1); // whole chunks only: every row up to the checkpoint
    expect(await resumeLists(t.ctx, 0)).toContain(id);
    await settleLists(t.ctx);
    const list = await finished(id);
    expect(list.state, list.error).toBe("succeeded");
    const [after] = await q<{ rows: number; dups: number }>(
      `select count(*)::int as rows, count(*) filter (where class = 'duplicate')::int as dups
       from verification_rows where list_id = $1`,
      [id],
    );
    expect(after).toEqual({ rows: n, dups: n - 1000 });
    expect(list.counters).toMatchObject({ rows: n + 1, cleaned: n, duplicate: n - 1000, not_found: 1000 });

    const up2 = await upload(csv, street, "text/csv", "again.csv");
    const id2 = up2.json().id;
    await start(id2, { headerRow: 1, mapping: up2.json().mapping });
    const c = await t.app.inject({
      method: "POST",
      url: `/api/verification/lists/${id2}/cancel`,
      headers: street,
    });
    expect(c.statusCode, c.body).toBe(200);
    await settleLists(t.ctx);
    expect((await finished(id2)).state).toBe("cancelled");
  });

  it("refuses an empty file, a non-spreadsheet and a sheet without a name or ID column, storing nothing", async () => {
    const [before] = await q<{ n: number }>("select count(*)::int as n from verification_lists");
    expect((await upload(Buffer.alloc(0))).statusCode).toBe(400);
    expect((await upload(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]))).statusCode).toBe(400);
    const noHeader = await upload(Buffer.from("序号,备注\n1,x\n"), street, "text/csv");
    expect(noHeader.statusCode).toBe(422);
    expect(noHeader.json().error.message).toContain("未找到表头");
    expect((await upload(Buffer.from("姓名,身份证号\n"), grid, "text/csv")).statusCode).toBe(403);
    const [after] = await q<{ n: number }>("select count(*)::int as n from verification_lists");
    expect(after.n).toBe(before.n);
  });

  // The kept upload is sealed at rest (platform/uploads.ts): the raw column, as a dump or a replica holds
  // it, has none of the list's ID numbers, names or phones.
  const person = (i: number) => ({
    id: composeIdCard("320611", `19${60 + i}-03-1${i}`, 600 + i),
    name: `郑保密${"甲乙丙丁戊己庚辛壬癸"[i]}`,
    phone: `1391234${5000 + i}`,
  });
  const listOf = (from: number) => {
    const ps = [0, 1, 2].map((i) => person(from + i));
    const csv = ["姓名,身份证号,联系电话,现住址", ...ps.map((p) => `${p.name},${p.id},${p.phone},某路1号`)];
    return { ps, csv: Buffer.from(csv.join("\n")) };
  };
  const stored = async (id: number) =>
    (
      await q<{ file: Uint8Array; fileKey: string | null }>(
        'select file, file_key as "fileKey" from verification_lists where id = $1',
        [id],
      )
    )[0];
  /** The list's values found in the stored bytes. */
  const leaked = (raw: Uint8Array, ps: ReturnType<typeof person>[]) =>
    ps.flatMap((p) => [p.id, p.name, p.phone]).filter((v) => Buffer.from(raw).includes(Buffer.from(v)));
  const importList = async (id: number, mapping: object) => {
    expect((await start(id, { headerRow: 1, mapping })).statusCode).toBe(202);
    await settleLists(t.ctx);
    return finished(id);
  };
  const otherKey = new FieldCrypto("another-secret-than-the-uploads");

  it("keeps the upload sealed: none of its ID numbers, names or phones in the stored bytes; previews and imports from it", async () => {
    const { ps, csv } = listOf(0);
    const up = await upload(csv, street, "text/csv", "保密.csv");
    expect(up.statusCode, up.body).toBe(201);
    const id = up.json().id;
    const s = await stored(id);
    expect(s.fileKey).toBe(t.ctx.crypto.fingerprint());
    expect(leaked(s.file, ps)).toEqual([]);
    expect(Buffer.from(s.file).includes(Buffer.from("姓名,身份证号"))).toBe(false);
    const pv = await t.app.inject({ url: `/api/verification/lists/${id}/preview`, headers: street });
    expect(pv.statusCode, pv.body).toBe(200);
    expect(pv.json().columns).toContain("身份证号");
    const list = await importList(id, up.json().mapping);
    expect(list.state, list.error).toBe("succeeded");
    expect(list.counters).toMatchObject({ cleaned: 3 });
    expect(leaked((await stored(id)).file, ps)).toEqual([]);

    // An xlsx is a zip whose member names and layout show in clear: sealed, none of it does.
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("名单");
    ws.addRow(["姓名", "身份证号", "联系电话"]);
    for (const p of ps) ws.addRow([p.name, p.id, p.phone]);
    const x = await upload(Buffer.from(await wb.xlsx.writeBuffer()));
    expect(x.statusCode, x.body).toBe(201);
    const zip = Buffer.from((await stored(x.json().id)).file);
    expect(zip.includes(Buffer.from("PK\x03\x04", "latin1"))).toBe(false);
    expect(zip.includes(Buffer.from("xl/worksheets"))).toBe(false);
  });

  it("a list kept in clear before uploads were sealed still previews and imports; the app's step seals the rest, never under another key", async () => {
    const old = listOf(3);
    const kept = listOf(6);
    const ids: number[] = [];
    for (const l of [old, kept]) {
      const up = await upload(l.csv, street, "text/csv", "旧名单.csv");
      expect(up.statusCode, up.body).toBe(201);
      ids.push(up.json().id);
      // As a row kept before uploads were sealed holds it.
      await q("update verification_lists set file = $2, file_key = null where id = $1", [
        up.json().id,
        l.csv,
      ]);
    }
    expect(leaked((await stored(ids[0])).file, old.ps)).toHaveLength(9);
    const pv = await t.app.inject({ url: `/api/verification/lists/${ids[0]}/preview`, headers: street });
    expect(pv.statusCode, pv.body).toBe(200);
    const plainRun = await importList(ids[0], pv.json().mapping);
    expect(plainRun.state, plainRun.error).toBe("succeeded");
    expect(plainRun.counters).toMatchObject({ cleaned: 3 });

    // A process started with another secret seals nothing: what it sealed, the others could not open.
    expect(await sealKeptLists({ ...t.ctx, crypto: otherKey })).toBe(0);
    expect((await stored(ids[1])).fileKey).toBeNull();
    expect(await sealKeptLists(t.ctx)).toBeGreaterThanOrEqual(2);
    for (const [id, l] of [
      [ids[0], old],
      [ids[1], kept],
    ] as const) {
      const s = await stored(id);
      expect(s.fileKey).toBe(t.ctx.crypto.fingerprint());
      expect(leaked(s.file, l.ps)).toEqual([]);
    }
    expect(await sealKeptLists(t.ctx)).toBe(0);
    const sealedRun = await importList(ids[1], pv.json().mapping);
    expect(sealedRun.state, sealedRun.error).toBe("succeeded");
    expect(sealedRun.counters).toMatchObject({ cleaned: 3 });
  });

  it("under another secret the kept upload refuses, naming both keys' fingerprints; a run waits for a process with the right key", async () => {
    const other = { ...t.ctx, crypto: otherKey };
    const { csv } = listOf(0);
    const up = await upload(csv, street, "text/csv", "换钥匙.csv");
    expect(up.statusCode, up.body).toBe(201);
    const id = up.json().id;
    const [a] = await q<Omit<Actor, "kind">>(
      `select a.id, a.username, a.display_name as "displayName", a.role, a.org_unit_id as "orgUnitId",
         u.path as "orgPath", u.name as "orgName", u.kind as "orgKind"
       from accounts a join org_units u on u.id = a.org_unit_id where a.username = 'demo-street'`,
    );
    const e = await previewList(other, { kind: "account", ...a }, id).then(
      () => expect.unreachable("read under another secret"),
      (x) => x,
    );
    expect({ status: e.status, code: e.code }).toEqual({ status: 503, code: "upload_key_mismatch" });
    expect(e.message).toMatch(
      new RegExp(
        `^加密密钥不符.*${t.ctx.crypto.fingerprint()}.*${otherKey.fingerprint()}.*GRIDKEEPER_SECRET`,
      ),
    );

    // Started while this process runs nothing, then taken by a process with the other secret.
    await haltLists(t.ctx);
    expect((await start(id, { headerRow: 1, mapping: up.json().mapping })).statusCode).toBe(202);
    expect(await resumeLists(other, 0)).toContain(id);
    await settleLists(t.ctx);
    const waiting = (await t.app.inject({ url: `/api/verification/lists/${id}`, headers: street })).json();
    expect(waiting.state).toBe("running");
    expect(waiting.error).toContain("加密密钥不符");
    const [left] = await q(
      `select checkpoint, heartbeat_at as "heartbeatAt",
         (select count(*)::int from verification_rows where list_id = $1) as rows
       from verification_lists where id = $1`,
      [id],
    );
    expect(left).toEqual({ checkpoint: 0, heartbeatAt: null, rows: 0 });
    // A process with the right key takes it over and finishes it; the message goes.
    expect(await resumeLists(t.ctx, 0)).toContain(id);
    await settleLists(t.ctx);
    const done = await finished(id);
    expect(done.state, done.error).toBe("succeeded");
    expect(done.error).toBeNull();
    expect(done.counters).toMatchObject({ cleaned: 3 });
  });
});
