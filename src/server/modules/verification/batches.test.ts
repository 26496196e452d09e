import zlib from "node:zlib";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type TestApp } from "../../../../test/helpers/app.ts";
import { composeIdCard } from "../../../domain/idcard/idcard.ts";
import { haltLists, resumeLists, settleLists } from "./index.ts";

// Batches 批次 of one verification campaign, and outcomes coming back as an xlsx a community filled in.

type H = Awaited<ReturnType<TestApp["login"]>>;
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
interface Res {
  id: number;
  name: string;
  id_cipher: string;
  address: string;
}
const HEADER = ["序号", "姓名", "证件号码", "联系电话", "现住址", "所属社区"];

async function roster(rows: (string | number | null)[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet("核查名单");
  ws.addRow(["秦灶街道 核查名单"]);
  ws.mergeCells("A1:F1");
  ws.addRow(HEADER);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** An xlsx whose one entry declares (truthfully) `mb` MB once inflated, from a few hundred KB. */
function zipBomb(mb: number): Buffer {
  const run = Buffer.from("<si><t>网格网格网格网格</t></si>".repeat(40_000));
  const flush = { finishFlush: zlib.constants.Z_FULL_FLUSH };
  const runZ = zlib.deflateRawSync(run, { ...flush, level: 9 });
  const copies = Math.ceil((mb * 2 ** 20) / run.length);
  const deflated = Buffer.concat([...Array.from({ length: copies }, () => runZ), zlib.deflateRawSync("")]);
  const name = Buffer.from("xl/sharedStrings.xml");
  const size = copies * run.length;
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(deflated.length, 18);
  local.writeUInt32LE(size, 22);
  local.writeUInt16LE(name.length, 26);
  const cd = Buffer.alloc(46);
  cd.writeUInt32LE(0x02014b50, 0);
  cd.writeUInt16LE(20, 4);
  cd.writeUInt16LE(20, 6);
  cd.writeUInt16LE(8, 10);
  cd.writeUInt32LE(deflated.length, 20);
  cd.writeUInt32LE(size, 24);
  cd.writeUInt16LE(name.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + name.length, 12);
  end.writeUInt32LE(30 + name.length + deflated.length, 16);
  return Buffer.concat([local, name, deflated, cd, name, end]);
}

describe.each(DB_KINDS)("verification batches and filled-in outcome sheets on %s", (kind) => {
  let t: TestApp;
  let street: H;
  let grid: H;
  let community: H;
  let g1: Res[];
  let g2: Res;
  const q = <T = any>(text: string, params?: unknown[]) => t.ctx.database.query<T>(text, params);
  const idOf = (r: Res) => t.ctx.crypto.decrypt(r.id_cipher);
  const RES = "select id, name, id_cipher, address from residents";
  const get = (url: string, headers: H = street) => t.app.inject({ url, headers });

  beforeAll(async () => {
    t = await createTestApp(kind);
    [street, grid, community] = await Promise.all([
      t.login("demo-street"),
      t.login("demo-grid"),
      t.login("demo-community"),
    ]);
    g1 = await q<Res>(
      `${RES} where org_path like '%/320613019010-G01/%' and birth_date < '1999-01-01' order by id limit 8`,
    );
    [g2] = await q<Res>(`${RES} where org_path like '%/320613019010-G02/%' order by id limit 1`);
  });
  afterAll(() => t?.close());

  const upload = (file: Buffer, query = "", headers: H = street, type = XLSX) =>
    t.app.inject({
      method: "POST",
      url: `/api/verification/lists?filename=${encodeURIComponent("名单.xlsx")}${query}`,
      headers: { ...headers, "content-type": type },
      payload: file,
    });
  async function finished(id: number) {
    for (let i = 0; i < 1200; i++) {
      const r = await get(`/api/verification/lists/${id}`);
      expect(r.statusCode, r.body).toBe(200);
      if (["succeeded", "failed", "cancelled"].includes(r.json().state)) return r.json();
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error("list did not finish");
  }
  async function importList(file: Buffer, query = "", type = XLSX) {
    const up = await upload(file, query, street, type);
    expect(up.statusCode, up.body).toBe(201);
    const p = up.json();
    const s = await t.app.inject({
      method: "POST",
      url: `/api/verification/lists/${p.id}/start`,
      headers: street,
      payload: { headerRow: p.headerRow, mapping: p.mapping, deadline: "2026-12-20" },
    });
    expect(s.statusCode, s.body).toBe(202);
    const l = await finished(p.id);
    expect(l.state, l.error).toBe("succeeded");
    return l;
  }
  const tasksOf = async (listId: number) =>
    (await get(`/api/verification/tasks?list=${listId}`, grid)).json().items as any[];
  const outcome = (id: number, body: object) =>
    t.app.inject({
      method: "POST",
      url: `/api/verification/tasks/${id}/outcome`,
      headers: grid,
      payload: body,
    });
  const sheetUpload = (listId: number, file: Buffer, headers: H = community, type = XLSX) =>
    t.app.inject({
      method: "POST",
      url: `/api/verification/lists/${listId}/outcome-sheet?filename=${encodeURIComponent("回填.xlsx")}`,
      headers: { ...headers, "content-type": type },
      payload: file,
    });

  let first: any;

  it("a second batch adds only the new rows, lists the changed ones, and leaves finished tasks as they are", async () => {
    const [a, b, c, d, e, f] = g1;
    const stranger = composeIdCard("320613", "1971-05-06", 457);
    first = await importList(
      await roster([
        [1, a.name, idOf(a), "13800000001", a.address, "苏阳社区"],
        [2, b.name, idOf(b), "13800000002", b.address, "苏阳社区"],
        [3, c.name, idOf(c), null, c.address, "苏阳社区"],
        [4, d.name, idOf(d), null, d.address, "苏阳社区"],
        [5, "路人甲", stranger, null, "某地", "苏阳社区"],
      ]),
    );
    expect(first).toMatchObject({ batchNo: 1, campaignId: first.id });
    const t1 = await tasksOf(first.id);
    expect(t1.map((x) => x.n).sort()).toEqual([3, 4, 5, 6]);
    const task = (n: number) => t1.find((x) => x.n === n).id as number;
    expect((await outcome(task(3), { outcome: "at_home", note: "本人在家" })).statusCode).toBe(200);
    expect((await outcome(task(4), { outcome: "moved_away" })).statusCode).toBe(200);

    // Only a street admin of the campaign's area adds a batch; the community sees the list, not its campaign.
    const file2 = await roster([
      [1, a.name, idOf(a), "13800000001", a.address, "苏阳社区"], // unchanged, finished
      [2, b.name, idOf(b), "13900000002", `${b.address}（已搬）`, "苏阳社区"], // changed, finished
      [3, c.name, idOf(c), null, c.address, "苏阳社区"], // unchanged, open
      [4, e.name, idOf(e), null, e.address, "苏阳社区"], // new
      [],
      [5, f.name, idOf(f), null, f.address, "苏阳社区"], // new
      [6, "路人甲", stranger, null, "另一地", "苏阳社区"], // changed, not found again
      [7, e.name, idOf(e), null, e.address, "苏阳社区"], // new, a duplicate within the batch
      ["合计", null, null, null, null, null],
    ]);
    expect((await upload(file2, `&batchOf=${first.id}`, community)).statusCode).toBe(400);
    expect((await upload(file2, "&batchOf=999999", street)).statusCode).toBe(400);
    const second = await importList(file2, `&batchOf=${first.id}`);
    expect(second).toMatchObject({
      batchNo: 2,
      campaignId: first.id,
      title: expect.stringContaining("第 2 批"),
    });
    expect(second.counters).toMatchObject({ batch_new: 3, batch_unchanged: 2, batch_changed: 2 });

    const sum = (await get(`/api/verification/lists/${second.id}/summary`)).json();
    expect(sum.batch).toEqual({ campaignId: first.id, batchNo: 2, new: 3, unchanged: 2, changed: 2 });
    const skipped = sum.skipped.reduce((n: number, x: any) => n + x.count, 0);
    expect(sum.headerRows + skipped + sum.batch.new + sum.batch.unchanged + sum.batch.changed).toBe(
      sum.rowsRead,
    );
    expect(sum.rowsRead).toBe(11);

    const batches = (await get(`/api/verification/lists/${second.id}/batches`)).json();
    expect(batches.campaignId).toBe(first.id);
    expect(batches.items.map((x: any) => [x.batchNo, x.new, x.unchanged, x.changed])).toEqual([
      [1, 5, 0, 0],
      [2, 3, 2, 2],
    ]);
    for (const x of batches.items)
      expect(x.headerRows + x.skipped + x.new + x.unchanged + x.changed).toBe(x.rowsRead);

    const changed = (await get(`/api/verification/lists/${second.id}/rows?batch=changed`)).json();
    const byName = Object.fromEntries(changed.items.map((r: any) => [r.name, r.changedFields]));
    expect(byName).toEqual({ [b.name]: ["phone", "address"], 路人甲: ["address"] });
    expect(changed.items.every((r: any) => r.batchStatus === "changed")).toBe(true);

    // Tasks: the two new people only; the earlier tasks keep their outcomes, none opened again.
    const t2 = await tasksOf(second.id);
    expect(t2.map((x) => x.name).sort()).toEqual([e.name, f.name].sort());
    const again = await tasksOf(first.id);
    expect(again.find((x) => x.n === 3)).toMatchObject({ outcome: "at_home", outcomeNote: "本人在家" });
    expect(again.find((x) => x.n === 4)).toMatchObject({ outcome: "moved_away" });
    expect(again.filter((x) => !x.outcome)).toHaveLength(2);
    const [{ n: tasksTotal }] = await q<{ n: number }>(
      "select count(*)::int as n from verification_rows where list_id = any($1::int[]) and grid_path is not null",
      [[first.id, second.id]],
    );
    expect(tasksTotal).toBe(6);
  });

  it("a batch killed mid-import resumes from its checkpoint with its counts whole", async () => {
    const n = 5_000;
    const line = (i: number, addr: string) => `居民${i},${composeIdCard("320614", "1982-02-02", i)},,${addr}`;
    // 1,000 people; the second batch repeats them (every third with a new address) and adds 2,000 more.
    const one = [
      "姓名,身份证号,联系电话,现住址",
      ...Array.from({ length: 1000 }, (_, i) => line(i, `地址${i}`)),
    ];
    const b1 = await importList(Buffer.from(one.join("\n")), "", "text/csv");
    const two = ["姓名,身份证号,联系电话,现住址"];
    for (let i = 0; i < 1000; i++) two.push(line(i, i % 3 === 0 ? `新地址${i}` : `地址${i}`));
    for (let i = 0; i < n - 1000; i++)
      two.push(`新人${i},${composeIdCard("320615", "1983-03-03", i % 1000)},,地址`);
    const up = await upload(Buffer.from(two.join("\n")), `&batchOf=${b1.id}`, street, "text/csv");
    expect(up.statusCode, up.body).toBe(201);
    const id = up.json().id;
    const start = await t.app.inject({
      method: "POST",
      url: `/api/verification/lists/${id}/start`,
      headers: street,
      payload: { headerRow: 1, mapping: up.json().mapping },
    });
    expect(start.statusCode).toBe(202);
    for (let i = 0; i < 400; i++) {
      const [l] = await q<{ checkpoint: number }>("select checkpoint from verification_lists where id = $1", [
        id,
      ]);
      if (l.checkpoint > 0) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    await haltLists(t.ctx);
    const [mid] = await q<{ checkpoint: number; state: string; rows: number; counted: number }>(
      `select checkpoint, state, (select count(*)::int from verification_rows where list_id = $1) as rows,
         coalesce((counters->>'batch_new')::int, 0) + coalesce((counters->>'batch_unchanged')::int, 0)
           + coalesce((counters->>'batch_changed')::int, 0) as counted
       from verification_lists where id = $1`,
      [id],
    );
    expect(mid.state).toBe("running");
    expect(mid.checkpoint).toBeGreaterThan(0);
    expect(mid.checkpoint).toBeLessThan(n + 1);
    expect(mid.rows).toBe(mid.checkpoint - 1);
    expect(mid.counted).toBe(mid.rows);
    // While it is (still) importing, a third batch of the campaign waits: it would compare with half a batch.
    const third = await upload(
      Buffer.from(one.slice(0, 10).join("\n")),
      `&batchOf=${b1.id}`,
      street,
      "text/csv",
    );
    expect(third.statusCode, third.body).toBe(201);
    const startThird = () =>
      t.app.inject({
        method: "POST",
        url: `/api/verification/lists/${third.json().id}/start`,
        headers: street,
        payload: { headerRow: 1, mapping: third.json().mapping },
      });
    const early = await startThird();
    expect(early.statusCode).toBe(409);
    expect(early.json().error.message).toContain("另一批名单正在导入");
    expect(await resumeLists(t.ctx, 0)).toContain(id);
    await settleLists(t.ctx);
    const list = await finished(id);
    expect(list.state, list.error).toBe("succeeded");
    const changedN = Array.from({ length: 1000 }, (_, i) => i).filter((i) => i % 3 === 0).length;
    expect(list.counters).toMatchObject({
      rows: n + 1,
      batch_new: n - 1000,
      batch_changed: changedN,
      batch_unchanged: 1000 - changedN,
    });
    const [after] = await q<{ rows: number; distinct: number }>(
      "select count(*)::int as rows, count(distinct n)::int as distinct from verification_rows where list_id = $1",
      [id],
    );
    expect(after).toEqual({ rows: n, distinct: n });
    // Once it is done, the third batch starts; it compares with the latest batch: rows 0, 3 and 6 had a
    // new address there and have the old one again (changed), the other six are as batch 2 had them.
    expect((await startThird()).statusCode).toBe(202);
    expect((await finished(third.json().id)).counters).toMatchObject({
      batch_unchanged: 6,
      batch_changed: 3,
      batch_new: 0,
    });
    const batches = (await get(`/api/verification/lists/${id}/batches`)).json();
    expect(batches.items.map((x: any) => x.batchNo)).toEqual([1, 2, 3]);
  });

  it("a community fills in its task sheet: rows applied, bad ones refused with a reason, finished ones kept", async () => {
    const dl = await get(`/api/verification/lists/${first.id}/outcome-sheet`, community);
    expect(dl.statusCode, dl.body).toBe(200);
    expect(dl.headers["content-type"]).toBe(XLSX);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(dl.rawPayload as any);
    const ws = wb.worksheets[0];
    const header = (ws.getRow(1).values as any[]).slice(1);
    expect(header).toEqual([
      "任务编号",
      "原表行号",
      "网格",
      "姓名",
      "身份证号",
      "联系电话",
      "现住址",
      "核查结果",
      "备注",
    ]);
    const lines = ws.getSheetValues().slice(2) as any[];
    expect(lines.map((l) => l[2]).sort()).toEqual([3, 4, 5, 6]);
    for (const l of lines) expect(String(l[5])).toMatch(/^\*{14}[\dX]{4}$/);
    expect(JSON.stringify(lines)).not.toContain(idOf(g1[0]));
    expect(lines.find((l) => l[2] === 3)[8]).toBe("核实在住");
    const dv = ws.getCell("H2").dataValidation;
    expect(dv).toMatchObject({ type: "list", formulae: ['"核实在住,已离开,查无此人,拒绝配合,其他"'] });
    const keyOf = (n: number) => lines.find((l) => l[2] === n)[1] as string;

    // A task on G02 (the community's, not the grid worker's) from a list of its own.
    const own = await importList(await roster([[1, g2.name, idOf(g2), null, g2.address, "苏阳社区"]]));
    const [g2task] = await q<{ id: number }>(
      "select id from verification_rows where list_id = $1 and grid_path is not null",
      [own.id],
    );

    // Filled in at the office.
    const filled = new ExcelJS.Workbook();
    const fw = filled.addWorksheet("核查结果回填");
    fw.addRow(header);
    fw.addRow([keyOf(5), 5, "", "", "", "", "", "查无此人", "走访三次无人"]); // applied
    fw.addRow([keyOf(6), 6, "", "", "", "", "", "其他", ""]); // 其他 without a note
    fw.addRow([keyOf(3), 3, "", "", "", "", "", "已离开", ""]); // finished as 核实在住: conflict
    fw.addRow([keyOf(4), 4, "", "", "", "", "", "已离开", ""]); // finished, the same: unchanged
    fw.addRow(["HC999999999", 9, "", "", "", "", "", "核实在住", ""]); // unknown key
    fw.addRow(["随便写的", 9, "", "", "", "", "", "核实在住", ""]); // not a key
    fw.addRow([keyOf(6), 6, "", "", "", "", "", "在家", ""]); // unknown outcome
    fw.addRow([`HC${g2task.id}`, 1, "", "", "", "", "", "核实在住", ""]); // another list's task
    fw.addRow([keyOf(6), 6, "", "", "", "", "", "", ""]); // left unfilled
    fw.addRow([]);
    const file = Buffer.from(await filled.xlsx.writeBuffer());
    const r = await sheetUpload(first.id, file);
    expect(r.statusCode, r.body).toBe(200);
    const report = r.json();
    expect(report).toMatchObject({ rows: 9, applied: 1, unchanged: 1, unfilled: 1, refused: 6 });
    const reasons = Object.fromEntries(report.problems.map((p: any) => [`${p.n}`, p.reason]));
    expect(reasons).toEqual({
      "3": "选择「其他」时须在备注中说明",
      "4": "该任务已登记为「核实在住」，与表中的「已离开」不一致，未覆盖",
      "6": "未找到该任务编号（不存在、不属于本名单或不在本辖区）",
      "7": "未找到该任务编号（不存在、不属于本名单或不在本辖区）",
      "8": "核查结果「在家」不是可选项（核实在住/已离开/查无此人/拒绝配合/其他）",
      "9": "未找到该任务编号（不存在、不属于本名单或不在本辖区）",
    });
    const after = await tasksOf(first.id);
    expect(after.find((x) => x.n === 5)).toMatchObject({
      outcome: "no_such_person",
      outcomeNote: "走访三次无人",
      outcomeByName: expect.any(String),
    });
    expect(after.find((x) => x.n === 3)).toMatchObject({ outcome: "at_home" });
    expect(after.find((x) => x.n === 6).outcome).toBeNull();
    const audits = await q<{ action: string; n: number }>(
      `select action, count(*)::int as n from audit_events where (entity = 'verification_list' and entity_id = $1)
         or (entity = 'verification_row' and after->>'via' = 'sheet') group by action`,
      [String(first.id)],
    );
    const by = Object.fromEntries(audits.map((a) => [a.action, a.n]));
    expect(by).toMatchObject({ export_outcome_sheet: 1, import_outcome_sheet: 1, verify: 1 });

    // The grid worker's scope is G01: the G02 task of its own list is not found for them.
    const ownSheet = new ExcelJS.Workbook();
    const ow = ownSheet.addWorksheet("x");
    ow.addRow(["任务编号", "核查结果", "备注"]);
    ow.addRow([`HC${g2task.id}`, "核实在住", ""]);
    const byGrid = await sheetUpload(own.id, Buffer.from(await ownSheet.xlsx.writeBuffer()), grid);
    expect(byGrid.statusCode, byGrid.body).toBe(200);
    expect(byGrid.json()).toMatchObject({ applied: 0, refused: 1 });
    expect(byGrid.json().problems[0].reason).toContain("未找到该任务编号");
    // …while the community may: the same sheet applies.
    expect((await sheetUpload(own.id, Buffer.from(await ownSheet.xlsx.writeBuffer()))).json()).toMatchObject({
      applied: 1,
      refused: 0,
    });
  });

  it("refuses hostile or wrong files as every upload does, changing nothing", async () => {
    const before = await q<{ n: number }>(
      "select count(*)::int as n from verification_rows where outcome is not null",
    );
    expect((await sheetUpload(first.id, Buffer.alloc(0))).statusCode).toBe(400);
    const png = await sheetUpload(first.id, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]));
    expect(png.statusCode).toBe(400);
    const noHeader = await sheetUpload(first.id, await roster([[1, "张三", "x", null, "", ""]]));
    expect(noHeader.statusCode).toBe(422);
    expect(noHeader.json().error.message).toContain("任务编号");
    const bomb = zipBomb(300);
    expect(bomb.length).toBeLessThan(5 * 1024 * 1024);
    const big = await sheetUpload(first.id, bomb);
    expect(big.statusCode, big.body).toBe(413);
    const tooLarge = await sheetUpload(first.id, Buffer.alloc(101 * 1024 * 1024, 0x41));
    expect(tooLarge.statusCode).toBe(413);
    // A role without tasks, a list outside the caller's area.
    expect((await sheetUpload(first.id, await roster([]), street)).statusCode).toBe(403);
    expect((await get("/api/verification/lists/999999/outcome-sheet", community)).statusCode).toBe(404);
    const after = await q<{ n: number }>(
      "select count(*)::int as n from verification_rows where outcome is not null",
    );
    expect(after[0].n).toBe(before[0].n);
  });
});
