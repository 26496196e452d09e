import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addAccount } from "../../src/server/modules/accounts/index.ts";
import { DB_KINDS } from "../helpers/app.ts";
import { eventually, type Harness, loginOk, PHONE, screenshot, startHarness } from "./harness.ts";

// 敲门行动 on the phone, offline: the demo grid worker opens their assignment, loses signal, records 20
// doors (answers, a notice handed over with a signature photo), reloads the page still without signal —
// the service worker serves the app, IndexedDB still holds the 20 — and when the signal returns exactly 20
// records arrive, once. The street's progress shows them. On PGlite, and on PostgreSQL when it is set.
// Then the rest of the desk on a desktop: an answer at the door proposes a care tag that the community
// confirms in the care ledger; the community rebalances a grid (a household dragged onto a colleague, three
// more ticked and moved together), and the colleague's phone lists exactly what was moved; a new campaign is
// launched on an uploaded list, its unmatched row shown with the reason.

describe.each(DB_KINDS)("door-to-door campaign on %s", (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind);
  });
  afterAll(async () => {
    await h?.close();
  });

  const q = <T>(sql: string, params: unknown[] = []) => h.t.ctx.database.query<T>(sql, params);
  const recordsOfDemoGrid = async () =>
    (
      await q<{ n: number }>(
        "select count(*)::int as n from campaign_records where member_id = (select id from accounts where username = 'demo-grid')",
      )
    )[0].n;

  it("records 20 households offline, survives a reload without signal, and syncs exactly 20", async () => {
    const [campaign] = await q<{ id: number }>("select id from campaigns order by id limit 1");
    const visitedBefore = (
      await q<{ n: number }>(
        "select coalesce(sum(visited), 0)::int as n from campaign_tallies where campaign_id = $1",
        [campaign.id],
      )
    )[0].n;
    expect(await recordsOfDemoGrid()).toBe(0);

    const s = await h.open({ viewport: PHONE });
    const { page, context } = s;
    await loginOk(page, "demo-grid");
    await page.goto("/campaigns/field");
    await page.getByRole("heading", { name: "入户登记" }).waitFor();
    // The service worker controls the page and keeps the shell and the assignment.
    await eventually(() => page.evaluate(() => !!navigator.serviceWorker.controller), {
      timeout: 30_000,
    }).toBe(true);
    await eventually(
      () =>
        page.evaluate(
          async () => !!(await caches.match("/api/campaigns/field")) && !!(await caches.match("/api/me")),
        ),
      { timeout: 30_000 },
    ).toBe(true);
    // Installable: the page links a manifest with its icons, and Chromium finds nothing against adding it
    // to the home screen (no missing manifest field, icon or service worker).
    const manifest = await page.evaluate(async () => {
      const href = document.querySelector('link[rel="manifest"]')?.getAttribute("href");
      return href ? (await fetch(href)).json() : null;
    });
    expect(manifest).toMatchObject({ name: "网格管家", display: "standalone", start_url: "/" });
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
    // (A test's browser context is incognito, where Chromium never installs: the one error it may name.)
    expect(installabilityErrors.filter((e) => e.errorId !== "in-incognito")).toEqual([]);
    await cdp.detach();
    await page.locator('[data-testid^="hh-"]').first().waitFor();
    await screenshot(page, "campaigns-field-phone", "入户登记");

    await context.setOffline(true);
    await eventually(() => page.getByTestId("net-state").textContent()).toBe("离线");
    const photo = await sharp({
      create: { width: 800, height: 600, channels: 3, background: { r: 200, g: 120, b: 40 } },
    })
      .jpeg()
      .toBuffer();
    for (let i = 0; i < 20; i++) {
      await page.locator('[data-testid^="hh-"]').first().click();
      const drawer = page.locator(".ant-drawer-open");
      await drawer
        .getByText("在家·已完成", { exact: true })
        .waitFor()
        .catch(async (e) => {
          await page.screenshot({ path: `test-results/screenshots/campaigns-fail-${i}.png` });
          throw e;
        });
      if (i % 5 === 4) {
        await drawer.getByText("不在家·需复访", { exact: true }).click();
      } else {
        await drawer.getByText("在家·已完成", { exact: true }).click();
        await drawer
          .getByTestId("q-present")
          .locator("input")
          .fill(String(1 + (i % 3)));
        if (i === 0) {
          await drawer.getByTestId("q-elderly").getByText("是", { exact: true }).click();
          await drawer.getByTestId("q-elderly_help").getByText("需要上门探访").click();
          await drawer.getByTestId("q-needs").getByText("配药送药").click();
        } else {
          await drawer.getByTestId("q-elderly").getByText("否", { exact: true }).click();
        }
      }
      if (i === 0) {
        await drawer.getByTestId("notice-switch").click();
        await drawer.getByPlaceholder("签收人（可选）").fill("王建国");
        await drawer
          .getByTestId("photo-notice")
          .setInputFiles({ name: "sign.jpg", mimeType: "image/jpeg", buffer: photo });
        await drawer.getByText("已添加照片").waitFor();
        await screenshot(page, "campaigns-field-record-phone", "入户登记");
      }
      await drawer.getByRole("button", { name: "保存登记" }).click();
      await eventually(() => page.getByTestId("pending-count").textContent()).toBe(`待同步 ${i + 1} 条`);
    }
    expect(await recordsOfDemoGrid()).toBe(0);
    await page.getByTestId("pending-count").click();
    await eventually(() => page.getByTestId("queued-record").count()).toBe(20);
    await screenshot(page, "campaigns-field-pending-phone", "入户登记");
    await page.keyboard.press("Escape");

    // Reload without signal: the page comes from the service worker, the queue from IndexedDB.
    const reload = await page.reload();
    expect(reload?.fromServiceWorker()).toBe(true);
    await page.getByRole("heading", { name: "入户登记" }).waitFor();
    await eventually(() => page.getByTestId("pending-count").textContent()).toBe("待同步 20 条");
    expect(await page.getByTestId("net-state").textContent()).toBe("离线");
    await screenshot(page, "campaigns-field-offline-reload-phone", "入户登记");
    expect(await recordsOfDemoGrid()).toBe(0);

    // Signal again: the queue goes out by itself, once.
    await context.setOffline(false);
    await eventually(() => page.getByTestId("pending-count").textContent(), { timeout: 40_000 }).toBe(
      "已全部同步",
    );
    expect(await recordsOfDemoGrid()).toBe(20);
    const [photos] = await q<{ n: number }>(
      "select count(*)::int as n from campaign_photos p join campaign_records r on r.id = p.record_id where r.member_id = (select id from accounts where username = 'demo-grid')",
    );
    expect(photos.n).toBe(1);
    const [notice] = await q<{ to: string; method: string; order: number | null }>(
      "select notice_to as to, notice_method as method, work_order_id as order from campaign_records where notice_method is not null and member_id = (select id from accounts where username = 'demo-grid')",
    );
    expect(notice).toMatchObject({ to: "王建国", method: "hand" });
    expect(notice.order).not.toBeNull();
    await screenshot(page, "campaigns-field-synced-phone", "入户登记");

    // The street sees it.
    const visitedAfter = (
      await q<{ n: number }>(
        "select coalesce(sum(visited), 0)::int as n from campaign_tallies where campaign_id = $1",
        [campaign.id],
      )
    )[0].n;
    expect(visitedAfter).toBe(visitedBefore + 20);
    const street = await h.open();
    await loginOk(street.page, "demo-street");
    await street.page.goto(`/campaigns?id=${campaign.id}`);
    await eventually(() => street.page.getByTestId("total-visited").textContent()).toBe(String(visitedAfter));
    await screenshot(street.page, "campaigns-desk", "敲门行动");
    await street.page.getByRole("button", { name: "苏阳社区", exact: true }).click();
    await street.page.getByRole("button", { name: "第1网格", exact: true }).click();
    await eventually(() => street.page.getByText("苏阳社区第1网格 网格员（演示）").count()).toBeGreaterThan(
      0,
    );
    await screenshot(street.page, "campaigns-desk-grid", "敲门行动");
    const phoneStreet = await h.open({ viewport: PHONE });
    await loginOk(phoneStreet.page, "demo-street");
    await phoneStreet.page.goto(`/campaigns?id=${campaign.id}`);
    await eventually(() => phoneStreet.page.getByTestId("total-visited").textContent()).toBe(
      String(visitedAfter),
    );
    await screenshot(phoneStreet.page, "campaigns-desk-phone", "敲门行动");
    expect([...s.errors, ...street.errors, ...phoneStreet.errors]).toEqual([]);
  }, 240_000);

  it("proposes a care tag from the phone, rebalances a grid by drag and by ticks, and launches on an uploaded list", async () => {
    const [campaign] = await q<{ id: number }>("select id from campaigns order by id limit 1");
    await addAccount(h.t.ctx.database, {
      username: "gw-colleague",
      displayName: "苏阳社区第1网格 网格员乙",
      role: "grid_worker",
      org: "320613019010-G01",
      password: "Demo@2026",
    });
    const idOf = async (u: string) =>
      (await q<{ id: number }>("select id from accounts where username = $1", [u]))[0].id;
    const demoGrid = await idOf("demo-grid");
    const colleague = await idOf("gw-colleague");
    const heldBy = async (m: number) =>
      (
        await q<{ id: number }>(
          "select household_id as id from campaign_households where campaign_id = $1 and member_id = $2 order by 1",
          [campaign.id, m],
        )
      ).map((r) => r.id);
    expect(await heldBy(colleague)).toEqual([]);

    // At the door (online): an old person living alone. The answer proposes 独居 to the care ledger.
    const phone = await h.open({ viewport: PHONE });
    await loginOk(phone.page, "demo-grid");
    await phone.page.goto("/campaigns/field");
    await phone.page.getByRole("heading", { name: "入户登记" }).waitFor();
    const first = phone.page.locator('[data-testid^="hh-"]').first();
    await first.waitFor();
    const hid = Number((await first.getAttribute("data-testid"))!.slice(3));
    await first.click();
    const drawer = phone.page.locator(".ant-drawer-open");
    await drawer.getByText("在家·已完成", { exact: true }).click();
    await drawer.getByTestId("q-present").locator("input").fill("1");
    await drawer.getByTestId("q-elderly").getByText("是", { exact: true }).click();
    await drawer.getByTestId("q-elderly_help").getByText("情况良好").click();
    await drawer.getByTestId("q-elderly_alone").getByText("是", { exact: true }).click();
    await screenshot(phone.page, "campaigns-field-alone-phone", "入户登记");
    await drawer.getByRole("button", { name: "保存登记" }).click();
    // Online, the record goes out at once; the proposal is made in the same request.
    const proposalOf = async () =>
      (
        await q<{ id: number; residents: number }>(
          `select p.id, (select count(*)::int from residents r where r.household_id = p.household_id) as residents
             from care_tag_proposals p where p.household_id = $1 and p.tag = 'living_alone' and p.state = 'proposed'`,
          [hid],
        )
      )[0];
    await eventually(proposalOf, { timeout: 30_000 }).toBeTruthy();
    const proposal = (await proposalOf())!;
    await eventually(() => phone.page.getByTestId("pending-count").textContent()).toBe("已全部同步");

    // The community confirms it in the care ledger (on the household's resident).
    const desk = await h.open();
    await loginOk(desk.page, "demo-community");
    await desk.page.goto("/care/ledger");
    const card = desk.page.getByTestId("tag-proposals");
    await card.getByTestId(`proposal-confirm-${proposal.id}`).waitFor();
    if (proposal.residents > 1) {
      await card.getByTestId(`proposal-resident-${proposal.id}`).click();
      await desk.page.locator(".ant-select-dropdown:visible .ant-select-item-option").first().click();
    }
    await screenshot(desk.page, "campaigns-care-proposal-desktop", /重点人群/);
    await card.getByTestId(`proposal-confirm-${proposal.id}`).click();
    await eventually(
      async () =>
        (
          await q<{ n: number }>(
            "select count(*)::int as n from residents where household_id = $1 and 'living_alone' = any(tags)",
            [hid],
          )
        )[0].n,
    ).toBeGreaterThan(0);

    // Rebalancing the grid on the desktop board.
    await desk.page.goto(`/campaigns?id=${campaign.id}`);
    await desk.page.getByRole("button", { name: "第1网格", exact: true }).click();
    const board = desk.page.getByTestId("assignment-board");
    await board.waitFor();
    const mine = board.getByTestId(`member-col-${demoGrid}`);
    const theirs = board.getByTestId(`member-col-${colleague}`);
    await theirs.waitFor();
    await eventually(() => board.getByTestId(`member-count-${colleague}`).textContent()).toBe("0 户");
    const before = await heldBy(demoGrid);
    const cards = mine.locator('[data-testid^="hh-"]');
    const cardId = async (i: number) => Number((await cards.nth(i).getAttribute("data-testid"))!.slice(3));
    const dragged = await cardId((await cards.count()) - 1);
    await mine.getByTestId(`hh-${dragged}`).dragTo(theirs);
    await eventually(() => board.getByTestId(`member-count-${colleague}`).textContent()).toBe("1 户");
    expect(await heldBy(colleague)).toEqual([dragged]);

    const ticked = [await cardId(0), await cardId(1), await cardId(2)];
    for (const t of ticked) await mine.getByTestId(`hh-${t}`).locator("input[type=checkbox]").check();
    await board.getByText("勾选的 3 户改派给").waitFor();
    await board.getByTestId("bulk-to").click();
    await desk.page
      .locator(".ant-select-dropdown:visible .ant-select-item-option")
      .filter({ hasText: "网格员乙" })
      .click();
    await eventually(() => board.getByTestId(`member-count-${colleague}`).textContent()).toBe("4 户");
    const moved = [dragged, ...ticked].sort((a, b) => a - b);
    expect(await heldBy(colleague)).toEqual(moved);
    expect(await heldBy(demoGrid)).toEqual(before.filter((x) => !moved.includes(x)));
    const [audits] = await q<{ n: number }>(
      "select count(*)::int as n from audit_events where action = 'reassign' and entity_id = $1",
      [String(campaign.id)],
    );
    expect(audits.n).toBe(2);
    await screenshot(desk.page, "campaigns-board-desktop", "敲门行动");

    // The colleague's phone lists exactly the four moved; the demo worker's no longer lists them.
    const other = await h.open({ viewport: PHONE });
    await loginOk(other.page, "gw-colleague");
    await other.page.goto("/campaigns/field");
    await other.page.getByRole("heading", { name: "入户登记" }).waitFor();
    // Three of the four were knocked on already (the walk above): the 全部 tab lists them all.
    await other.page.locator(".ant-segmented-item").filter({ hasText: "全部" }).click();
    await eventually(async () =>
      (
        await other.page
          .locator('[data-testid^="hh-"]')
          .evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-testid")!.slice(3))))
      ).sort((a, b) => a - b),
    ).toEqual(moved);
    await screenshot(other.page, "campaigns-field-rebalanced-phone", "入户登记");
    await phone.page.reload();
    await phone.page.getByText(`共 ${before.length - moved.length} 户`).waitFor();
    for (const m of moved) expect(await phone.page.getByTestId(`hh-${m}`).count()).toBe(0);

    // A campaign on an uploaded list: two households found by address, one row that matches nothing.
    const addresses = await q<{ address: string }>(
      `select h.address from households h where h.org_path like '%320613019010-G01/%'
          and (select count(*) from households x where x.address = h.address) = 1 order by h.id limit 2`,
    );
    const csv = [
      "住址,备注",
      ...addresses.map((a) => `${a.address},`),
      "崇川区不存在路 999 号,查无此址",
    ].join("\n");
    await desk.page.getByRole("button", { name: "发起行动" }).click();
    const modal = desk.page.getByRole("dialog", { name: "发起行动" });
    await modal.getByLabel("行动名称").fill("名单敲门（上传）");
    await modal.getByText("上传的住户名单", { exact: true }).click();
    await modal
      .locator("input[type=file]")
      .setInputFiles({ name: "名单.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await eventually(() => modal.getByTestId("upload-summary").textContent()).toBe(
      "名单.csv：共 3 行，匹配 2 户，未匹配 1 行",
    );
    await modal.getByTestId("upload-unmatched").getByText("第 4 行").waitFor();
    await modal.getByLabel("覆盖网格").click();
    await desk.page.locator(".ant-select-dropdown:visible").getByText("全选").click();
    await modal.getByText("发起单位", { exact: true }).click();
    await desk.page.locator(".ant-select-dropdown:visible").waitFor({ state: "detached" });
    await screenshot(desk.page, "campaigns-upload-desktop", "敲门行动");
    await modal
      .getByRole("button", { name: "发 起" })
      .or(modal.getByRole("button", { name: "发起" }))
      .click();
    await desk.page.getByText("已发起，分配住户 2 户").waitFor();
    const [launched] = await q<{ id: number; n: number }>(
      `select c.id, (select count(*)::int from campaign_households ch where ch.campaign_id = c.id) as n
         from campaigns c where c.name = '名单敲门（上传）'`,
    );
    expect(launched.n).toBe(2);
    expect([...phone.errors, ...desk.errors, ...other.errors]).toEqual([]);
  }, 240_000);
});
