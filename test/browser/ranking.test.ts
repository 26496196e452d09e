import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type Harness, loginOk, PHONE, screenshot, startHarness } from "./harness.ts";

// The red/black list as a street commander meets it: the list rules (a minimum of 6 ranked communities, at
// most a third per list, a tie at the cut left off whole) visible and explained, and the weights read-only
// below the district.

let h: Harness;
let communities: { code: string; name: string; path: string }[];

/** A month's figures for a community: 10 orders accepted on time, `satisfied` of 10 callbacks happy. */
async function figures(day: string, path: string, satisfied: number) {
  await h.t.ctx.database.query(
    `insert into rate_counts_daily (day, org_path, dispatched, accepted_on_time, rated_callbacks, rated_satisfied)
     values ($1::date, $2, 10, 10, 10, $3)`,
    [day, path, satisfied],
  );
}

// Scores of 秦灶街道's ten communities in March 2025: three share third place, so the red list's cut (a
// third of ten = 3) would split them; all three stay off, and the red list shows two.
const MARCH = [10, 9, 8, 8, 8, 7, 6, 5, 4, 3];

beforeAll(async () => {
  h = await startHarness();
  communities = await h.t.ctx.database.query(
    "select code, name, path from org_units where kind = 'community' and code like '320613019%' order by code",
  );
  expect(communities).toHaveLength(10);
  for (const [i, c] of communities.entries()) await figures("2025-03-10", c.path, MARCH[i]);
  // April: only three communities had orders — too few for a list.
  for (const c of communities.slice(0, 3)) await figures("2025-04-10", c.path, 7);
});

afterAll(async () => {
  await h?.close();
});

const rows = (s: Awaited<ReturnType<Harness["open"]>>, id: string) =>
  s.page.getByTestId(id).locator(".ant-table-tbody tr.ant-table-row");

describe("红黑榜 in the browser", () => {
  it("a street commander sees whole ties left off, read-only weights, and why a month has no list", async () => {
    const s = await h.open();
    await loginOk(s.page, "demo-street");
    await s.page.goto("/rates/ranking?month=2025-03");
    await eventually(() => rows(s, "red-list").count()).toBe(2);
    expect(await rows(s, "red-list").allTextContents()).toEqual([
      expect.stringContaining(communities[0].name),
      expect.stringContaining(communities[1].name),
    ]);
    const tied = communities.slice(2, 5).map((c) => c.name);
    const listed = [
      ...(await rows(s, "red-list").allTextContents()),
      ...(await rows(s, "black-list").allTextContents()),
    ].join("|");
    for (const name of tied) expect(listed).not.toContain(name);
    expect(await s.page.getByTestId("ranking-tie-note").first().textContent()).toContain("并列的整组不上榜");
    // Worst first, three of ten.
    expect(await rows(s, "black-list").count()).toBe(3);
    expect(await rows(s, "black-list").first().textContent()).toContain(communities[9].name);
    expect(await s.page.getByTestId("full-ranking").locator("tr.ant-table-row").count()).toBe(10);
    // Weights: read, not changed, below the district.
    expect(await s.page.getByRole("button", { name: "调整权重" }).count()).toBe(0);
    expect(await s.page.getByTestId("weights-district-only").textContent()).toBe("权重由区级统一设置");
    await screenshot(s.page, "ranking-rules", "红黑榜");

    await s.page.goto("/rates/ranking?month=2025-04");
    await eventually(() => s.page.getByTestId("ranking-no-list").textContent()).toContain(
      "只有 3 个，不足 6 个，不设红黑榜",
    );
    expect(await rows(s, "red-list").count()).toBe(0);
    expect(await rows(s, "black-list").count()).toBe(0);
    await screenshot(s.page, "ranking-too-few", "红黑榜");
    // The same month over the street's grids: each named with its community.
    await s.page.goto("/rates/ranking?month=2025-03");
    await eventually(() => rows(s, "red-list").count()).toBe(2);
    await s.page.getByTestId("ranking-level").getByText("网格", { exact: true }).click();
    await eventually(() =>
      s.page.getByTestId("full-ranking").locator("tr.ant-table-row").count(),
    ).toBeGreaterThan(10);
    expect(
      await s.page.getByTestId("full-ranking").locator("tr.ant-table-row").first().textContent(),
    ).toMatch(/社区·第\d+网格/);
    expect(new URL(s.page.url()).searchParams.get("level")).toBe("grid");
    await screenshot(s.page, "ranking-grids", "红黑榜");
    expect(s.errors).toEqual([]);
    await s.context.close();
  });

  it("on a phone, and the district commander may edit the weights", async () => {
    const s = await h.open({ viewport: PHONE });
    await loginOk(s.page, "demo-commander");
    await s.page.goto("/rates/ranking?month=2025-03");
    await eventually(() => rows(s, "red-list").count()).toBe(2);
    expect(await s.page.getByRole("button", { name: "调整权重" }).count()).toBe(1);
    await screenshot(s.page, "ranking-rules-phone", "红黑榜");
    expect(s.errors).toEqual([]);
    await s.context.close();
  });
});
