import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DB_KINDS } from "../helpers/app.ts";
import { eventually, type Harness, loginOk, PHONE, screenshot as shoot, startHarness } from "./harness.ts";

// Community affairs' quarter archive and residents' own vote in the browser: the desk archives a past
// quarter's list; on a phone the public page lists it under past quarters, read-only with no rating; a
// resident verifies their phone on a topic's public summary and votes once for the household (a second vote
// is refused), and the result shows on the summary.

let h: Harness;
let suffix = "";
const screenshot = (page: Parameters<typeof shoot>[0], name: string, heading: string | RegExp) =>
  shoot(page, `${name}${suffix}`, heading);

async function inject<T = any>(
  user: string,
  method: "GET" | "POST",
  url: string,
  payload?: object,
): Promise<T> {
  const headers = await h.t.login(user);
  const r = await h.t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  expect(r.statusCode, r.body).toBeLessThan(300);
  return r.json() as T;
}

const communityId = async () =>
  (await h.t.ctx.database.query<{ id: number }>("select id from org_units where code = '320613019010'"))[0]
    .id;

/** The quarter before this one, and its last day. */
function lastQuarter() {
  const d = new Date();
  const q = Math.floor(d.getUTCMonth() / 3);
  const year = q === 0 ? d.getUTCFullYear() - 1 : d.getUTCFullYear();
  const n = q === 0 ? 4 : q;
  const end = new Date(Date.UTC(year, n * 3, 0)).toISOString().slice(0, 10);
  return { quarter: `${year}Q${n}`, end };
}

describe.each(DB_KINDS)("community affairs' archive and vote on %s", (kind) => {
  beforeAll(async () => {
    h = await startHarness(kind);
    suffix = kind === "pglite" ? "" : "-pg";
  });
  afterAll(() => h?.close());

  it("the desk archives a past quarter; the phone's public page shows it read-only under past quarters", async () => {
    const unit = await communityId();
    const { quarter, end } = lastQuarter();
    const p1 = await inject("demo-community", "POST", "/api/affairs/projects", {
      orgUnitId: unit,
      quarter,
      title: "老旧小区路灯更换",
      budget: 80000,
      owner: "苏阳社区居委会",
      deadline: end,
      milestones: [],
    });
    await inject("demo-community", "POST", `/api/affairs/projects/${p1.id}/publish`);
    await inject("demo-community", "POST", `/api/affairs/projects/${p1.id}/updates`, {
      note: "路灯全部更换完毕",
      progress: 100,
    });

    const desk = await h.open();
    const d = desk.page;
    await loginOk(d, "demo-community");
    await d.goto("/affairs");
    await d.getByRole("heading", { name: "社区事务" }).waitFor();
    const card = d.locator(".ant-card", { has: d.getByText("季度归档", { exact: true }) });
    const row = card.locator("tr.ant-table-row", { hasText: quarter });
    await eventually(() => row.count()).toBe(1);
    await row.getByRole("button", { name: "归档" }).click();
    await d
      .locator(".ant-popconfirm")
      .getByRole("button", { name: /确\s*定|OK/ })
      .click();
    await eventually(() => row.textContent()).toContain("已归档");
    await screenshot(d, "affairs-quarter-archived-desk", "社区事务");
    const [closed] = await h.t.ctx.database.query<{ n: number }>(
      "select count(*)::int as n from project_quarters where org_unit_id = $1 and quarter = $2",
      [unit, quarter],
    );
    expect(closed.n).toBe(1);

    const pub = await h.open({ viewport: PHONE });
    const p = pub.page;
    await p.goto(`/projects/${unit}`);
    await p.getByRole("heading", { name: /实事项目公开/ }).waitFor();
    const past = p.locator(".ant-card", { has: p.getByText("往季归档", { exact: true }) });
    await eventually(() => past.textContent()).toContain(quarter);
    await past.getByRole("button", { name: "查看" }).first().click();
    await eventually(() => p.getByText(/本季清单已归档/).count()).toBe(1);
    const item = p.locator(".ant-card", { hasText: "老旧小区路灯更换" }).first();
    await eventually(() => item.count()).toBe(1);
    expect(await item.getByRole("button", { name: "评价" }).count()).toBe(0);
    await screenshot(p, "affairs-quarter-archive-public-phone", /实事项目公开/);
    expect(pub.errors).toEqual([]);
    expect(desk.errors).toEqual([]);
    await pub.context.close();
    await desk.context.close();
  }, 120_000);

  it("a resident verifies their phone and votes once for the household; the summary shows the result", async () => {
    const unit = await communityId();
    const topic = await inject("demo-community", "POST", "/api/affairs/deliberations", {
      orgUnitId: unit,
      title: "小区是否加装电梯",
      background: "多层住宅老人上下楼难",
      source: "resident",
    });
    await inject("demo-community", "POST", `/api/affairs/deliberations/${topic.id}/meeting`, {
      meetingAt: new Date().toISOString(),
      place: "社区议事厅",
      parties: [{ kind: "resident_rep", name: "居民代表", present: true }],
      agenda: "加装电梯",
      minutes: "提请居民投票",
      vote: { question: "是否同意加装电梯", options: ["同意", "不同意"] },
    });
    const [resident] = await h.t.ctx.database.query<{ phoneCipher: string }>(
      `select phone_cipher as "phoneCipher" from residents where org_path like '%/320613019010/%'
       and household_id is not null order by id limit 1`,
    );
    const phone = h.t.ctx.crypto.decrypt(resident.phoneCipher);

    const pub = await h.open({ viewport: PHONE });
    const p = pub.page;
    await p.goto(`/deliberations/${topic.id}`);
    await p.getByRole("heading", { name: /议事结果公开/ }).waitFor();
    const box = p.locator(".ant-card", { has: p.getByText("居民投票", { exact: true }) });
    await box.getByText("是否同意加装电梯").waitFor();
    await box.getByLabel("手机号").fill(phone);
    await box.getByRole("button", { name: "获取验证码" }).click();
    await eventually(() => box.getByLabel("验证码").count()).toBe(1);
    const [msg] = await h.t.ctx.database.query<{ body: string }>(
      "select body from notifications where kind = 'affairs.vote_code' order by id desc limit 1",
    );
    await box.getByLabel("验证码").fill(/(\d{6})/.exec(msg.body)![1]);
    await box.getByRole("button", { name: "验证", exact: true }).click();
    await box.getByText("同意", { exact: true }).click();
    await box.getByRole("button", { name: "投票" }).click();
    await eventually(() => box.textContent()).toContain("投票成功");
    await eventually(() => p.locator(".ant-descriptions").textContent()).toContain("同意 1 户");
    await screenshot(p, "affairs-vote-public-phone", /议事结果公开/);
    // The same household again: refused, and still one vote.
    await box.getByText("不同意", { exact: true }).click();
    await box.getByRole("button", { name: "投票" }).click();
    await eventually(() => box.textContent()).toContain("已投过票");
    await screenshot(p, "affairs-vote-twice-public-phone", /议事结果公开/);
    const [n] = await h.t.ctx.database.query<{ n: number }>(
      "select count(*)::int as n from deliberation_votes where deliberation_id = $1",
      [topic.id],
    );
    expect(n.n).toBe(1);
    expect(pub.errors).toEqual([]);
    await pub.context.close();
  }, 120_000);
});
