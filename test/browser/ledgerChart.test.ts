import type { Page, Route } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type Harness, loginOk, PHONE, screenshot, startHarness } from "./harness.ts";

// The care ledger's chart stays readable with a district's ~900 grids: the bars are sorted by key residents,
// 30 in view on a desktop (12 on a phone) and the rest a scroll away, instead of 900 names smeared on one
// axis. The summary is answered with 908 grids for the page, as the district's would be.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

const TAGS = ["living_alone", "empty_nest", "elderly_80", "disabled", "chronic"];

/** The real summary, its items replaced by 908 grids named as the district's are (社区·第N网格). */
async function manyGrids(page: Page) {
  await page.route("**/api/care/ledger/summary**", async (route: Route) => {
    const real = await (await route.fetch()).json();
    const items = Array.from({ length: 908 }, (_, i) => {
      const counts = Object.fromEntries(TAGS.map((t, k) => [t, (i * 7 + k * 13) % 40]));
      const keyResidents = Object.values(counts).reduce((a, b) => a + b, 0);
      return {
        orgUnitId: 100_000 + i,
        code: `3206130${String(100 + Math.floor(i / 5)).padStart(5, "0")}-G0${(i % 5) + 1}`,
        name: `第${Math.floor(i / 5) + 1}社区·第${(i % 5) + 1}网格`,
        keyResidents,
        notVisitedWeek: i % 9,
        counts,
      };
    });
    await route.fulfill({ json: { ...real, items } });
  });
}

describe("the care ledger chart with 908 grids", () => {
  for (const [label, viewport, inView] of [
    ["desktop", undefined, "30"],
    ["phone", PHONE, "12"],
  ] as const) {
    it(`keeps ${inView} bars in view on a ${label}, the busiest first, the rest a scroll away`, async () => {
      const { page, context, errors } = await h.open(viewport ? { viewport } : {});
      await loginOk(page, "demo-commander");
      await manyGrids(page);
      await page.goto("/care/ledger");
      const chart = page.getByRole("img", { name: "各网格重点人群分类统计" });
      await eventually(() => chart.locator("canvas").count()).toBeGreaterThan(0);
      expect(await chart.getAttribute("data-bars")).toBe("908");
      expect(await chart.getAttribute("data-in-view")).toBe(inView);
      expect(await page.getByTestId("ledger-chart-scroll").textContent()).toBe(
        `共 908 个网格，按重点人群数从多到少排列，图中显示 ${inView} 个；拖动滑块或滚动查看其余`,
      );
      const box = await chart.locator("canvas").first().boundingBox();
      expect(box!.height).toBeLessThan(800);
      await screenshot(page, `ledger-908-grids-${label}`, "重点人群台账");
      expect(errors).toEqual([]);
      await context.close();
    });
  }
});
