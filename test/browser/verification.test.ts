import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { composeIdCard } from "../../src/domain/idcard/idcard.ts";
import { eventually, type Harness, loginOk, PHONE, screenshot, startHarness, UPLOAD_MS } from "./harness.ts";

// 大数据核查 in the browser: a street commander uploads a messy roster (a merged title, an ID stored as a
// number, full-width digits, a 15-digit ID, a duplicate, a blank and a 合计 row), confirms the columns,
// watches the import end, reads the classification with each flagged row explained; the grid worker finds
// the task on the phone and records 核实在住; the commander sees it in the grid's progress and the export.

let h: Harness;
interface Res {
  name: string;
  id_cipher: string;
  address: string;
}
const fullWidth = (s: string) => s.replace(/[0-9X]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

beforeAll(async () => {
  // PGlite, the database `npm start` runs on: its upload path writes the list's rows through a blob where
  // PostgreSQL streams a COPY (src/db/client.ts), and this walk is the browser test of it.
  h = await startHarness("pglite");
});
afterAll(async () => {
  await h?.close();
});

async function messyRoster(): Promise<{ file: Buffer; first: string }> {
  const q = <T>(sql: string) => h.t.ctx.database.query<T>(sql);
  const g1 = await q<Res>(
    "select name, id_cipher, address from residents where org_path like '%/320613019010-G01/%' and birth_date < '1999-01-01' order by id limit 4",
  );
  const id = (r: Res) => h.t.ctx.crypto.decrypt(r.id_cipher);
  const [a, b, c, d] = g1;
  const old = id(c);
  const stranger = composeIdCard("320613", "1971-05-06", 457);
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet("核查名单");
  ws.addRow(["秦灶街道 公安推送人员核查名单（2026年11月）"]);
  ws.mergeCells("A1:F1");
  ws.addRow(["序号", "姓 名", "证件号码", "联系电话", "现住址", "所属社区"]);
  for (const r of [
    [1, a.name, id(a), null, a.address, "苏阳社区"],
    [2, b.name, fullWidth(id(b)), null, b.address, "苏阳"],
    [3, d.name, Number(id(d)), null, d.address, "苏阳社区"],
    [4, c.name, `${old.slice(0, 6)}${old.slice(8, 17)}`, null, c.address, "苏阳社区"],
    [5, a.name, id(a).toLowerCase(), null, a.address, "苏阳社区"],
    [],
    [6, "路人甲", stranger, "0513-8512 3456", "某地", "苏阳社区"],
    [7, "路人乙", `${stranger.slice(0, 17)}${stranger[17] === "1" ? "2" : "1"}`, null, "", ""],
    ["合计", null, null, null, null, null],
  ])
    ws.addRow(r);
  return { file: Buffer.from(await wb.xlsx.writeBuffer()), first: a.name };
}

describe("bulk list verification", () => {
  it("a messy roster → classification → a task on the grid worker's phone → the outcome in the export", async () => {
    const { file, first } = await messyRoster();
    const admin = await h.open();
    await loginOk(admin.page, "demo-street");
    await admin.page.goto("/verification");
    await admin.page
      .locator("#gk-verification-file")
      .setInputFiles({ name: "秦灶核查名单.xlsx", mimeType: "application/octet-stream", buffer: file });
    await admin.page.waitForURL("**/verification/lists/*");
    const mapping = admin.page.getByTestId("mapping");
    await eventually(() => mapping.textContent(), { timeout: UPLOAD_MS }).toContain("表头在第 2 行");
    expect(await mapping.textContent()).toContain("C · 证件号码");
    await screenshot(admin.page, "verification-mapping", "秦灶核查名单");
    await admin.page.getByTestId("start").click();
    await eventually(() => admin.page.getByTestId("list-state").textContent(), { timeout: 30_000 }).toBe(
      "已完成",
    );
    const check = admin.page.getByTestId("summary-check");
    await eventually(() => check.textContent()).toContain("读取 11 行 = 表头 1 + 跳过 3 + 分类 7");
    // Each flagged row explained: the bad checksum, the number a spreadsheet rounded (found by name,
    // birth date and address, flagged), the duplicate.
    await admin.page.getByTestId("total-invalid").click();
    const rows = admin.page.getByTestId("rows");
    await eventually(() => rows.textContent()).toContain("身份证号校验位不正确");
    await admin.page.getByTestId("total-duplicate").click();
    await eventually(() => rows.textContent()).toContain("与第 3 行重复");
    await admin.page.getByTestId("total-found").click();
    await eventually(() => rows.textContent()).toContain("后几位已丢失");
    expect(await rows.textContent()).not.toMatch(/\d{17}[\dX]/);
    await screenshot(admin.page, "verification-summary", "秦灶核查名单");

    // The grid worker's phone: the four G01 people, one verified at the door.
    const worker = await h.open({ viewport: PHONE });
    await loginOk(worker.page, "demo-grid");
    await worker.page.goto("/verification/tasks");
    await eventually(() => worker.page.getByTestId("tasks-open").textContent()).toBe("待核查 4 人");
    const card = worker.page.getByTestId("task-3");
    expect(await card.textContent()).toContain(first);
    await card.getByText("核实在住").click();
    await card.getByLabel("说明").fill("本人在家，已核对身份证");
    await card.getByRole("button", { name: "提交结果" }).click();
    await eventually(() => card.textContent()).toContain("已核查：核实在住");
    await eventually(() => worker.page.getByTestId("tasks-open").textContent()).toBe("待核查 3 人");
    await screenshot(worker.page, "verification-tasks-phone", "核查任务");

    // Back at the street: the grid's progress, and the outcome in the export (masked).
    await admin.page.reload();
    const grids = admin.page.getByTestId("grids");
    await eventually(() => grids.textContent()).toContain("核实在住 1");
    await screenshot(admin.page, "verification-grids", "秦灶核查名单");
    const href = await admin.page.getByTestId("export").getAttribute("href");
    const res = await admin.page.request.get(href!);
    expect(res.status()).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await res.body()) as any);
    const out = wb.worksheets[0].getSheetValues().slice(2) as any[];
    const line = out.find((l) => l[1] === 3);
    expect(line[10]).toBe("核实在住");
    expect(line[11]).toBe("本人在家，已核对身份证");
    expect(String(line[3])).toMatch(/\*{10}/);
    const flagged = await admin.page.request.get(
      (await admin.page.getByTestId("export-flagged").getAttribute("href"))!,
    );
    const wf = new ExcelJS.Workbook();
    await wf.xlsx.load((await flagged.body()) as any);
    const reasons = (wf.worksheets[0].getSheetValues().slice(2) as any[]).map((l) => `${l[1]}:${l[8]}`);
    expect(reasons).toContain("10:身份证号校验位不正确");
    expect(admin.errors).toEqual([]);
    expect(worker.errors).toEqual([]);
    await admin.context.close();
    await worker.context.close();
  }, 180_000);

  it("a second batch shows new / unchanged / changed; a community uploads its filled-in outcome sheet", async () => {
    const q = <T>(sql: string) => h.t.ctx.database.query<T>(sql);
    const g1 = await q<Res>(
      "select name, id_cipher, address from residents where org_path like '%/320613019010-G01/%' and birth_date < '1999-01-01' order by id desc limit 4",
    );
    const id = (r: Res) => h.t.ctx.crypto.decrypt(r.id_cipher);
    const [a, b, c, d] = g1;
    const sheet = async (rows: (string | number | null)[][]) => {
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet("名单");
      ws.addRow(["姓名", "身份证号", "联系电话", "现住址"]);
      for (const r of rows) ws.addRow(r);
      return Buffer.from(await wb.xlsx.writeBuffer());
    };
    const admin = await h.open();
    await loginOk(admin.page, "demo-street");
    async function importOnDesk(file: Buffer, name: string, input: string) {
      await admin.page
        .locator(input)
        .setInputFiles({ name, mimeType: "application/octet-stream", buffer: file });
      await eventually(() => admin.page.getByTestId("mapping").count(), { timeout: UPLOAD_MS }).toBe(1);
      await admin.page.getByTestId("start").click();
      await eventually(() => admin.page.getByTestId("list-state").textContent(), { timeout: 30_000 }).toBe(
        "已完成",
      );
    }
    await admin.page.goto("/verification");
    await importOnDesk(
      await sheet([
        [a.name, id(a), "13800000011", a.address],
        [b.name, id(b), null, b.address],
        [c.name, id(c), null, c.address],
      ]),
      "十二月名单.xlsx",
      "#gk-verification-file",
    );
    const firstUrl = admin.page.url();
    // The next batch, uploaded from the first one's page: a repeated, a changed and a new person.
    await importOnDesk(
      await sheet([
        [a.name, id(a), "13900000011", `${a.address}（新）`],
        [b.name, id(b), null, b.address],
        [d.name, id(d), null, d.address],
      ]),
      "十二月名单第二批.xlsx",
      "#gk-verification-batch-file",
    );
    expect(admin.page.url()).not.toBe(firstUrl);
    const check = admin.page.getByTestId("batch-check");
    await eventually(() => check.textContent()).toBe(
      "读取 4 行 = 表头 1 + 跳过 0 + 新增 1 + 未变 1 + 有变化 1",
    );
    await admin.page.getByTestId("batch-changed").click();
    const rows = admin.page.getByTestId("batches").getByTestId("rows");
    await eventually(() => rows.textContent()).toContain("联系电话、现住址");
    expect(await rows.textContent()).toContain(a.name);
    await screenshot(admin.page, "verification-batches", "十二月名单（第 2 批）");
    const firstId = Number(firstUrl.split("/").pop());

    // The community downloads its sheet of the first batch, fills it in and uploads it on the desk.
    const office = await h.open();
    await loginOk(office.page, "demo-community");
    await office.page.goto(`/verification/lists/${firstId}`);
    const card = office.page.getByTestId("outcome-sheet");
    const href = await card.getByTestId("sheet-download").getAttribute("href");
    const dl = await office.page.request.get(href!);
    expect(dl.status()).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await dl.body()) as any);
    const ws = wb.worksheets[0];
    expect(ws.getCell("H1").value).toBe("核查结果");
    expect(ws.getCell("H2").dataValidation?.type).toBe("list");
    const byName = new Map<string, number>();
    ws.eachRow((row, n) => {
      if (n > 1) byName.set(String(row.getCell(4).value), n);
    });
    expect(byName.size).toBe(3);
    expect(String(ws.getRow(byName.get(a.name)!).getCell(5).value)).toMatch(/^\*{14}/);
    ws.getRow(byName.get(a.name)!).getCell(8).value = "核实在住";
    ws.getRow(byName.get(b.name)!).getCell(8).value = "其他";
    ws.getRow(byName.get(c.name)!).getCell(8).value = "在家";
    ws.addRow(["HC999999999", null, null, null, null, null, null, "已离开", null]);
    const filled = Buffer.from(await wb.xlsx.writeBuffer());
    await card
      .locator("#gk-outcome-sheet-file")
      .setInputFiles({ name: "回填.xlsx", mimeType: "application/octet-stream", buffer: filled });
    const report = card.getByTestId("sheet-report");
    await eventually(() => report.textContent(), { timeout: 15_000 }).toContain(
      "登记 1 条 · 已是相同结果 0 条 · 未填写 0 条 · 未采用 3 条（共 4 行）",
    );
    const text = await report.textContent();
    expect(text).toContain("选择「其他」时须在备注中说明");
    expect(text).toContain("核查结果「在家」不是可选项");
    expect(text).toContain("未找到该任务编号");
    await screenshot(office.page, "verification-outcome-sheet", "十二月名单");
    // The outcome is the task's now: in the grid progress after a reload.
    await office.page.reload();
    await eventually(() => office.page.getByTestId("grids").textContent()).toContain("核实在住 1");
    expect(admin.errors).toEqual([]);
    expect(office.errors).toEqual([]);
    await admin.context.close();
    await office.context.close();
  }, 180_000);
});
