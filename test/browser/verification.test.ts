import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { composeIdCard } from "../../src/domain/idcard/idcard.ts";
import { eventually, type Harness, loginOk, PHONE, screenshot, startHarness } from "./harness.ts";

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
  h = await startHarness();
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
    await eventually(() => mapping.textContent()).toContain("表头在第 2 行");
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
});
