import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import type { Page } from "playwright-core";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addAccount } from "../../src/server/modules/accounts/index.ts";
import {
  countIn,
  eventually,
  type Harness,
  login,
  loginOk,
  PHONE,
  SCREENSHOTS,
  type Session,
  screenshot,
  signedIn,
  startHarness,
} from "./harness.ts";

// 重点人群关爱 in the browser: the grid worker's phone visit with a dangerous blood pressure (and an
// impossible one first), the doctor's follow-up and green-channel referral, the hospital liaison's steps
// on their own referral list (desktop and phone) and the return to the community; overdue visits on the
// ledger and today's list; the care team's roster and public on-duty page; contact cards as PDF; the
// community picking a resident's grid worker and family doctor. The demo's care history is loaded.

type Headers = Awaited<ReturnType<Harness["t"]["login"]>>;

let h: Harness;
let worker: Session;
let doctor: Session;
let community: Session;
let hospital: Session;
let hospitalPhone: Session;
let target: { id: number; name: string };
let other: { id: number; name: string };
let communityHeaders: Headers;
let gridHeaders: Headers;
let newWorkerId: number;
let grid1: { id: number; path: string; name: string };
let communityId: number;
let referralId: number;

async function inject<T>(url: string, headers: Headers, method = "GET", payload?: unknown) {
  const r = await h.t.app.inject({ method: method as "GET", url, headers, payload: payload as any });
  return { status: r.statusCode, body: r.json() as T };
}

/** Polls like expect.poll, with time for a page to load its data. */
const until = eventually;

const q = <T>(text: string, params?: unknown[]) => h.t.ctx.database.query<T>(text, params);

/** Today in Shanghai plus n days, as YYYY-MM-DD. */
function shanghaiDay(n = 0): string {
  return new Date(Date.now() + 8 * 3600_000 + n * 86_400_000).toISOString().slice(0, 10);
}

beforeAll(async () => {
  h = await startHarness();
  [grid1] = await q<{ id: number; path: string; name: string }>(
    "select id, path, name from org_units where code = '320613019010-G01'",
  );
  [{ id: communityId }] = await q<{ id: number }>("select id from org_units where code = '320613019010'");
  // A second worker joins 第1网格, for the community to assign residents to.
  newWorkerId = await addAccount(h.t.ctx.database, {
    username: "worker-g01b",
    displayName: "第1网格 网格员 陈静",
    role: "grid_worker",
    org: "320613019010-G01",
    password: "Worker123",
  });
  const [doc, comm, grid] = await Promise.all([
    h.t.login("demo-doctor"),
    h.t.login("demo-community"),
    h.t.login("demo-grid"),
  ]);
  communityHeaders = comm;
  gridHeaders = grid;
  // The demo's visit history leaves a few of 第1网格's key residents overdue, and one nobody has
  // visited yet: the visit is for them, near the top of the worker's list.
  const due = await inject<{
    items: { residentId: number; name: string; state: string; lastVisitAt: string | null }[];
  }>("/api/care/visits/due?state=all&limit=5000", grid);
  expect(due.body.items[0].state).toBe("overdue");
  const never = due.body.items.find((i) => i.lastVisitAt === null)!;
  expect(never.state).toBe("overdue");
  target = { id: never.residentId, name: never.name };
  const visited = due.body.items.find((i) => i.lastVisitAt !== null && i.state === "scheduled")!;
  other = { id: visited.residentId, name: visited.name };

  // The doctor signs the resident up, so the alert goes to them; the community staffs its care team.
  const signed = await inject("/api/care/contracts", doc, "POST", {
    residentId: target.id,
    servicePackage: "elderly",
    start: shanghaiDay(-30),
    end: shanghaiDay(330),
  });
  expect(signed.status).toBe(201);
  const members: number[] = [];
  for (const m of [
    { teamRole: "staff", name: "陈静", phone: "13962900001" },
    { teamRole: "doctor", name: "王医生", phone: "0513-85550001" },
    { teamRole: "volunteer", name: "李志愿", phone: "13962900003" },
    { teamRole: "police", name: "赵警官", phone: "13962900004" },
  ]) {
    const r = await inject<{ id: number }>(`/api/care/teams/${communityId}/members`, comm, "POST", m);
    expect(r.status).toBe(201);
    members.push(r.body.id);
  }
  // Yesterday too: at night before 08:00 the shift on duty began the day before.
  const from = shanghaiDay(-1);
  const to = shanghaiDay(6);
  const entries = [];
  for (let d = -1; d <= 6; d++)
    for (const shift of ["day", "night"])
      for (const memberId of d === 3 && shift === "night" ? members.slice(0, 2) : members)
        entries.push({ date: shanghaiDay(d), shift, memberId });
  const roster = await inject(`/api/care/teams/${communityId}/roster`, comm, "PUT", { from, to, entries });
  expect(roster.status).toBe(200);

  [worker, doctor, community, hospital, hospitalPhone] = await Promise.all([
    h.open({ viewport: PHONE }),
    h.open({ viewport: PHONE }),
    h.open(),
    h.open(),
    h.open({ viewport: PHONE }),
  ]);
  // One after another: five first page loads at once time out on a loaded 2-core machine.
  await loginOk(worker.page, "demo-grid");
  await loginOk(doctor.page, "demo-doctor");
  await loginOk(community.page, "demo-community");
  // The hospital's liaison (南通大学附属医院) lands on the referrals to their hospital.
  await login(hospital.page, "demo-hospital");
  await hospital.page.waitForURL((u) => u.pathname === "/care/referrals");
  // The same liaison on a phone comes back with a session (the form sign-in was the line above).
  await signedIn(h, hospitalPhone.page, "demo-hospital");
});

