import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { composeIdCard } from "../../src/domain/idcard/idcard.ts";
import { DB_KINDS } from "../helpers/app.ts";
import {
  eventually,
  type Harness,
  loginOk,
  PHONE,
  residentRows,
  screenshot,
  startHarness,
  UPLOAD_MS,
} from "./harness.ts";

// 花名册导入 in the browser: the demo community admin opens it from the resident list, is told in Chinese
// why a file without a header is refused, uploads a roster as offices keep it (a merged title, the grid
// merged down its block, an ID stored as a number, full-width digits, a 15-digit ID, a duplicate, a blank
// and a 合计 row, a demo resident's new phone, another's name typed differently, someone registered in
// another community), confirms the columns, follows the job to its end, reads the summary with each flagged
// row explained, downloads the flagged rows (the roster's cells masked, the reason beside each, no
// conflicts), decides the conflicts (one refused with the server's 409), and finds a new resident in the
// resident list. On PGlite, and on PostgreSQL when it is set.

interface Known {
  id: number;
  name: string;
  id_cipher: string;
  building: string;
  unit_no: number;
  room_no: string;
}
const fullWidth = (s: string) => s.replace(/[0-9X]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

describe.each(DB_KINDS)("community roster import on %s", (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind);
  });
  afterAll(async () => {
    await h?.close();
  });
  const q = <T>(sql: string, params: unknown[] = []) => h.t.ctx.database.query<T>(sql, params);

  async function messyRoster() {
    const [suyang] = await q<{ path: string }>("select path from org_units where code = '320613019010'");
    const [{ name: gridName }] = await q<{ name: string }>(
      "select name from org_units where code = '320613019010-G01'",
    );
    const [changed, conflicting] = await q<Known>(
      `select r.id, r.name, r.id_cipher, b.name as building, h.unit_no, h.room_no
       from residents r join households h on h.id = r.household_id join buildings b on b.id = r.building_id
       where r.org_path like $1 and r.phone_cipher is not null and h.unit_no is not null order by r.id limit 2`,
      [`${suyang.path}%`],
    );
    // Someone registered in another community: only that community may take them in.
    const [other] = await q<{ id: number; path: string }>(
      "select id, path from org_units where kind = 'community' and code <> '320613019010' order by code limit 1",
    );
    const away = composeIdCard("320602", "1975-02-03", 665);
    await q(
      `insert into residents (org_unit_id, org_path, name, name_initials, gender, birth_date, id_cipher, id_hash,
         id_tail, address) values ($1, $2, '吴外来', 'wwl', 'male', '1975-02-03', $3, $4, $5, '别处')`,
      [other.id, other.path, h.t.ctx.crypto.encrypt(away), h.t.ctx.crypto.hash(away), away.slice(-4)],
    );
    const dec = (c: string) => h.t.ctx.crypto.decrypt(c);
    const fresh = composeIdCard("320602", "1988-03-04", 661);
    const wide = composeIdCard("320602", "1990-05-06", 662);
    const old18 = composeIdCard("320602", "1965-07-08", 663);
    const damaged = composeIdCard("320602", "1970-01-02", 664);
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("花名册");
    ws.addRow(["苏阳社区居民花名册（2026年12月）"]);
    ws.mergeCells("A1:I1");
    ws.addRow(["序号", "网格", "姓名", "身份证号", "手机", "楼栋", "单元", "室", "与户主关系"]);
    const place = (k: Known) => [k.building, k.unit_no, k.room_no];
    for (const r of [
      [1, gridName, changed.name, dec(changed.id_cipher), "139 1234 5678", ...place(changed), null],
      [2, null, `${conflicting.name}某`, dec(conflicting.id_cipher), null, ...place(conflicting), null],
      [3, null, "钱新来", fresh, "13800001111", "99幢", 1, "101室", "户主"],
      [],
      [4, null, "孙宽字", fullWidth(wide), null, 99, 1, 102, "户主"],
      [
        5,
        null,
        "李旧号",
        `${old18.slice(0, 6)}${old18.slice(8, 17)}`,
        "13800002222",
        "99栋",
        "1单元",
        "102",
        "配偶",
      ],
      [6, null, "周数字", Number(damaged), null, 99, 1, 103, "户主"],
      [7, null, "钱新来", fresh, null, "99幢", 1, "101室", "户主"],
      [8, null, "吴外来", away, null, "99幢", 2, 202, "户主"],
      ["合计", null, "8人"],
    ])
      ws.addRow(r);
    ws.mergeCells("B3:B12");
    return { file: Buffer.from(await wb.xlsx.writeBuffer()), changed, conflicting };
  }

  async function search(page: Page, text: string) {
    const box = page.getByLabel("搜索居民");
    await box.fill(text);
    await box.press("Enter");
  }

  it("a messy roster → column check → progress → summary with reasons → conflicts decided → new resident listed", async () => {
    const { file, changed, conflicting } = await messyRoster();
    const s = await h.open();
    const { page } = s;
    await loginOk(page, "demo-community");
    await page.goto("/residents");
    await page.getByTestId("roster-import").click();
    await page.waitForURL("**/residents/rosters?org=*");
    const input = page.locator('input[type="file"]');

    // A file without a header: refused, the reason in Chinese, nothing opened.
    await input.setInputFiles({
      name: "备注.csv",
      mimeType: "text/csv",
      buffer: Buffer.from("序号,备注\n1,无\n"),
    });
    await eventually(() => page.getByTestId("upload-error").textContent()).toContain("未找到表头");

    await input.setInputFiles({
      name: "苏阳花名册.xlsx",
      mimeType: "application/octet-stream",
      buffer: file,
    });
    await page.waitForURL(/\/residents\/rosters\/\d+$/);
    const id = Number(new URL(page.url()).pathname.split("/").pop());
    const mapping = page.getByTestId("mapping");
    await eventually(() => mapping.textContent(), { timeout: UPLOAD_MS }).toContain("表头在第 2 行");
    expect(await page.getByTestId("map-idNumber").textContent()).toContain("D · 身份证号");
    expect(await page.getByTestId("map-grid").textContent()).toContain("B · 网格");
    // The sample is masked: no ID number of the sheet appears whole.
    expect(await page.getByTestId("sample").textContent()).not.toMatch(/\d{17}[\dX]/);
    await screenshot(page, "roster-mapping", /花名册导入/);
    await page.getByTestId("start").click();

    // The job to its end: 12 rows read, 6 cleaned rows worked through.
    await eventually(() => page.getByTestId("roster-state").textContent(), { timeout: 30_000 }).toBe(
      "已完成",
    );
    expect(await page.getByTestId("progress-text").textContent()).toBe(
      "已读取 12 行 · 已清洗 6 行 · 已比对 6 / 6 行",
    );
    const check = page.getByTestId("summary-check");
    await eventually(() => check.textContent()).toBe(
      "读取 12 行 = 新增 3 + 更新 1 + 未变 0 + 冲突 2 + 标记 2 + 跳过 4",
    );
    const summary = await page.getByTestId("summary").textContent();
    expect(summary).toContain("标题行 1");
    expect(summary).toContain("合计/小计行 1");
    expect(summary).toContain("空行 1");
    const flags = page.getByTestId("flags");
    const row = (n: number) => flags.locator("tr", { hasText: new RegExp(`^${n}`) });
    expect(await row(9).textContent()).toContain("存成了数字");
    expect(await row(10).textContent()).toContain("名单内重复：与第 5 行身份证号相同");

    // The flagged rows as a file: the roster's own columns masked, what became of each row and why.
    const download = page.waitForEvent("download");
    await page.getByTestId("download-flagged").click();
    // The browser may run as a shared server: save the download here rather than read its own path.
    const saved = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gk-roster-")), "flagged.xlsx");
    await (await download).saveAs(saved);
    expect((await download).suggestedFilename()).toBe(`roster-${id}-flagged.xlsx`);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(saved);
    const got: unknown[][] = [];
    book.worksheets[0].eachRow((r) => {
      got.push((r.values as unknown[]).slice(1));
    });
    expect(got[0]).toEqual([
      "原表行号",
      "序号",
      "网格",
      "姓名",
      "身份证号",
      "手机",
      "楼栋",
      "单元",
      "室",
      "与户主关系",
      "处理",
      "原因",
    ]);
    // Rows 9 and 10 only: the conflicts (rows 4 and 11) are decided on the screen.
    expect(got.slice(1).map((r) => r[0])).toEqual([9, 10]);
    expect(got[1][3]).toBe("周数字");
    expect(got[1][4]).toMatch(/^3206\*+\d{4}$/);
    expect(got[1][10]).toBe("未导入");
    expect(got[1][11]).toContain("存成了数字");
    expect(got[2][11]).toContain("名单内重复：与第 5 行身份证号相同");
    expect(JSON.stringify(got)).not.toMatch(/\d{17}[\dX]/);
    const [audited] = await q<{ after: { rows: number; masked: boolean } }>(
      "select after from audit_events where entity = 'roster_import' and entity_id = $1 and action = 'export'",
      [String(id)],
    );
    expect(audited.after).toMatchObject({ rows: 2, masked: true });

    // The conflicts: the name typed differently applied; the one registered elsewhere refused (409), kept.
    const named = page.getByTestId("conflict-4");
    expect(await named.textContent()).toContain(`${conflicting.name}某`);
    expect(await named.textContent()).toContain("姓名不一致");
    const away = page.getByTestId("conflict-11");
    expect(await away.textContent()).toContain("已登记在其他社区");
    await screenshot(page, "roster-summary", /花名册导入/);
    await named.getByRole("button", { name: "以花名册为准" }).click();
    await eventually(() => named.textContent()).toContain("已采用花名册");
    await away.getByRole("button", { name: "以花名册为准" }).click();
    await eventually(() => away.getByTestId("decide-error").textContent()).toContain("辖区以外");
    await away.getByRole("button", { name: "保留登记信息" }).click();
    await eventually(() => away.textContent()).toContain("已保留登记");
    const [renamed] = await q<{ name: string }>("select name from residents where id = $1", [conflicting.id]);
    expect(renamed.name).toBe(`${conflicting.name}某`);
    const [phone] = await q<{ phone_tail: string }>("select phone_tail from residents where id = $1", [
      changed.id,
    ]);
    expect(phone.phone_tail).toBe("5678");

    // The earlier imports, and the new resident in the resident list.
    await page.getByRole("link", { name: "返回导入记录" }).click();
    const history = page.getByTestId("roster-history");
    await eventually(() => history.textContent()).toContain("苏阳花名册.xlsx");
    expect(await history.textContent()).toContain("已完成");
    await screenshot(page, "roster-history", "花名册导入");
    await page.goto("/residents");
    await search(page, "钱新来");
    await eventually(() => residentRows(page).first().textContent()).toContain("钱新来");
    expect(await residentRows(page).first().textContent()).toContain("99幢");

    // The same import on a phone.
    const m = await h.open({ viewport: PHONE });
    await loginOk(m.page, "demo-community");
    await m.page.goto(`/residents/rosters/${id}`);
    await eventually(() => m.page.getByTestId("summary-check").textContent()).toContain("读取 12 行");
    await screenshot(m.page, "roster-summary-phone", /花名册导入/);
    const overflow = () => m.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(await overflow()).toBeLessThanOrEqual(0);
    // A second upload on the phone: the column check fits the screen; cancelled before it starts.
    await m.page.goto("/residents/rosters");
    await m.page.locator('input[type="file"]').setInputFiles({
      name: "苏阳花名册（复核）.xlsx",
      mimeType: "application/octet-stream",
      buffer: file,
    });
    await m.page.waitForURL(/\/residents\/rosters\/\d+$/);
    await eventually(() => m.page.getByTestId("mapping").textContent(), { timeout: UPLOAD_MS }).toContain(
      "表头在第 2 行",
    );
    await screenshot(m.page, "roster-mapping-phone", /花名册导入/);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await m.page.getByTestId("roster-cancel").click();
    await m.page.getByRole("button", { name: "确定取消" }).click();
    await eventually(() => m.page.getByTestId("roster-state").textContent()).toBe("已取消");
    await m.page.getByRole("link", { name: "返回导入记录" }).click();
    const phoneHistory = m.page.getByTestId("roster-history");
    await eventually(() => phoneHistory.textContent()).toContain("已取消");
    expect(await phoneHistory.textContent()).toContain("苏阳花名册.xlsx");
    await screenshot(m.page, "roster-history-phone", "花名册导入");
    expect(await overflow()).toBeLessThanOrEqual(0);
    expect(s.errors).toEqual([]);
    expect(m.errors).toEqual([]);
    await s.context.close();
    await m.context.close();
  }, 180_000);
});
