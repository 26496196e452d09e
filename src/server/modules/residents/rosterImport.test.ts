import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type TestApp } from "../../../../test/helpers/app.ts";
import { composeIdCard } from "../../../domain/idcard/idcard.ts";
import { maskIdCard } from "../../../domain/mask/mask.ts";
import type { Actor } from "../../context.ts";
import { FieldCrypto } from "../../platform/crypto.ts";
import { haltJobs, resumeJobs, settleJobs } from "../jobs/index.ts";
import { flaggedRowsFile } from "./rosterFlagged.ts";
import { sealKeptRosters, startRoster } from "./rosterImport.ts";

type H = Awaited<ReturnType<TestApp["login"]>>;
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const fullWidth = (s: string) => s.replace(/[0-9X]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

interface Known {
  id: number;
  name: string;
  id_cipher: string;
  phone_cipher: string | null;
  building: string;
  unit_no: number | null;
  room_no: string;
  household_id: number;
}

describe.each(DB_KINDS)("community roster into the registry on %s", (kind) => {
  let t: TestApp;
  let community: H;
  let suyang: { id: number; path: string };
  let other: number;
  let gridName: string;
  let known: Known[];
  let file: Buffer;
  const ids = {
    fresh: composeIdCard("320602", "1988-03-04", 771),
    wide: composeIdCard("320602", "1990-05-06", 772),
    old15: "",
    old18: composeIdCard("320602", "1965-07-08", 773),
    damaged: composeIdCard("320602", "1970-01-02", 774),
    away: composeIdCard("320602", "1975-02-03", 775),
  };
  ids.old15 = ids.old18.slice(0, 6) + ids.old18.slice(8, 17);
  const q = <T = any>(text: string, params?: unknown[]) => t.ctx.database.query<T>(text, params);

  beforeAll(async () => {
    t = await createTestApp(kind);
    community = await t.login("demo-community");
    [suyang] = await q("select id, path from org_units where code = '320613019010'");
    [{ id: other }] = await q(
      "select id from org_units where kind = 'community' and code <> '320613019010' order by code limit 1",
    );
    [{ name: gridName }] = await q("select name from org_units where code = '320613019010-G01'");
    known = await q<Known>(
      `select r.id, r.household_id, r.name, r.id_cipher, r.phone_cipher, b.name as building, h.unit_no, h.room_no
       from residents r join households h on h.id = r.household_id join buildings b on b.id = r.building_id
       where r.org_path like $1 and r.phone_cipher is not null and h.unit_no is not null order by r.id limit 4`,
      [`${suyang.path}%`],
    );
    const dec = (c: string) => t.ctx.crypto.decrypt(c);
    const [changed, same, conflicting, moved] = known;
    // Someone registered in another community (outside the community admin's area).
    const [o] = await q<{ path: string }>("select path from org_units where id = $1", [other]);
    await q(
      `insert into residents (org_unit_id, org_path, name, name_initials, gender, birth_date, id_cipher, id_hash,
         id_tail, address) values ($1, $2, '吴外来', 'wwl', 'male', '1975-02-03', $3, $4, $5, '别处')`,
      [other, o.path, t.ctx.crypto.encrypt(ids.away), t.ctx.crypto.hash(ids.away), ids.away.slice(-4)],
    );
    // A roster as an office keeps it: a merged title, the grid merged down its block, numbers as numbers.
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("花名册");
    ws.addRow(["苏阳社区居民花名册（2026年12月）"]);
    ws.mergeCells("A1:I1");
    ws.addRow(["序号", "网格", "姓名", "身份证号", "手机", "楼栋", "单元", "室", "与户主关系"]);
    const place = (k: Known) => [k.building, k.unit_no, k.room_no];
    ws.addRow([1, gridName, changed.name, dec(changed.id_cipher), "13912345678", ...place(changed), null]);
    ws.addRow([2, null, same.name, dec(same.id_cipher), dec(same.phone_cipher!), ...place(same), null]);
    ws.addRow([
      3,
      null,
      `${conflicting.name}某`,
      dec(conflicting.id_cipher),
      null,
      ...place(conflicting),
      null,
    ]);
    ws.addRow([4, null, "钱新来", ids.fresh, "13800001111", "99幢", 1, "101室", "户主"]);
    ws.addRow([]);
    ws.addRow([5, null, "孙宽字", fullWidth(ids.wide), null, 99, 1, 102, "户主"]);
    ws.addRow([6, null, "李旧号", ids.old15, "13800002222", "99栋", "1单元", "102", "配偶"]);
    ws.addRow([7, null, "周数字", Number(ids.damaged), null, 99, 1, 103, "户主"]);
    ws.addRow([8, null, moved.name, dec(moved.id_cipher), null, "99幢", 2, 201, null]);
    ws.addRow([9, null, "吴外来", ids.away, null, "99幢", 2, 202, "户主"]);
    ws.addRow(["合计", null, "9人"]);
    ws.mergeCells("B3:B12");
    file = Buffer.from(await wb.xlsx.writeBuffer());
  });
  afterAll(() => t?.close());

  const upload = (body: Buffer, type = XLSX, org = suyang.id, headers: H = community) =>
    t.app.inject({
      method: "POST",
      url: `/api/residents/rosters?org=${org}&filename=${encodeURIComponent("花名册.xlsx")}`,
      headers: { ...headers, "content-type": type },
      payload: body,
    });
  async function run(body: Buffer) {
    const up = await upload(body);
    expect(up.statusCode, up.body).toBe(201);
    const p = up.json();
    const st = await t.app.inject({
      method: "POST",
      url: `/api/residents/rosters/${p.id}/start`,
      headers: community,
      payload: { headerRow: p.headerRow, mapping: p.mapping },
    });
    expect(st.statusCode, st.body).toBe(202);
    await settleJobs(t.ctx);
    const r = await t.app.inject({ url: `/api/residents/rosters/${p.id}`, headers: community });
    expect(r.statusCode, r.body).toBe(200);
    return { preview: p, result: r.json() };
  }
  const snapshot = () =>
    q(
      `select id, name, household_id, phone_hash, relation_to_head, version from residents where org_path like $1 order by id`,
      [`${suyang.path}%`],
    );
  const sum = (s: any) => s.created + s.updated + s.unchanged + s.conflicts + s.flagged + s.skipped;

  it("previews the mapping, imports, and every row read is counted once", async () => {
    const before = await q<{ n: number }>("select count(*)::int as n from residents");
    const { preview, result } = await run(file);
    expect(preview.headerRow).toBe(2);
    expect(preview.mapping).toMatchObject({
      grid: 1,
      name: 2,
      idNumber: 3,
      phone: 4,
      building: 5,
      unit: 6,
      room: 7,
      relation: 8,
    });
    expect(preview.problem).toBeNull();
    expect(preview.sample[0].cells[3]).not.toContain(t.ctx.crypto.decrypt(known[0].id_cipher).slice(6, 14));
    expect(result.state).toBe("succeeded");
    const s = result.summary;
    expect(s).toMatchObject({ created: 3, updated: 1, unchanged: 1, conflicts: 3, flagged: 1 });
    expect(s.skippedBy).toMatchObject({ title: 1, header: 1, total: 1, blank: 1 });
    expect(sum(s)).toBe(s.rows);
    expect(result.flags.find((f: any) => f.n === 10).reasons.join()).toContain("存成了数字");
    const after = await q<{ n: number }>("select count(*)::int as n from residents");
    expect(after[0].n).toBe(before[0].n + 3);
    // New people in a new building 99幢 of G01 (the merged grid carried down), two households.
    const made = await q<{
      name: string;
      address: string;
      org_path: string;
      household_id: number;
      relation_to_head: string;
    }>(
      "select name, address, org_path, household_id, relation_to_head from residents where id_hash = any($1::text[]) order by name",
      [[ids.fresh, ids.wide, ids.old18].map((i) => t.ctx.crypto.hash(i))],
    );
    expect(made.map((m) => m.name).sort()).toEqual(["孙宽字", "李旧号", "钱新来"].sort());
    expect(made.every((m) => m.org_path.includes("-G01/"))).toBe(true);
    expect(new Set(made.map((m) => m.household_id)).size).toBe(2);
    expect(made.find((m) => m.name === "李旧号")!.relation_to_head).toBe("spouse");
    const [b] = await q<{ n: number }>(
      "select count(*)::int as n from buildings where org_path like $1 and name = '99幢'",
      [`${suyang.path}%`],
    );
    expect(b.n).toBe(1);
    // The changed phone, audited with before and after; the conflicting name untouched.
    const [changed] = await q<{ phone_cipher: string; name: string }>(
      "select phone_cipher, name from residents where id = $1",
      [known[0].id],
    );
    expect(t.ctx.crypto.decrypt(changed.phone_cipher)).toBe("13912345678");
    const [audit] = await q<{ before: any; after: any }>(
      "select before, after from audit_events where entity = 'resident' and entity_id = $1 and action = 'update' order by id desc limit 1",
      [String(known[0].id)],
    );
    expect(audit.after.phoneTail).toBe("5678");
    expect(audit.before.phoneTail).toBe(t.ctx.crypto.decrypt(known[0].phone_cipher!).slice(-4));
    const [c] = await q<{ name: string }>("select name from residents where id = $1", [known[2].id]);
    expect(c.name).toBe(known[2].name);
    const conflicts = await t.app.inject({
      url: `/api/residents/rosters/${preview.id}/conflicts`,
      headers: community,
    });
    expect(conflicts.json().items).toMatchObject([
      {
        kind: "name",
        residentId: known[2].id,
        registryValue: known[2].name,
        rosterValue: `${known[2].name}某`,
        state: "open",
      },
      { kind: "household", residentId: known[3].id, rosterValue: "99幢 2单元 201室", state: "open" },
      { kind: "community", registryValue: "已登记在其他社区", residentName: "吴外来", state: "open" },
    ]);
    // Nobody moved: the household conflict's resident is where the registry has them.
    const [m] = await q<{ household_id: number }>("select household_id from residents where id = $1", [
      known[3].id,
    ]);
    expect(m.household_id).toBe(known[3].household_id);
  });

  it("a re-import of the same file changes nothing", async () => {
    const before = await snapshot();
    const { result } = await run(file);
    expect(result.summary).toMatchObject({ created: 0, updated: 0, unchanged: 5, conflicts: 3, flagged: 1 });
    expect(sum(result.summary)).toBe(result.summary.rows);
    expect(await snapshot()).toEqual(before);
  });

  it("a person decides a conflict: the roster's name applied, audited; decided twice is 409", async () => {
    const [{ id }] = await q<{ id: number }>("select id from roster_conflicts where resident_id = $1", [
      known[2].id,
    ]);
    const decide = () =>
      t.app.inject({
        method: "POST",
        url: `/api/residents/roster-conflicts/${id}/decide`,
        headers: community,
        payload: { choice: "roster" },
      });
    const r = await decide();
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ state: "applied", residentName: `${known[2].name}某` });
    expect((await decide()).statusCode).toBe(409);
    const [a] = await q<{ before: any; after: any }>(
      "select before, after from audit_events where entity = 'resident' and entity_id = $1 order by id desc limit 1",
      [String(known[2].id)],
    );
    expect(a).toMatchObject({ before: { name: known[2].name }, after: { name: `${known[2].name}某` } });
  });

  it("applying a household conflict moves the resident into the roster's household; one outside the area is refused", async () => {
    const conflict = (kind: string) =>
      q<{ id: number }>("select id from roster_conflicts where kind = $1 order by id limit 1", [kind]);
    const decide = (id: number, choice: string) =>
      t.app.inject({
        method: "POST",
        url: `/api/residents/roster-conflicts/${id}/decide`,
        headers: community,
        payload: { choice },
      });
    const [h] = await conflict("household");
    const r = await decide(h.id, "roster");
    expect(r.statusCode, r.body).toBe(200);
    const [moved] = await q<{ address: string; org_path: string }>(
      "select address, org_path from residents where id = $1",
      [known[3].id],
    );
    expect(moved.address).toContain("99幢 2单元 201室");
    expect(moved.org_path).toContain("-G01/");
    const [away] = await conflict("community");
    expect((await decide(away.id, "roster")).statusCode).toBe(409);
    const kept = await decide(away.id, "registry");
    expect(kept.statusCode, kept.body).toBe(200);
    expect(kept.json().state).toBe("kept");
    const [still] = await q<{ org_path: string }>("select org_path from residents where id_hash = $1", [
      t.ctx.crypto.hash(ids.away),
    ]);
    expect(still.org_path.startsWith(suyang.path)).toBe(false);
  });

  it("another community is 404; bad files are refused naming the problem", async () => {
    expect((await upload(file, XLSX, other)).statusCode).toBe(404);
    const empty = await upload(Buffer.alloc(0));
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.message).toContain("文件为空");
    const png = await upload(
      Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"),
      "application/octet-stream",
    );
    expect(png.statusCode).toBeGreaterThanOrEqual(400);
    expect(png.statusCode).toBeLessThan(500);
    const noHeader = await upload(Buffer.from("序号,备注\n1,无\n"), "text/csv");
    expect(noHeader.statusCode).toBe(422);
    expect(noHeader.json().error.message).toContain("未找到表头");
    const noId = await upload(Buffer.from("姓名,手机\n张三,13800000000\n"), "text/csv");
    expect(noId.statusCode, noId.body).toBe(201);
    expect(noId.json().problem).toContain("身份证号");
    const start = await t.app.inject({
      method: "POST",
      url: `/api/residents/rosters/${noId.json().id}/start`,
      headers: community,
      payload: { headerRow: 1, mapping: noId.json().mapping },
    });
    expect(start.statusCode).toBe(400);
    expect(start.json().error.message).toContain("身份证号");
  });

  const post = (url: string, p?: { headerRow: number; mapping: object }) =>
    t.app.inject({
      method: "POST",
      url,
      headers: community,
      ...(p ? { payload: { headerRow: p.headerRow, mapping: p.mapping } } : {}),
    });
  const day = (i: number) => new Date(Date.UTC(1981, 0, 1 + i)).toISOString().slice(0, 10);

  it("a cancel stops a running import at a chunk: what was written stays and is counted; finished is 409", async () => {
    const n = 600;
    const lines = ["姓名,身份证号,楼栋,单元,室"];
    for (let i = 0; i < n; i++)
      lines.push(`取消测${i},${composeIdCard("320602", day(i), 881)},88幢,${1 + (i % 3)},${100 + i}`);
    const up = await upload(Buffer.from(lines.join("\n")), "text/csv");
    expect(up.statusCode, up.body).toBe(201);
    const id = up.json().id;
    expect((await post(`/api/residents/rosters/${id}/start`, up.json())).statusCode).toBe(202);
    // Let the first chunk commit, then stop this process's runner so the cancel lands mid-run.
    const progress = async () =>
      (await t.app.inject({ url: `/api/residents/rosters/${id}`, headers: community })).json();
    for (let i = 0; i < 500 && (await progress()).done < 100; i++)
      await new Promise((r) => setTimeout(r, 20));
    await haltJobs(t.ctx);
    const before = await progress();
    expect(before.done).toBeGreaterThanOrEqual(100);
    expect(before.done).toBeLessThan(n);
    const c = await post(`/api/residents/rosters/${id}/cancel`);
    expect(c.statusCode, c.body).toBe(200);
    expect(c.json()).toMatchObject({ state: "cancelled", done: before.done });
    // The job picked up again (as after a restart) stops at once: nothing more is written.
    await resumeJobs(t.ctx, 0);
    await settleJobs(t.ctx);
    const after = await progress();
    expect(after).toMatchObject({ state: "cancelled", done: before.done, error: null });
    // The job itself ends cancelled, not failed: nothing went wrong.
    const job = await t.app.inject({ url: `/api/jobs/${after.jobId}`, headers: community });
    expect(job.statusCode, job.body).toBe(200);
    expect(job.json()).toMatchObject({
      state: "cancelled",
      done: before.done,
      finishedAt: expect.any(String),
    });
    expect(job.json().error).toContain("已取消");
    const [{ made }] = await q<{ made: number }>(
      "select count(*)::int as made from residents where name like '取消测%'",
    );
    expect(made).toBe(before.done);
    expect(after.summary.created).toBe(made);
    const [a] = await q<{ after: any }>(
      "select after from audit_events where entity = 'roster_import' and entity_id = $1 and action = 'cancel'",
      [String(id)],
    );
    expect(a.after).toMatchObject({ from: "started", checkpoint: before.done });
    const again = await post(`/api/residents/rosters/${id}/cancel`);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toContain("已结束");
    // A succeeded import cannot be cancelled either.
    const [{ id: finished }] = await q<{ id: number }>(
      "select i.id from roster_imports i join jobs j on j.id = i.job_id where j.state = 'succeeded' order by i.id limit 1",
    );
    expect((await post(`/api/residents/rosters/${finished}/cancel`)).statusCode).toBe(409);
  });

  it("a previewed import cancelled cannot start; the list shows the area's imports newest first, by page", async () => {
    const up = await upload(file);
    const id = up.json().id;
    const c = await post(`/api/residents/rosters/${id}/cancel`);
    expect(c.statusCode, c.body).toBe(200);
    expect(c.json().state).toBe("cancelled");
    expect((await post(`/api/residents/rosters/${id}/start`, up.json())).statusCode).toBe(409);
    const list = (qs: string) => t.app.inject({ url: `/api/residents/rosters?${qs}`, headers: community });
    const all = await list(`org=${suyang.id}&pageSize=100`);
    expect(all.statusCode, all.body).toBe(200);
    const [{ n }] = await q<{ n: number }>(
      "select count(*)::int as n from roster_imports where org_path like $1",
      [`${suyang.path}%`],
    );
    expect(all.json().total).toBe(n);
    const items = all.json().items;
    expect(items[0]).toMatchObject({
      id,
      state: "cancelled",
      orgName: expect.any(String),
      filename: "花名册.xlsx",
    });
    expect(items.map((i: any) => i.id)).toEqual([...items.map((i: any) => i.id)].sort((a, b) => b - a));
    expect(items.find((i: any) => i.state === "succeeded").summary.rows).toBeGreaterThan(0);
    const p2 = await list(`org=${suyang.id}&page=2&pageSize=2`);
    expect(p2.json().items.map((i: any) => i.id)).toEqual(items.slice(2, 4).map((i: any) => i.id));
    expect((await list("")).json().total).toBe(n);
    expect((await list(`org=${other}`)).statusCode).toBe(404);
  });

  it("the flagged rows download as xlsx: the roster's cells masked, the reason in Chinese, no conflicts; audited", async () => {
    const id = (i: number) => composeIdCard("320602", day(400 + i), 991);
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("花名册");
    ws.addRow(["姓名", "身份证号", "手机", "楼栋", "单元", "室"]);
    ws.addRow(["赵好", id(1), "13800003333", "77幢", 1, 101]); // 2: goes in
    ws.addRow(['=HYPERLINK("http://x")', Number(id(2)), "13800004444", "77幢", 1, 102]); // 3: ID stored as a number
    ws.addRow([null, id(3), null, "77幢", 1, 103]); // 4: no name
    ws.addRow(["赵好二", id(1), null, "77幢", 1, 104]); // 5: twice in the roster
    ws.addRow(["钱无房", id(4), "13800005555", null, null, null]); // 6: new, no building or room
    ws.addRow(["孙坏号", id(5), "1380000", "77幢", 1, 105]); // 7: in, the phone left out
    const [k] = await q<{ name: string; id_cipher: string }>(
      "select name, id_cipher from residents where id = $1",
      [known[1].id],
    );
    ws.addRow([`${k.name}乙`, t.ctx.crypto.decrypt(k.id_cipher), null, null, null, null]); // 8: a name conflict
    const { preview, result } = await run(Buffer.from(await wb.xlsx.writeBuffer()));
    expect(result.summary).toMatchObject({ created: 2, conflicts: 1, flagged: 4 });
    const rosterId = preview.id;

    const download = (qs = "") =>
      t.app.inject({ url: `/api/residents/rosters/${rosterId}/flagged.xlsx${qs}`, headers: community });
    const read = async (body: Buffer) => {
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(body as any);
      const sheet = book.worksheets[0];
      const rows: any[][] = [];
      sheet.eachRow((r) => {
        rows.push((r.values as any[]).slice(1));
      });
      return rows;
    };
    const res = await download();
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers["content-type"]).toContain("spreadsheetml");
    expect(res.headers["content-disposition"]).toContain(`roster-${rosterId}-flagged.xlsx`);
    const rows = await read(res.rawPayload);
    expect(rows[0]).toEqual(["原表行号", "姓名", "身份证号", "手机", "楼栋", "单元", "室", "处理", "原因"]);
    const byN = new Map(rows.slice(1).map((r) => [r[0], r]));
    // The flagged rows, in order; neither the row that went in cleanly nor the conflict is here.
    expect(rows.slice(1).map((r) => r[0])).toEqual([3, 4, 5, 6, 7]);
    const [damaged, noName, twice, noRoom, badPhone] = [3, 4, 5, 6, 7].map((n) => byN.get(n)!);
    expect(damaged[1]).toBe(`'=HYPERLINK("http://x")`);
    expect(damaged[2]).toMatch(/^3206\*+\d{4}$/);
    expect(damaged[3]).toBe("138****4444");
    expect(damaged[7]).toBe("未导入");
    expect(damaged[8]).toContain("存成了数字");
    expect(noName[2]).toBe(maskIdCard(id(3)));
    expect(noName[8]).toBe("姓名为空");
    expect(twice[8]).toContain("与第 2 行身份证号相同");
    expect(noRoom[1]).toBe("钱无房");
    expect(noRoom[3]).toBe("138****5555");
    expect(noRoom[8]).toContain("缺少楼栋或房号");
    expect(badPhone[7]).toBe("已导入，此项未采用");
    expect(badPhone[8]).toContain("联系电话格式不对");
    // Too short for the phone rule to hide anything: none of it shows.
    expect(badPhone[3]).toBe("*******");
    // Nothing whole: no full ID number nor phone anywhere in the masked file.
    const text = JSON.stringify(rows);
    for (const i of [2, 3, 4, 5]) expect(text).not.toContain(id(i).slice(4, 14));
    expect(text).not.toContain("13800005555");
    const [audited] = await q<{ action: string; reason: string | null; after: any; username: string }>(
      `select action, reason, after, username from audit_events where entity = 'roster_import' and entity_id = $1
       and action in ('export', 'reveal_export') order by id desc limit 1`,
      [String(rosterId)],
    );
    expect(audited).toMatchObject({
      action: "export",
      reason: null,
      username: "demo-community",
      after: { rows: 5, flagged: true, masked: true },
    });

    // Whole numbers only with a reason, and audited as such.
    const noReason = await download("?reveal=true");
    expect(noReason.statusCode).toBe(400);
    const revealed = await download(`?reveal=true&reason=${encodeURIComponent("核对原号码")}`);
    expect(revealed.statusCode, revealed.body).toBe(200);
    const whole = await read(revealed.rawPayload);
    expect(whole.find((r) => r[0] === 4)![2]).toBe(id(3));
    expect(whole.find((r) => r[0] === 6)![3]).toBe("13800005555");
    const [rev] = await q<{ action: string; reason: string; after: any }>(
      `select action, reason, after from audit_events where entity = 'roster_import' and entity_id = $1
       order by id desc limit 1`,
      [String(rosterId)],
    );
    expect(rev).toMatchObject({ action: "reveal_export", reason: "核对原号码", after: { masked: false } });

    // Another community's import is not found, as one that does not exist.
    const [o] = await q<{ path: string }>("select path from org_units where id = $1", [other]);
    const [away] = await q<{ id: number }>(
      `insert into roster_imports (org_unit_id, org_path, format, header_row, mapping, flags, owner_id,
         owner_username, owner_name) values ($1, $2, 'csv', 1, '{}'::jsonb, $3::jsonb, 1, 'x', 'x') returning id`,
      [other, o.path, JSON.stringify([{ n: 2, reasons: ["姓名为空"] }])],
    );
    expect(
      (await t.app.inject({ url: `/api/residents/rosters/${away.id}/flagged.xlsx`, headers: community }))
        .statusCode,
    ).toBe(404);
    expect(
      (await t.app.inject({ url: "/api/residents/rosters/999999/flagged.xlsx", headers: community }))
        .statusCode,
    ).toBe(404);
  });

  it("the kept roster is sealed at rest; under another secret start and download refuse; one kept in clear still reads and is sealed at start", async () => {
    const ps = [0, 1, 2].map((i) => ({
      id: composeIdCard("320602", day(600 + i), 992),
      name: `冯保密${"甲乙丙"[i]}`,
      phone: `1380000${6000 + i}`,
    }));
    const csv = Buffer.from(
      [
        "姓名,身份证号,手机,楼栋,单元,室",
        ...ps.map((p, i) => `${p.name},${p.id},${p.phone},66幢,1,${101 + i}`),
        `${ps[2].name}二,${ps[2].id},,66幢,1,199`, // 5: twice in the roster
      ].join("\n"),
    );
    const stored = async (id: number) =>
      (
        await q<{ file: Uint8Array; fileKey: string | null }>(
          'select file, file_key as "fileKey" from roster_imports where id = $1',
          [id],
        )
      )[0];
    /** The roster's values found in the stored bytes (as a dump or a replica holds them). */
    const leaked = (raw: Uint8Array) =>
      ps.flatMap((p) => [p.id, p.name, p.phone]).filter((v) => Buffer.from(raw).includes(Buffer.from(v)));
    const flaggedRows = async (id: number) => {
      const r = await t.app.inject({ url: `/api/residents/rosters/${id}/flagged.xlsx`, headers: community });
      expect(r.statusCode, r.body).toBe(200);
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(r.rawPayload as any);
      const rows: any[][] = [];
      book.worksheets[0].eachRow((row) => {
        rows.push((row.values as any[]).slice(1));
      });
      return rows.slice(1).map((row) => [row[0], row[1], row[2]]);
    };
    const other = { ...t.ctx, crypto: new FieldCrypto("another-secret-than-the-uploads") };
    const refusal = (call: Promise<unknown>) =>
      call.then(
        () => expect.unreachable("read under another secret"),
        (e) => ({ status: e.status, code: e.code, message: e.message }),
      );
    const mismatch = {
      status: 503,
      code: "upload_key_mismatch",
      message: expect.stringMatching(
        new RegExp(`^加密密钥不符.*${t.ctx.crypto.fingerprint()}.*${other.crypto.fingerprint()}`),
      ),
    };
    const [a] = await q<Omit<Actor, "kind">>(
      `select a.id, a.username, a.display_name as "displayName", a.role, a.org_unit_id as "orgUnitId",
         u.path as "orgPath", u.name as "orgName", u.kind as "orgKind"
       from accounts a join org_units u on u.id = a.org_unit_id where a.username = 'demo-community'`,
    );
    const clerk: Actor = { kind: "account", ...a };

    const up = await upload(csv, "text/csv");
    expect(up.statusCode, up.body).toBe(201);
    const p = up.json();
    const s = await stored(p.id);
    expect(s.fileKey).toBe(t.ctx.crypto.fingerprint());
    expect(leaked(s.file)).toEqual([]);
    const body = { headerRow: p.headerRow, mapping: p.mapping };
    expect(await refusal(startRoster(other, clerk, p.id, body))).toEqual(mismatch);
    expect((await q("select state from roster_imports where id = $1", [p.id]))[0].state).toBe("previewed");
    const st = await t.app.inject({
      method: "POST",
      url: `/api/residents/rosters/${p.id}/start`,
      headers: community,
      payload: body,
    });
    expect(st.statusCode, st.body).toBe(202);
    await settleJobs(t.ctx);
    const res = await t.app.inject({ url: `/api/residents/rosters/${p.id}`, headers: community });
    expect(res.json().summary, res.body).toMatchObject({ created: 3, flagged: 1 });
    const twice = [5, `${ps[2].name}二`, maskIdCard(ps[2].id)];
    expect(await flaggedRows(p.id)).toEqual([twice]);
    expect(await refusal(flaggedRowsFile(other, clerk, p.id, {}))).toEqual(mismatch);
    expect(leaked((await stored(p.id)).file)).toEqual([]);

    // As a roster kept before uploads were sealed: still downloads; sealed at start, not by another key.
    await q("update roster_imports set file = $2, file_key = null where id = $1", [p.id, csv]);
    expect(leaked((await stored(p.id)).file)).toHaveLength(9);
    expect(await flaggedRows(p.id)).toEqual([twice]);
    expect(await sealKeptRosters(other)).toBe(0);
    expect((await stored(p.id)).fileKey).toBeNull();
    expect(await sealKeptRosters(t.ctx)).toBeGreaterThanOrEqual(1);
    const resealed = await stored(p.id);
    expect(resealed.fileKey).toBe(t.ctx.crypto.fingerprint());
    expect(leaked(resealed.file)).toEqual([]);
    expect(await flaggedRows(p.id)).toEqual([twice]);
  });
});