afterAll(async () => {
  await h?.close();
});

const dueCard = (page: Page, id: number) => page.locator(`[data-testid="due-card"][data-resident="${id}"]`);
const alertCard = (page: Page, id: number) =>
  page.locator(`[data-testid="alert-card"][data-resident="${id}"]`);
const referralCard = (page: Page) => page.locator(`[data-testid="referral-card"][data-id="${referralId}"]`);
const fieldError = (page: Page, label: string) =>
  page
    .locator(".ant-form-item")
    .filter({ has: page.getByLabel(label, { exact: true }) })
    .locator(".ant-form-item-explain-error");

/** Takes a referral step on the board; steps with a dialog get their note (and time) filled in. */
async function step(
  page: Page,
  action: string,
  fill?: (dialog: ReturnType<Page["getByRole"]>) => Promise<void>,
) {
  await referralCard(page).locator(`[data-action="${action}"]`).click();
  if (fill) {
    const dialog = page.getByRole("dialog");
    await fill(dialog);
    await dialog.locator(".ant-modal-footer .ant-btn-primary").click();
    await until(() => dialog.count()).toBe(0);
  }
}

describe("care for key residents in the browser", () => {
  it("shows overdue visits on the worker's phone and records a visit with a dangerous blood pressure", async () => {
    const { page } = worker;
    await page.goto("/care/visits");
    await until(() => dueCard(page, target.id).count()).toBe(1);
    expect(Number(await page.getByTestId("count-overdue").textContent())).toBeGreaterThan(0);
    // Most urgent first: the list opens with overdue cards.
    expect(await page.getByTestId("due-card").first().getAttribute("data-state")).toBe("overdue");
    expect(await dueCard(page, target.id).getAttribute("data-state")).toBe("overdue");
    await screenshot(page, "care-visits-phone", "今日走访");

    await dueCard(page, target.id).getByRole("button", { name: "记录走访" }).click();
    const drawer = page.getByRole("dialog");
    await until(() => drawer.getByLabel("收缩压").count()).toBe(1);
    // The valid range is the hint under the field.
    expect(await drawer.getByText("有效范围 60–260 mmHg").count()).toBe(1);

    // Impossible readings: each field shows its valid range in Chinese, nothing is saved.
    await drawer.getByLabel("收缩压").fill("400");
    await drawer.getByLabel("舒张压").fill("20");
    await drawer.getByLabel("体温").fill("50");
    await drawer.getByRole("button", { name: "保存走访" }).click();
    await until(() => fieldError(page, "收缩压").textContent()).toBe("收缩压应在 60–260 mmHg 之间");
    expect(await fieldError(page, "舒张压").textContent()).toBe("舒张压应在 30–160 mmHg 之间");
    expect(await fieldError(page, "体温").textContent()).toBe("体温应在 33.0–43.0 °C 之间");
    await screenshot(page, "care-visit-range-error", "今日走访");
    const [{ n: none }] = await q<{ n: number }>(
      "select count(*)::int as n from care_visits where resident_id = $1",
      [target.id],
    );
    expect(none).toBe(0);

    // 185/115: grade 3 hypertension — the doctor is alerted and a care-urgent order is raised.
    await drawer.getByLabel("收缩压").fill("185");
    await drawer.getByLabel("舒张压").fill("115");
    await drawer.getByLabel("体温").fill("36.6");
    await drawer.getByLabel("心率").fill("92");
    await drawer.getByText("用药", { exact: true }).click();
    await drawer.getByLabel("走访情况").fill("老人自述头晕，降压药已两天未服");
    // Evidence: a location check-in (the phone's position, on a tap) and a photo of the medicine box.
    await worker.context.grantPermissions(["geolocation"]);
    await worker.context.setGeolocation({ latitude: 32.03012, longitude: 120.90123, accuracy: 12 });
    await drawer.locator('[data-action="check-in"]').click();
    await until(() => drawer.getByTestId("check-in").textContent()).toContain("32.03012, 120.90123");
    const photo = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#3a7" } })
      .png()
      .toBuffer();
    await drawer
      .getByTestId("photo-input")
      .setInputFiles({ name: "药盒.png", mimeType: "image/png", buffer: photo });
    await until(() => drawer.locator('[data-testid="photo-previews"] img').count()).toBe(1);
    await screenshot(page, "care-visit-evidence-phone", "今日走访");
    await drawer.getByRole("button", { name: "保存走访" }).click();
    await until(() => page.getByTestId("visit-alert").count()).toBe(1);
    expect(await page.getByTestId("visit-alert").textContent()).toContain(
      "3级高血压（危急）（185/115 mmHg）",
    );
    expect(await page.getByTestId("visit-order").textContent()).toMatch(/紧急工单/);
    expect(await page.getByTestId("visit-photos").textContent()).toContain("已上传照片 1 张");
    await screenshot(page, "care-visit-saved", `已记录对 ${target.name} 的走访`);
    await page.getByRole("button", { name: "完成" }).click();
    // Visited: the resident leaves the to-do list.
    await until(() => dueCard(page, target.id).count()).toBe(0);
    const [{ n }] = await q<{ n: number }>(
      "select count(*)::int as n from care_visits where resident_id = $1",
      [target.id],
    );
    expect(n).toBe(1);
    const [stored] = await q<{ location: unknown; photos: number }>(
      `select v.location, (select count(*)::int from care_visit_photos p where p.visit_id = v.id) as photos
       from care_visits v where v.resident_id = $1`,
      [target.id],
    );
    expect(stored).toEqual({ location: { lat: 32.03012, long: 120.90123, accuracy: 12 }, photos: 1 });
    expect(worker.errors).toEqual([]);
  });

  it("lets the doctor follow up the alert on the phone and refer through the green channel", async () => {
    const { page } = doctor;
    await page.goto("/care/followups");
    const card = alertCard(page, target.id);
    await until(() => card.count()).toBe(1);
    expect(await card.getByTestId("alert-reasons").textContent()).toContain("3级高血压");
    await screenshot(page, "care-followups-phone", "今日随访");

    const openBefore = countIn(await page.getByTestId("alerts-total").textContent());
    await card.locator('[data-action="consult"]').click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("随访情况").fill("电话随访：已嘱立即服药，30 分钟后复测 170/105，建议转诊心内科");
    await dialog.getByLabel("医嘱").fill("规律服用氨氯地平，低盐饮食");
    await screenshot(page, "care-consult-phone", "今日随访");
    await dialog.getByRole("button", { name: "保存随访" }).click();
    // The follow-up closes the alert but does not hide it: today's list keeps it, marked handled, so the
    // doctor refers from the same card.
    await until(() => card.getAttribute("data-state")).toBe("acknowledged");
    await until(async () => countIn(await page.getByTestId("alerts-total").textContent())).toBe(
      openBefore - 1,
    );
    await screenshot(page, "care-followups-handled-phone", "今日随访");

    await card.locator('[data-action="refer"]').click();
    await dialog.getByLabel("转诊医院").click();
    await page.locator(".ant-select-item-option", { hasText: "南通大学附属医院" }).click();
    await dialog.getByLabel("科室").fill("心内科");
    await dialog.getByLabel("绿色通道").click();
    await screenshot(page, "care-refer-phone", "今日随访");
    await dialog.getByRole("button", { name: "提交转诊" }).click();
    await until(() => dialog.count()).toBe(0);
    const [ref] = await q<{ id: number; green_channel: boolean; state: string }>(
      "select id, green_channel, state from referrals where resident_id = $1",
      [target.id],
    );
    expect(ref).toMatchObject({ green_channel: true, state: "requested" });
    referralId = ref.id;

    // The health record: the visit's flag in red, the alert, the follow-up, the referral; the tags' evidence.
    await page.goto(`/care/residents/${target.id}`);
    await until(() => page.getByTestId("event-referral").count()).toBe(1);
    expect(await page.locator('[data-testid="vital-flags"] [data-level="critical"]').textContent()).toContain(
      "185/115",
    );
    expect(await page.getByTestId("event-consultation").count()).toBe(1);
    expect(await page.getByTestId("event-alert").count()).toBe(1);
    // The visit's check-in and photo, the picture served by the server (re-encoded) and drawn.
    expect(await page.getByTestId("visit-location").first().textContent()).toContain("32.03012");
    const img = page.locator('[data-testid="visit-photos"] img').first();
    await until(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(64);
    await screenshot(page, "care-health-phone", `${target.name} 的健康档案`);
    expect(doctor.errors).toEqual([]);
  });

  it("takes the referral through the hospital liaison's steps and back to the community", async () => {
    const { page } = hospital;
    // Signed in before the referral was made (and landed here): open the list afresh.
    await page.goto("/care/referrals");
    const card = referralCard(page);
    await until(() => card.getAttribute("data-state")).toBe("requested");
    expect(await card.getByTestId("green-channel").count()).toBe(1);
    // The liaison sees the referral, not the resident's health record behind it.
    expect(await card.locator("a").count()).toBe(0);
    // Only this hospital's referrals: the demo's waiting ones and this one, all 南通大学附属医院.
    const cards = page.getByTestId("referral-card");
    expect(await cards.count()).toBeGreaterThanOrEqual(3);
    for (const text of await cards.allTextContents()) expect(text).toContain("南通大学附属医院");
    await screenshot(page, "care-referrals-hospital", "转诊看板");

    await step(page, "accept");
    await until(() => card.getAttribute("data-state")).toBe("accepted");
    // The hospital's liaison works in Shanghai time: the picker reads the typed time in the browser's zone.
    const cdp = await hospital.context.newCDPSession(page);
    await cdp.send("Emulation.setTimezoneOverride", { timezoneId: "Asia/Shanghai" });
    await step(page, "schedule", async (dialog) => {
      const input = dialog.getByLabel("预约时间");
      await input.click();
      await input.fill(`${shanghaiDay(2)} 09:30`);
      await input.press("Enter");
      await dialog.getByLabel("说明").fill("心内科专家门诊，请携带既往病历");
    });
    await until(() => card.getAttribute("data-state")).toBe("scheduled");
    expect(await card.textContent()).toContain(`预约时间：${shanghaiDay(2)} 09:30`);
    await step(page, "complete", async (dialog) => {
      await dialog.getByLabel("说明").fill("已就诊，调整降压方案");
    });
    await until(() => card.getAttribute("data-state")).toBe("completed");

    // On the ward, from the phone, the liaison hands the resident back to the community (下转) with advice.
    const p = hospitalPhone.page;
    await p.goto("/care/referrals");
    await until(() => referralCard(p).getAttribute("data-state")).toBe("completed");
    await screenshot(p, "care-referrals-hospital-phone", "转诊看板");
    await step(p, "return_to_community", async (dialog) => {
      await dialog.getByLabel("回转说明（诊疗结果与康复建议）").fill("血压已控制，社区每周随访测压");
    });
    await until(() => referralCard(p).getAttribute("data-state")).toBe("returned_to_community");

    // The family doctor sees it back, to plan the follow-up.
    const d = doctor.page;
    await d.goto("/care/referrals");
    await until(() => referralCard(d).getAttribute("data-state")).toBe("returned_to_community");
    await screenshot(d, "care-referrals-phone", "转诊看板");

    // The community's board shows it in the returned column.
    const c = community.page;
    await c.goto("/care/referrals");
    const column = c.locator('[data-column="returned_to_community"]');
    await until(() => column.locator(`[data-id="${referralId}"]`).count()).toBe(1);
    expect(await column.getByTestId("referral-state").first().textContent()).toBe("已回转社区");
    await screenshot(c, "care-referrals", "转诊看板");
    expect(hospital.errors).toEqual([]);
    expect(hospitalPhone.errors).toEqual([]);
  });

  it("shows the ledger with counts per grid, overdue filters, import errors per row and the export", async () => {
    const { page } = community;
    await page.goto("/care/ledger");
    const row = page.locator('[data-testid="ledger-grids"] tr', { hasText: grid1.name });
    await until(() => row.count()).toBe(1);
    // 第1网格's key residents and those not visited this week, as the API counts them: most were
    // visited (the demo's history and the visit above), some not.
    const summary = await inject<{
      items: { orgUnitId: number; keyResidents: number; notVisitedWeek: number }[];
    }>("/api/care/ledger/summary", communityHeaders);
    const g1 = summary.body.items.find((i) => i.orgUnitId === grid1.id)!;
    const cells = await row.locator("td").allTextContents();
    expect([Number(cells[1]), Number(cells[2])]).toEqual([g1.keyResidents, g1.notVisitedWeek]);
    expect(g1.notVisitedWeek).toBeGreaterThan(0);
    expect(g1.notVisitedWeek).toBeLessThan(g1.keyResidents);
    await until(() => page.locator("canvas").count()).toBeGreaterThan(0);
    await screenshot(page, "care-ledger", "重点人群台账");

    // The grid's list, filtered to 7 days without a visit: the visited resident is not in it.
    await page.goto(`/care/ledger?org=${grid1.id}&days=7`);
    await until(() => page.getByTestId("ledger-total").textContent()).toBe(`共 ${cells[2]} 人`);
    expect(
      await page.locator('[data-testid="ledger-list"]').getByText(target.name, { exact: true }).count(),
    ).toBe(0);
    await screenshot(page, "care-ledger-grid-overdue", "重点人群台账");

    // An import with bad rows is refused whole, each row named.
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("老年人台账");
    ws.addRow(["序号", "姓名", "身份证号", "人群类别", "备注"]);
    ws.addRow([1, "张三", "320611195001011234", "独居", ""]);
    ws.addRow([2, "", "12345", "外星人", ""]);
    const file = Buffer.from(await wb.xlsx.writeBuffer());
    await page.getByRole("button", { name: "导入台账" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("选择 xlsx 或 csv 文件").setInputFiles({
      name: "老年人台账.xlsx",
      mimeType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      buffer: file,
    });
    await dialog.getByRole("button", { name: "上传并导入" }).click();
    await until(() => dialog.getByTestId("import-failed").count()).toBe(1);
    const errors = dialog.locator('[data-testid="import-errors"] tbody tr');
    await until(() => errors.count()).toBe(2);
    expect(await errors.nth(1).textContent()).toContain("姓名为空");
    expect(await dialog.getByTestId("import-failed").textContent()).toContain("本批次未导入任何数据");
    await screenshot(page, "care-ledger-import-errors", "重点人群台账");

    // A clean file (csv this time) is written in the background: a progress bar, then the final counts.
    const people = await q<{ name: string; id_cipher: string }>(
      "select name, id_cipher from residents where org_path like $1 and not ('low_income' = any(tags)) order by id limit 3",
      [`${grid1.path}%`],
    );
    const csv = `姓名,身份证号,人群类别\n${people.map((p) => `${p.name},${h.t.ctx.crypto.decrypt(p.id_cipher)},低保户`).join("\n")}\n`;
    await dialog.getByLabel("选择 xlsx 或 csv 文件").setInputFiles({
      name: "低保台账.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(csv),
    });
    await dialog.getByRole("button", { name: "上传并导入" }).click();
    await until(() => dialog.getByTestId("import-done").count()).toBe(1);
    expect(await dialog.getByTestId("import-progress").textContent()).toContain("已写入 3 / 3 行");
    expect(await dialog.getByTestId("import-done").textContent()).toBe(
      "导入完成：3 行，3 位居民新增 3 个标签，0 行无变化",
    );
    await screenshot(page, "care-ledger-import-done", "重点人群台账");
    await dialog.locator(".ant-modal-close").click();

    // The export is an xlsx file.
    const href = await page.getByRole("link", { name: "导出台账" }).getAttribute("href");
    const res = await page.request.get(href!);
    expect(res.status()).toBe(200);
    expect(res.headers()["content-type"]).toContain("spreadsheetml");
    expect((await res.body()).subarray(0, 2).toString()).toBe("PK");
    expect(community.errors).toEqual([]);
  });

  it("shows the care team's roster and the public on-duty list with phones", async () => {
    const { page } = community;
    await page.goto("/care/teams");
    await until(() => page.locator('[data-testid="team-members"] tbody tr').count()).toBe(4);
    expect(await page.locator('[data-testid="team-members"] a[href="tel:13962900001"]').count()).toBe(1);
    // The night with only two members shows what it misses.
    await until(() => page.getByTestId("roster-gap").count()).toBe(1);
    expect(await page.getByTestId("roster-gap").textContent()).toBe("缺：志愿者、社区民警");
    await screenshot(page, "care-teams", "爱心专班");

    // The public page needs no login.
    const anon = await h.open({ viewport: PHONE });
    await anon.page.goto(`/duty/${communityId}`);
    const now = anon.page.getByTestId("duty-current");
    await until(() => now.locator('a[href^="tel:"]').count()).toBeGreaterThanOrEqual(2);
    expect(await now.locator('a[href="tel:13962900001"]').count()).toBe(1);
    await screenshot(anon.page, "care-duty-phone", /爱心专班值班电话/);
    expect(anon.errors).toEqual([]);
    await anon.context.close();
  });

  it("prints the grid's contact cards as a PDF with readable Chinese", async () => {
    const { page } = community;
    await page.goto("/care/cards");
    await page.getByLabel("选择网格").click();
    await page.locator(".ant-select-item-option", { hasText: grid1.name }).click();
    const button = page.getByTestId("cards-download");
    await until(() => button.getAttribute("href")).toBe(`/api/care/cards.pdf?grid=${grid1.id}`);
    await screenshot(page, "care-cards", "联系卡打印");
    const download = page.waitForEvent("download");
    await button.click();
    // The browser may run as a shared server: save the download here rather than read its own path.
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gk-cards-")), "cards.pdf");
    await (await download).saveAs(file);
    const pdf = fs.readFileSync(file!);
    expect(pdf.subarray(0, 4).toString()).toBe("%PDF");
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    const pdfPath = path.join(SCREENSHOTS, "care-cards.pdf");
    fs.writeFileSync(pdfPath, pdf);
    execFileSync("pdftoppm", [
      "-png",
      "-r",
      "60",
      "-f",
      "1",
      "-l",
      "1",
      "-singlefile",
      pdfPath,
      path.join(SCREENSHOTS, "care-card"),
    ]);
    const png = fs.readFileSync(path.join(SCREENSHOTS, "care-card.png"));
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect(png.length).toBeGreaterThan(10_000);
    fs.rmSync(pdfPath);

    // The health record links the resident's own card.
    await page.goto(`/care/residents/${target.id}`);
    const link = await page.getByTestId("card-link").getAttribute("href");
    const one = await page.request.get(link!);
    expect(one.headers()["content-type"]).toBe("application/pdf");
    expect((await one.body()).subarray(0, 4).toString()).toBe("%PDF");
    await screenshot(page, "care-health", `${target.name} 的健康档案`);
    expect(community.errors).toEqual([]);
  });

  it("lets the community pick a resident's grid worker and family doctor, found by pinyin initials", async () => {
    const { page } = community;
    await page.goto(`/care/residents/${other.id}`);
    await until(() => page.getByTestId("plan-worker").textContent()).toContain("网格员（演示）");
    const [{ doctor_id: before }] = await q<{ doctor_id: number }>(
      "select doctor_id from care_plans where resident_id = $1",
      [other.id],
    );
    await page.getByTestId("assign-button").click();
    const dialog = page.getByRole("dialog");
    const open = page.locator(
      ".ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option",
    );

    // "cj" finds 陈静 among 第1网格's workers; nobody else matches.
    const workerSelect = dialog.getByLabel("责任网格员");
    await workerSelect.click();
    await until(() => open.count()).toBeGreaterThan(1);
    await workerSelect.fill("cj");
    await until(() => open.count()).toBe(1);
    expect(await open.textContent()).toContain("第1网格 网格员 陈静");
    await open.click();
    // Picking closes the list; only then is the next field's list the only one open.
    await until(() => open.count()).toBe(0);

    // The doctors covering the resident: the street health centre's and the community station's;
    // the head switches to the one the plan does not have yet.
    const doctorSelect = dialog.getByLabel("家庭医生");
    await doctorSelect.click();
    await until(() => open.count()).toBe(2);
    const names = await open.allTextContents();
    expect(names.some((n) => n.includes("秦灶街道社区卫生服务中心"))).toBe(true);
    expect(names.some((n) => n.includes("苏阳社区卫生服务站"))).toBe(true);
    const [{ display_name: current }] = await q<{ display_name: string }>(
      "select display_name from accounts where id = $1",
      [before],
    );
    await doctorSelect.fill(current.includes("服务站") ? "服务中心" : "服务站");
    await until(() => open.count()).toBe(1);
    const picked = await open.textContent();
    expect(picked).not.toContain(current);
    await open.click();
    await until(() => open.count()).toBe(0);
    await screenshot(page, "care-plan-assign", `${other.name} 的健康档案`);
    await dialog.getByRole("button", { name: "保存" }).click();
    await until(() => dialog.count()).toBe(0);
    await until(() => page.getByTestId("plan-worker").textContent()).toBe("第1网格 网格员 陈静");
    expect(picked).toContain(await page.getByTestId("plan-doctor").textContent());

    const [plan] = await q<{ assigned_worker_id: number; doctor_id: number }>(
      "select assigned_worker_id, doctor_id from care_plans where resident_id = $1",
      [other.id],
    );
    expect(plan.assigned_worker_id).toBe(newWorkerId);
    expect(plan.doctor_id).not.toBe(before);
    const [ev] = await q<{ username: string; after: Record<string, unknown> }>(
      "select username, after from audit_events where entity = 'care_plan' and entity_id = $1 order by id desc limit 1",
      [String(other.id)],
    );
    expect(ev).toMatchObject({
      username: "demo-community",
      after: { assignedWorkerId: newWorkerId, doctorId: plan.doctor_id },
    });
    // The resident is now on 陈静's list.
    const chen = await h.t.login("worker-g01b", "Worker123");
    const mine = await inject<{ items: { residentId: number }[] }>(
      "/api/care/visits/due?mine=true&state=all",
      chen,
    );
    expect(mine.body.items.map((i) => i.residentId)).toEqual([other.id]);

    // A grid worker sees the assignees but cannot change them.
    await worker.page.goto(`/care/residents/${other.id}`);
    await until(() => worker.page.getByTestId("plan-worker").textContent()).toBe("第1网格 网格员 陈静");
    expect(await worker.page.getByTestId("assign-button").count()).toBe(0);
    expect(community.errors).toEqual([]);
    expect(worker.errors).toEqual([]);
  });

  it("lets a grid worker narrow today's visits to the residents assigned to them", async () => {
    const { page } = worker;
    await page.goto("/care/visits");
    const first = page.getByTestId("due-card").first();
    await until(() => first.count()).toBe(1);
    const moved = Number(await first.getAttribute("data-resident"));
    // That resident goes to the grid's other worker: still in the grid's list, no longer demo-grid's.
    const [{ assigned_worker_id: was }] = await q<{ assigned_worker_id: number }>(
      "select assigned_worker_id from care_plans where resident_id = $1",
      [moved],
    );
    await q("update care_plans set assigned_worker_id = $2 where resident_id = $1", [moved, newWorkerId]);
    try {
      await page.reload();
      await until(() => dueCard(page, moved).count()).toBe(1);
      await page.getByTestId("visits-mine").click();
      await page.waitForURL((u) => u.searchParams.get("mine") === "1");
      await until(() => dueCard(page, moved).count()).toBe(0);
      // The counts are the worker's own, as the server computes them.
      const own = (
        await inject<{ counts: Record<string, number> }>("/api/care/visits/due?mine=true", gridHeaders)
      ).body.counts;
      for (const state of ["overdue", "due", "due_soon"])
        await until(async () => Number(await page.getByTestId(`count-${state}`).textContent())).toBe(
          own[state],
        );
      expect(await page.getByText("只看我负责的").count()).toBe(1);
      await screenshot(page, "care-visits-mine", "今日走访");
      // Off again: the resident is back.
      await page.getByTestId("visits-mine").click();
      await until(() => dueCard(page, moved).count()).toBe(1);
    } finally {
      await q("update care_plans set assigned_worker_id = $2 where resident_id = $1", [moved, was]);
    }
    expect(worker.errors).toEqual([]);
  });

  it("lets the command center read the ledger but not health data", async () => {
    const s = await h.open();
    await loginOk(s.page, "demo-commander");
    await s.page.goto("/care/ledger");
    await screenshot(s.page, "care-ledger-commander", "重点人群台账");
    expect(await s.page.getByRole("menuitem", { name: "今日随访" }).count()).toBe(0);
    await s.page.goto("/care/referrals");
    await until(() => s.page.getByRole("heading", { name: "无权访问" }).count()).toBe(1);
    await s.context.close();
  });
});
