import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type TestApp } from "../../../../test/helpers/app.ts";
import { NOT_IN_SCOPE } from "../../../domain/care/ledgerRows.ts";
import { composeIdCard } from "../../../domain/idcard/idcard.ts";
import { haltJobs, resumeJobs, settleJobs } from "../jobs/index.ts";
import { CHUNK_ROWS } from "./ledgerImport.ts";

type H = Awaited<ReturnType<TestApp["login"]>>;
interface Res {
  id: number;
  name: string;
  org_path: string;
  id_cipher: string;
  tags: string[];
  version: number;
}
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async function xlsx(rows: (string | number)[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet("老年人台账");
  ws.addRow(["序号", "姓名", "身份证号", "人群类别", "备注"]);
  for (const [i, r] of rows.entries()) ws.addRow([i + 1, ...r]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe.each(DB_KINDS)("care ledger import on %s", (kind) => {
  let t: TestApp;
  let community: H;
  let grid: H;
  let g1: { id: number; path: string };
  let inG1: Res[];
  let outside: Res;
  const q = <T = any>(text: string, params?: unknown[]) => t.ctx.database.query<T>(text, params);
  const id = (r: Res) => t.ctx.crypto.decrypt(r.id_cipher);
  const RES = "select id, name, org_path, id_cipher, tags, version from residents";

  beforeAll(async () => {
    t = await createTestApp(kind);
    [community, grid] = await Promise.all([t.login("demo-community"), t.login("demo-grid")]);
    [g1] = await q("select id, path from org_units where code = '320613019010-G01'");
    const [g2] = await q("select path from org_units where code = '320613019010-G02'");
    inG1 = await q<Res>(`${RES} where org_path like $1 and tags <> '{}' order by id limit 12`, [
      `${g1.path}%`,
    ]);
    [outside] = await q<Res>(`${RES} where org_path like $1 order by id limit 1`, [`${g2.path}%`]);
  });
  afterAll(() => t?.close());

  const upload = (file: Buffer, headers: H = community, org = g1.id, type = XLSX) =>
    t.app.inject({
      method: "POST",
      url: `/api/care/ledger/import?org=${org}`,
      headers: { ...headers, "content-type": type },
      payload: file,
    });
  /** Polls the job as the web page does until it ends. */
  async function finished(jobId: number, headers: H = community) {
    for (let i = 0; i < 600; i++) {
      const r = await t.app.inject({ url: `/api/jobs/${jobId}`, headers });
      expect(r.statusCode, r.body).toBe(200);
      if (["succeeded", "failed"].includes(r.json().state)) return r.json();
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error("job did not finish");
  }

  it("rejects a batch with bad rows, saying what to fix in each, and imports none of it", async () => {
    const good = inG1[6];
    const badChecksum = `${id(inG1[7]).slice(0, 17)}${id(inG1[7])[17] === "0" ? "1" : "0"}`;
    const fullWidth = id(inG1[10]).replace(/[0-9X]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
    const file = await xlsx([
      [good.name, id(good), "独居、高龄80+", "子女在上海"],
      [inG1[7].name, badChecksum, "空巢", ""],
      [inG1[8].name, id(inG1[8]), "富豪", ""],
      [outside.name, id(outside), "失能", ""],
      ["张冠李戴", id(inG1[9]), "慢病", ""],
      [good.name, id(good), "低保", ""],
      [inG1[10].name, fullWidth, "独居", ""],
      [inG1[11].name, Number(id(inG1[11]).replace("X", "0")), "独居", ""],
      ["查无此人", composeIdCard("320613", "1950-01-01", 17), "独居", ""],
    ]);
    const before = await q<Res>(`${RES} where id = any($1::int[]) order by id`, [inG1.map((r) => r.id)]);
    const r = await upload(file);
    expect(r.statusCode, r.body).toBe(422);
    const fields = r.json().error.details.fields.map((f: any) => f.message) as string[];
    expect(fields[0]).toMatch(/^第 3 行：身份证号校验位不正确/);
    expect(fields[1]).toMatch(/^第 4 行：人群类别「富豪」无法识别，可填：独居、空巢、高龄80\+/);
    // Someone in another grid (outside the importer's chosen area) and an ID nobody has: the same words.
    expect(fields[2]).toBe(`第 5 行：${NOT_IN_SCOPE}`);
    expect(fields[3]).toBe("第 6 行：姓名与该身份证号登记的姓名不一致，请核对");
    expect(fields[4]).toBe("第 7 行：身份证号与第 2 行重复");
    expect(fields[5]).toMatch(/^第 8 行：身份证号含全角字符/);
    expect(fields[6]).toMatch(/^第 9 行：身份证号存成了数字，Excel 只保留 15 位有效数字/);
    expect(fields[7]).toBe(`第 10 行：${NOT_IN_SCOPE}`);
    expect(r.json().error.message).toContain("本批次未导入任何数据");
    expect(await q<Res>(`${RES} where id = any($1::int[]) order by id`, [inG1.map((r) => r.id)])).toEqual(
      before,
    );
    const [{ n }] = await q("select count(*)::int as n from care_tag_assignments where source = 'import'");
    expect(n).toBe(0);
    // A grid worker cannot import at all.
    expect((await upload(file, grid)).statusCode).toBe(403);
  });

  it("imports a clean batch as a job, and counts a re-import as unchanged without rewriting anyone", async () => {
    const good = inG1[6];
    const other = inG1[8];
    const rows = [
      [good.name, id(good), "独居、高龄80+", "子女在上海"],
      [other.name, id(other), "空巢老人", ""],
    ];
    const r = await upload(await xlsx(rows));
    expect(r.statusCode, r.body).toBe(202);
    expect(r.json()).toMatchObject({ kind: "care.ledger_import", total: 2 });
    const job = await finished(r.json().id);
    expect(job.state).toBe("succeeded");
    const added = job.result.tagsAdded as number;
    expect(job.result).toMatchObject({ rows: 2 });
    expect(job.result.residentsChanged + job.result.unchanged).toBe(2);
    const [g] = await q<Res>(`${RES} where id = $1`, [good.id]);
    expect(g.tags).toEqual(expect.arrayContaining(["living_alone", "aged_80_plus"]));
    const [ev] = await q(
      "select source, note, set_by_name from care_tag_assignments where resident_id = $1 and tag = 'living_alone'",
      [good.id],
    );
    if (!good.tags.includes("living_alone"))
      expect(ev).toMatchObject({ source: "import", note: "子女在上海" });
    const [{ n }] = await q("select count(*)::int as n from care_tag_assignments where source = 'import'");
    expect(n).toBe(added);

    // The same file again, as csv this time: nothing changes, and nothing is written.
    const versions = await q<Res>(`${RES} where id = any($1::int[]) order by id`, [[good.id, other.id]]);
    const csv = `姓名,身份证号,人群类别,备注\n${rows.map((x) => `${x[0]},\t${x[1]},"${x[2]}",${x[3]}`).join("\n")}\n`;
    const again = await upload(Buffer.from(csv), community, g1.id, "text/csv");
    expect(again.statusCode, again.body).toBe(202);
    const job2 = await finished(again.json().id);
    expect(job2.result).toEqual({ rows: 2, residentsChanged: 0, tagsAdded: 0, unchanged: 2 });
    expect(await q<Res>(`${RES} where id = any($1::int[]) order by id`, [[good.id, other.id]])).toEqual(
      versions,
    );

    // Only its owner sees the job; another account gets 404, as for a job that does not exist.
    expect((await t.app.inject({ url: `/api/jobs/${again.json().id}`, headers: grid })).statusCode).toBe(404);
    expect((await t.app.inject({ url: "/api/jobs/999999", headers: community })).statusCode).toBe(404);
  });

  it("writes a big import in chunks while others are served, and resumes it after a kill mid-way", async () => {
    const people = await q<Res>(
      `${RES} where org_path like '%320613019010%' and not ('left_behind_child' = any(tags)) order by id limit 2000`,
    );
    const file = await xlsx(people.map((p) => [p.name, id(p), "留守儿童", ""]));
    const r = await upload(
      file,
      community,
      (await q("select id from org_units where code = '320613019010'"))[0].id,
    );
    expect(r.statusCode, r.body).toBe(202);
    const jobId = r.json().id as number;
    // Others are served meanwhile: the health check and a list, each within a few hundred ms.
    let slowest = 0;
    let checkpoint = 0;
    const deadline = Date.now() + 60_000;
    while (checkpoint < CHUNK_ROWS * 2) {
      expect(Date.now()).toBeLessThan(deadline);
      const t0 = performance.now();
      expect((await t.app.inject({ url: "/api/health" })).statusCode).toBe(200);
      expect(
        (await t.app.inject({ url: "/api/care/ledger?pageSize=20", headers: community })).statusCode,
      ).toBe(200);
      slowest = Math.max(slowest, performance.now() - t0);
      [{ checkpoint }] = await q("select checkpoint from jobs where id = $1", [jobId]);
      // A client's pause between requests (a loop of injects alone would never let a timer run).
      await new Promise((res) => setTimeout(res, 10));
    }
    expect(slowest).toBeLessThan(500);
    // The process "dies": a chunk in flight rolls back, the job stays running with its checkpoint.
    await haltJobs(t.ctx);
    const [dead] = await q("select state, checkpoint, counters from jobs where id = $1", [jobId]);
    expect(dead.state).toBe("running");
    expect(dead.checkpoint % CHUNK_ROWS).toBe(0);
    expect(dead.checkpoint).toBeLessThan(2000);
    // What was written is exactly the committed chunks: their counters, their residents, no more.
    const imported = () =>
      q<{ n: number }>(
        "select count(*)::int as n from care_tag_assignments where source = 'import' and tag = 'left_behind_child'",
      ).then((x) => x[0].n);
    expect(await imported()).toBe(dead.counters.tagsAdded);
    expect(dead.counters.tagsAdded).toBe(dead.checkpoint);
    // Start again: the job continues from its checkpoint and ends with every row written once.
    expect(await resumeJobs(t.ctx, 0)).toContain(jobId);
    await settleJobs(t.ctx);
    const done = await finished(jobId);
    expect(done).toMatchObject({ state: "succeeded", done: 2000, attempts: 2 });
    expect(done.result).toEqual({ rows: 2000, residentsChanged: 2000, tagsAdded: 2000, unchanged: 0 });
    expect(await imported()).toBe(2000);
    const [{ n }] = await q(
      "select count(*)::int as n from residents where id = any($1::int[]) and 'left_behind_child' = any(tags)",
      [people.map((p) => p.id)],
    );
    expect(n).toBe(2000);
  });
});
