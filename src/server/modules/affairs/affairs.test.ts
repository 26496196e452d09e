import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type Headers, type TestApp } from "../../../../test/helpers/app.ts";
import { composeCreditCode } from "../../../domain/affairs/creditCode.ts";

const PNG_1x1 = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

describe.each(DB_KINDS)("community affairs on %s", (kind) => {
  let t: TestApp;
  let community: Headers;
  let grid: Headers;
  let street: Headers;
  let commander: Headers;
  let communityId: number;
  let gridId: number;
  let awayGridId: number;
  const get = (url: string, h?: Headers) => t.app.inject({ url, headers: h });
  const post = (url: string, h: Headers | undefined, payload: object = {}) =>
    t.app.inject({ method: "POST", url, headers: h, payload });
  const ok = async (p: Promise<{ statusCode: number; body: string; json(): any }>, status = 200) => {
    const r = await p;
    expect(r.statusCode, r.body).toBe(status);
    return r.json();
  };
  const lastCode = async () => {
    const [n] = await t.ctx.database.query<{ body: string }>(
      "select body from notifications where kind = 'affairs.rating_code' order by id desc limit 1",
    );
    return /(\d{6})/.exec(n.body)![1];
  };
  const passFor = async (phone: string) => {
    await ok(post("/api/public/affairs/codes", undefined, { phone }), 202);
    const code = await lastCode();
    const wrong = await post("/api/public/affairs/codes/verify", undefined, {
      phone,
      code: code === "000000" ? "111111" : "000000",
    });
    expect(wrong.statusCode).toBe(400);
    return (await ok(post("/api/public/affairs/codes/verify", undefined, { phone, code }))).pass as string;
  };

  beforeAll(async () => {
    t = await createTestApp(kind);
    [community, grid, street, commander] = await Promise.all([
      t.login("demo-community"),
      t.login("demo-grid"),
      t.login("demo-street"),
      t.login("demo-commander"),
    ]);
    const ids = await t.ctx.database.query<{ id: number; code: string }>(
      "select id, code from org_units where code in ('320613019010', '320613019010-G01', '320613001001-G01')",
    );
    communityId = ids.find((u) => u.code === "320613019010")!.id;
    gridId = ids.find((u) => u.code === "320613019010-G01")!.id;
    awayGridId = ids.find((u) => u.code === "320613001001-G01")!.id;
  });
  afterAll(() => t?.close());

  it("rating codes are the platform's one-time codes: five wrong guesses lock the phone out, 429 with Retry-After", async () => {
    const phone = "13962907777";
    await ok(post("/api/public/affairs/codes", undefined, { phone }), 202);
    const code = await lastCode();
    const wrongCode = code === "000000" ? "111111" : "000000";
    const tries: number[] = [];
    for (let i = 0; i < 5; i++)
      tries.push(
        (await post("/api/public/affairs/codes/verify", undefined, { phone, code: wrongCode })).statusCode,
      );
    expect(tries).toEqual([400, 400, 400, 400, 429]);
    const locked = await post("/api/public/affairs/codes/verify", undefined, { phone, code });
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers["retry-after"])).toBeGreaterThan(0);
    const [row] = await t.ctx.database.query<{ n: number }>(
      "select count(*)::int as n from one_time_codes where purpose = 'project_rating' and phone_hash = $1",
      [t.ctx.crypto.hash(phone)],
    );
    expect(row.n).toBe(0);
  });

  it("a proposal becomes a published project with progress photos, rated once per phone", async () => {
    const prop = await ok(
      post("/api/affairs/proposals", grid, {
        orgUnitId: gridId,
        source: "grid_visit",
        title: "小区加装充电棚",
        detail: "走访中居民提出",
      }),
      201,
    );
    const project = {
      orgUnitId: communityId,
      quarter: "2026Q4",
      title: "小区加装充电棚",
      budget: 180000,
      owner: "社区居委会",
      deadline: "2026-12-31",
      milestones: [{ title: "选址公示", due: "2026-12-10" }],
    };
    const adopted = await ok(
      post(`/api/affairs/proposals/${prop.id}/decision`, community, { decision: "adopt", project }),
    );
    expect(adopted.state).toBe("adopted");
    const again = await post(`/api/affairs/proposals/${prop.id}/decision`, community, {
      decision: "decline",
    });
    expect(again.statusCode).toBe(409);
    const pid = adopted.projectId as number;
    // Not public while a draft.
    const draftPublic = await ok(get(`/api/public/affairs/projects?unit=${communityId}&quarter=2026Q4`));
    expect(draftPublic.items.some((p: any) => p.id === pid)).toBe(false);
    expect(
      (await post(`/api/affairs/projects/${pid}/updates`, community, { note: "进场", progress: 10 }))
        .statusCode,
    ).toBe(409);
    await ok(post(`/api/affairs/projects/${pid}/publish`, community));
    const up = await ok(
      post(`/api/affairs/projects/${pid}/updates`, community, {
        note: "已选址，张女士家 3幢502室门口，电话13962909999",
        progress: 60,
      }),
      201,
    );
    const photo = await ok(
      t.app.inject({
        method: "POST",
        url: `/api/affairs/project-updates/${up.id}/photos`,
        headers: { ...community, "content-type": "image/png" },
        payload: PNG_1x1,
      }),
      201,
    );
    const list = await ok(get(`/api/public/affairs/projects?unit=${communityId}&quarter=2026Q4`));
    const mine = list.items.find((p: any) => p.id === pid);
    expect(mine.progress).toBe(60);
    expect(mine.updates[0].photoIds).toEqual([photo.id]);
    const img = await get(`/api/public/affairs/photos/${photo.id}`);
    expect(img.statusCode).toBe(200);
    expect(img.headers["content-type"]).toBe("image/png");

    // 评单: verified phone, once per project.
    const pass = await passFor("13962901234");
    await ok(
      post(`/api/public/affairs/projects/${pid}/ratings`, undefined, { pass, satisfaction: "satisfied" }),
      201,
    );
    const twice = await post(`/api/public/affairs/projects/${pid}/ratings`, undefined, {
      pass,
      satisfaction: "unsatisfied",
    });
    expect(twice.statusCode).toBe(409);
    // A second code for the same phone does not help.
    await t.ctx.database.query("delete from failure_counts where key like 'otc-project-rating:gap:%'");
    const pass2 = await passFor("13962901234");
    expect(
      (
        await post(`/api/public/affairs/projects/${pid}/ratings`, undefined, {
          pass: pass2,
          satisfaction: "satisfied",
        })
      ).statusCode,
    ).toBe(409);
    const other = await passFor("13962905678");
    const r = await ok(
      post(`/api/public/affairs/projects/${pid}/ratings`, undefined, {
        pass: other,
        satisfaction: "basically_satisfied",
      }),
      201,
    );
    expect(r.tally).toMatchObject({ rated: 2, rate: 1 });
    const bad = await post(`/api/public/affairs/projects/${pid}/ratings`, undefined, {
      pass: "x".repeat(32),
      satisfaction: "satisfied",
    });
    expect(bad.statusCode).toBe(400);
    // The public list holds no phone and no name.
    const text = JSON.stringify(
      await ok(get(`/api/public/affairs/projects?unit=${communityId}&quarter=2026Q4`)),
    );
    expect(text).not.toContain("13962901234");
    expect(text).not.toContain("张女士");
    expect(text).not.toContain("502室");
    expect(text).not.toContain("13962909999");
    const sat = await ok(get("/api/affairs/satisfaction?quarter=2026Q4", community));
    expect(sat.items.find((u: any) => u.orgUnitId === communityId).tally.rated).toBeGreaterThanOrEqual(2);
    // Archive: quarters of the list.
    expect(list.quarters).toContain("2026Q4");
  });

  it("closing a quarter archives its list: read-only, ratings closed, in the public archive with its satisfaction", async () => {
    const quarter = "2026Q2";
    const base = {
      orgUnitId: communityId,
      quarter,
      budget: 50000,
      owner: "社区居委会",
      deadline: "2026-06-30",
      milestones: [],
    };
    const a = await ok(post("/api/affairs/projects", community, { ...base, title: "路灯更换" }), 201);
    const b = await ok(post("/api/affairs/projects", community, { ...base, title: "绿化补植" }), 201);
    await ok(post(`/api/affairs/projects/${a.id}/publish`, community));
    await ok(post(`/api/affairs/projects/${b.id}/publish`, community));
    const up = await ok(
      post(`/api/affairs/projects/${a.id}/updates`, community, { note: "全部更换", progress: 100 }),
      201,
    );
    const pass = await passFor("13962908888");
    await ok(
      post(`/api/public/affairs/projects/${a.id}/ratings`, undefined, { pass, satisfaction: "satisfied" }),
      201,
    );
    expect((await ok(get(`/api/public/affairs/archive?unit=${communityId}`))).items).toEqual([]);
    // Grid staff may not close; a quarter not yet begun cannot be closed.
    expect(
      (await post("/api/affairs/quarters/close", grid, { orgUnitId: communityId, quarter })).statusCode,
    ).toBe(403);
    expect(
      (await post("/api/affairs/quarters/close", community, { orgUnitId: communityId, quarter: "2099Q1" }))
        .statusCode,
    ).toBe(400);
    const closed = await ok(
      post("/api/affairs/quarters/close", community, { orgUnitId: communityId, quarter }),
    );
    expect(closed.quarter).toBe(quarter);
    expect(
      (await post("/api/affairs/quarters/close", community, { orgUnitId: communityId, quarter })).statusCode,
    ).toBe(409);
    // Read-only now: no progress, no photo, no new project in it, no rating.
    expect(
      (await post(`/api/affairs/projects/${b.id}/updates`, community, { note: "进场", progress: 20 }))
        .statusCode,
    ).toBe(409);
    expect(
      (
        await t.app.inject({
          method: "POST",
          url: `/api/affairs/project-updates/${up.id}/photos`,
          headers: { ...community, "content-type": "image/png" },
          payload: PNG_1x1,
        })
      ).statusCode,
    ).toBe(409);
    expect((await post("/api/affairs/projects", community, { ...base, title: "补一个" })).statusCode).toBe(
      409,
    );
    const late = await post(`/api/public/affairs/projects/${b.id}/ratings`, undefined, {
      pass,
      satisfaction: "unsatisfied",
    });
    expect(late.statusCode).toBe(409);
    const [n] = await t.ctx.database.query<{ n: number }>(
      "select count(*)::int as n from practical_projects where org_unit_id = $1 and quarter = $2",
      [communityId, quarter],
    );
    expect(n.n).toBe(2);
    // The public list says so, and the archive lists the quarter with its satisfaction.
    const list = await ok(get(`/api/public/affairs/projects?unit=${communityId}&quarter=${quarter}`));
    expect(list.closedAt).toBeTruthy();
    const archive = await ok(get(`/api/public/affairs/archive?unit=${communityId}`));
    expect(archive.items).toEqual([
      expect.objectContaining({
        quarter,
        projects: 2,
        done: 1,
        tally: expect.objectContaining({ rated: 1, rate: 1 }),
      }),
    ]);
    const staff = await ok(get("/api/affairs/quarters", community));
    expect(
      staff.items.find((q: any) => q.quarter === quarter && q.orgUnitId === communityId).closedAt,
    ).toBeTruthy();
    const projects = await ok(get(`/api/affairs/projects?quarter=${quarter}`, community));
    expect(projects.items.every((p: any) => p.closed)).toBe(true);
  });

  it("a deliberation's actions become a work order and a project; votes are one per household in the community", async () => {
    const d = await ok(
      post("/api/affairs/deliberations", grid, {
        orgUnitId: gridId,
        title: "幸福路停车难",
        background: "夜间乱停车占用消防通道",
        source: "hot_spot",
      }),
      201,
    );
    await ok(
      post(`/api/affairs/deliberations/${d.id}/meeting`, community, {
        meetingAt: new Date().toISOString(),
        place: "社区议事厅",
        parties: [
          { kind: "resident_rep", name: "李四", present: true },
          { kind: "property", name: "物业", present: true },
          { kind: "department", name: "交警中队", present: false },
        ],
        agenda: "停车方案",
        minutes: "各方同意划线",
        vote: { question: "是否同意划设夜间停车位", options: ["同意", "不同意"] },
      }),
    );
    const [h] = await t.ctx.database.query<{ id: number }>(
      "select id from households where org_path like '%/320613019010-G01/%' order by id limit 1",
    );
    const [away] = await t.ctx.database.query<{ id: number }>(
      "select id from households where org_path not like '%/320613019010/%' order by id limit 1",
    );
    await ok(
      post(`/api/affairs/deliberations/${d.id}/votes`, grid, { householdId: h.id, option: "同意" }),
      201,
    );
    expect(
      (await post(`/api/affairs/deliberations/${d.id}/votes`, grid, { householdId: h.id, option: "不同意" }))
        .statusCode,
    ).toBe(409);
    if (away)
      expect(
        (
          await post(`/api/affairs/deliberations/${d.id}/votes`, commander, {
            householdId: away.id,
            option: "同意",
          })
        ).statusCode,
      ).toBe(404);
    const dec = await ok(
      post(`/api/affairs/deliberations/${d.id}/decision`, community, {
        decision: "划设夜间停车位，清理占道车辆",
        actions: [
          {
            title: "清理占道僵尸车",
            owner: "城管中队",
            due: "2026-12-20",
            carriedBy: "work_order",
            categoryCode: "parking_illegal",
          },
          {
            title: "划设夜间停车位",
            owner: "社区居委会",
            due: "2026-12-31",
            carriedBy: "project",
            budget: 30000,
          },
        ],
      }),
    );
    expect(dec.actions[0].workOrderId).toBeTypeOf("number");
    expect(dec.actions[1].projectId).toBeTypeOf("number");
    const summary = await ok(get(`/api/public/affairs/deliberations/${d.id}`));
    expect(summary.actions.map((a: any) => a.status)).toEqual(["in_progress", "open"]);
    expect(summary.votes).toEqual([
      { option: "同意", votes: 1 },
      { option: "不同意", votes: 0 },
    ]);
    expect(JSON.stringify(summary)).not.toContain("李四");
    // The project done → the action done.
    const pid = dec.actions[1].projectId;
    await ok(post(`/api/affairs/projects/${pid}/publish`, community));
    await ok(
      post(`/api/affairs/projects/${pid}/updates`, community, { note: "划线完成", progress: 100 }),
      201,
    );
    const after = await ok(get(`/api/public/affairs/deliberations/${d.id}`));
    expect(after.actions[1].status).toBe("done");
    const detail = await ok(get(`/api/affairs/deliberations/${d.id}`, community));
    expect(detail.actions[0].workOrderNumber).toBeTruthy();
  });

  it("a resident votes on the public page with a verified phone: once per household (409), outside the community 404", async () => {
    const d = await ok(
      post("/api/affairs/deliberations", grid, {
        orgUnitId: gridId,
        title: "楼道加装扶手",
        background: "老人上下楼不便",
        source: "resident",
      }),
      201,
    );
    const summary0 = await ok(get(`/api/public/affairs/deliberations/${d.id}`));
    expect(summary0.voteOpen).toBe(false);
    await ok(
      post(`/api/affairs/deliberations/${d.id}/meeting`, community, {
        meetingAt: new Date().toISOString(),
        place: "社区议事厅",
        parties: [{ kind: "resident_rep", name: "王五", present: true }],
        agenda: "扶手方案",
        minutes: "提请居民投票",
        vote: { question: "是否同意加装扶手", options: ["同意", "不同意"] },
      }),
    );
    // Two residents of one household here (different phones), and one resident of another community.
    const [a, b] = await t.ctx.database.query<{ phoneCipher: string; householdId: number }>(
      `select r.phone_cipher as "phoneCipher", r.household_id as "householdId" from residents r
       where r.household_id = (select household_id from residents where org_path like '%/320613019010/%'
         and household_id is not null group by household_id having count(distinct phone_hash) >= 2 order by household_id limit 1)
       order by r.id limit 2`,
    );
    const votePass = async (phone: string) => {
      await ok(post("/api/public/affairs/codes", undefined, { phone, purpose: "deliberation_vote" }), 202);
      const [n] = await t.ctx.database.query<{ body: string }>(
        "select body from notifications where kind = 'affairs.vote_code' order by id desc limit 1",
      );
      const code = /(\d{6})/.exec(n.body)![1];
      // A rating pass is not a vote pass: each purpose has its own code.
      const asRating = await post("/api/public/affairs/codes/verify", undefined, { phone, code });
      expect(asRating.statusCode).toBe(400);
      return (
        await ok(
          post("/api/public/affairs/codes/verify", undefined, { phone, code, purpose: "deliberation_vote" }),
        )
      ).pass as string;
    };
    const vote = (pass: string, option: string) =>
      post(`/api/public/affairs/deliberations/${d.id}/votes`, undefined, { pass, option });
    const p1 = await votePass(t.ctx.crypto.decrypt(a.phoneCipher));
    expect((await vote(p1, "弃权")).statusCode).toBe(400);
    const first = await ok(vote(p1, "同意"), 201);
    expect(first.votes).toEqual([
      { option: "同意", votes: 1 },
      { option: "不同意", votes: 0 },
    ]);
    expect((await vote(p1, "不同意")).statusCode).toBe(409);
    // Another phone of the same household: still one vote per household.
    const p2 = await votePass(t.ctx.crypto.decrypt(b.phoneCipher));
    expect((await vote(p2, "不同意")).statusCode).toBe(409);
    // Staff recording the same household at the desk: 409 too.
    expect(
      (
        await post(`/api/affairs/deliberations/${d.id}/votes`, grid, {
          householdId: a.householdId,
          option: "同意",
        })
      ).statusCode,
    ).toBe(409);
    // A topic of another community: this household's phone is outside it (404); a phone registered nowhere too.
    const there = await ok(
      post("/api/affairs/deliberations", commander, {
        orgUnitId: awayGridId,
        title: "另一社区的议题",
        background: "路灯不亮",
        source: "resident",
      }),
      201,
    );
    await ok(
      post(`/api/affairs/deliberations/${there.id}/meeting`, commander, {
        meetingAt: new Date().toISOString(),
        place: "议事厅",
        parties: [{ kind: "resident_rep", name: "居民代表", present: true }],
        agenda: "路灯",
        minutes: "投票",
        vote: { question: "是否更换路灯", options: ["同意", "不同意"] },
      }),
    );
    // (A second code to the same phone within a minute would be refused: let the minute pass.)
    await t.ctx.database.query("delete from failure_counts where key like 'otc-deliberation-vote:gap:%'");
    const p3 = await votePass(t.ctx.crypto.decrypt(b.phoneCipher));
    expect(
      (
        await post(`/api/public/affairs/deliberations/${there.id}/votes`, undefined, {
          pass: p3,
          option: "同意",
        })
      ).statusCode,
    ).toBe(404);
    const p4 = await votePass("13800009999");
    expect((await vote(p4, "同意")).statusCode).toBe(404);
    expect((await vote("y".repeat(32), "同意")).statusCode).toBe(400);
    const summary = await ok(get(`/api/public/affairs/deliberations/${d.id}`));
    expect(summary.voteOpen).toBe(true);
    expect(summary.votes).toEqual([
      { option: "同意", votes: 1 },
      { option: "不同意", votes: 0 },
    ]);
    const [n] = await t.ctx.database.query<{ n: number }>(
      "select count(*)::int as n from deliberation_votes where deliberation_id = $1",
      [d.id],
    );
    expect(n.n).toBe(1);
  });

  it("key projects: weights must sum to 100; a passed milestone puts the project behind; weekly export", async () => {
    const body = {
      orgUnitId: communityId,
      name: "社区综合服务中心改造",
      owner: "街道城建办",
      budget: 3000000,
      startsOn: "2026-01-01",
      endsOn: "2026-12-31",
      milestones: [
        { title: "设计", weight: 20, due: "2026-02-01" },
        { title: "施工", weight: 50, due: "2026-06-01" },
        { title: "验收", weight: 20, due: "2026-12-31" },
      ],
    };
    const bad = await post("/api/affairs/key-projects", community, body);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain("100%");
    body.milestones[2].weight = 30;
    const k = await ok(post("/api/affairs/key-projects", community, body), 201);
    const detail = await ok(get(`/api/affairs/key-projects/${k.id}`, community));
    expect(detail.behind).toBe(true);
    expect(detail.delayDays).toBeGreaterThan(100);
    const rep = await ok(
      post(`/api/affairs/key-projects/${k.id}/reports`, community, {
        note: "设计完成",
        milestoneId: detail.milestones[0].id,
        met: true,
      }),
      201,
    );
    await ok(
      t.app.inject({
        method: "POST",
        url: `/api/affairs/key-project-reports/${rep.id}/photos`,
        headers: { ...community, "content-type": "image/png" },
        payload: PNG_1x1,
      }),
      201,
    );
    const board = await ok(get("/api/affairs/key-projects", commander));
    const delays = board.items.map((b: any) => b.delayDays);
    expect(delays).toEqual([...delays].sort((a: number, b: number) => b - a));
    expect(board.items.find((b: any) => b.id === k.id).actual).toBe(20);
    const x = await get("/api/affairs/key-projects/export?week=2026-11-30", street);
    expect(x.statusCode).toBe(200);
    expect(x.headers["content-type"]).toContain("spreadsheetml");
  });

  it("enterprise inspection: credit code check, campaign, failed item → rectification → re-inspection; others 404", async () => {
    const code = composeCreditCode("91320613MA1X0Y2Z3".replace(/Z/g, "0"));
    const wrong = code.slice(0, 17) + (code[17] === "0" ? "1" : "0");
    const bad = await post("/api/affairs/enterprises", community, {
      orgUnitId: gridId,
      name: "南通测试纺织有限公司",
      creditCode: wrong,
      address: "秦灶路1号",
      contactName: "王经理",
      contactPhone: "13962900001",
      industry: "制造业",
      size: "small",
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain("校验位");
    const e = await ok(
      post("/api/affairs/enterprises", community, {
        orgUnitId: gridId,
        name: "南通测试纺织有限公司",
        creditCode: code,
        address: "秦灶路1号",
        contactName: "王经理",
        contactPhone: "13962900001",
        industry: "制造业",
        size: "small",
      }),
      201,
    );
    const outside = await post("/api/affairs/enterprises", community, {
      orgUnitId: awayGridId,
      name: "外部企业",
      creditCode: composeCreditCode("91320613MA1X0Y2Q1"),
      address: "外面",
      contactName: "赵",
      contactPhone: "13962900002",
      industry: "制造业",
      size: "small",
    });
    expect(outside.statusCode).toBe(400);
    const list = await ok(get(`/api/affairs/enterprises?q=${encodeURIComponent("测试纺织")}`, community));
    expect(list.items[0].contactPhone).toBe("139****0001");
    const templates = await ok(get("/api/affairs/checklists", community));
    const five = templates.items.find((x: any) => x.name.includes("五有"));
    expect(five.items).toHaveLength(5);
    const [me] = await t.ctx.database.query<{ id: number }>(
      "select id from accounts where username = 'demo-grid'",
    );
    const c = await ok(
      post("/api/affairs/campaigns", community, {
        orgUnitId: communityId,
        name: "五有检查（测试）",
        templateId: five.id,
        startsOn: "2026-11-01",
        endsOn: "2026-12-31",
        assignments: [{ enterpriseId: e.id, inspectorId: me.id }],
      }),
      201,
    );
    const mine = await ok(get("/api/affairs/inspections/mine", grid));
    expect(mine.items.some((a: any) => a.enterpriseId === e.id && a.inspectionId === null)).toBe(true);
    const results = five.items.map((i: any, n: number) =>
      n === 2 ? { code: i.code, passed: false, finding: "口罩储备不足" } : { code: i.code, passed: true },
    );
    // Not the inspector's assignment: 404.
    const [other] = await t.ctx.database.query<{ id: number }>(
      "select id from enterprises where id <> $1 order by id limit 1",
      [e.id],
    );
    expect(
      (await post("/api/affairs/inspections", grid, { campaignId: c.id, enterpriseId: other.id, results }))
        .statusCode,
    ).toBe(404);
    expect(
      (await post("/api/affairs/inspections", community, { campaignId: c.id, enterpriseId: e.id, results }))
        .statusCode,
    ).toBe(404);
    const ins = await ok(
      post("/api/affairs/inspections", grid, { campaignId: c.id, enterpriseId: e.id, results }),
      201,
    );
    expect(ins.failed).toBe(1);
    await ok(
      t.app.inject({
        method: "POST",
        url: `/api/affairs/inspections/${ins.id}/photos`,
        headers: { ...grid, "content-type": "image/png" },
        payload: PNG_1x1,
      }),
      201,
    );
    const rid = ins.rectifications[0];
    expect(
      (await post(`/api/affairs/rectifications/${rid}/escalation`, community, { note: "未到期" })).statusCode,
    ).toBe(409);
    await t.ctx.database.query("update rectifications set deadline = '2026-01-01' where id = $1", [rid]);
    const esc = await ok(
      post(`/api/affairs/rectifications/${rid}/escalation`, community, { note: "逾期未整改" }),
    );
    expect(esc.enforcement).toBe("active");
    expect(
      (await post(`/api/affairs/rectifications/${rid}/release`, community, { note: "先解除" })).statusCode,
    ).toBe(409);
    const re = await ok(post(`/api/affairs/rectifications/${rid}/reinspection`, grid, { passed: true }));
    expect(re.state).toBe("closed");
    const rel = await ok(
      post(`/api/affairs/rectifications/${rid}/release`, community, { note: "已整改，信用修复" }),
    );
    expect(rel.enforcement).toBe("released");
    const sum = await ok(get("/api/affairs/inspections/summary", commander));
    expect(sum.items.length).toBeGreaterThan(0);
    expect(sum.items[0]).toHaveProperty("failedItems");
    // The summary equals counts made in plain code from the year's inspections under the commander's unit,
    // keyed as the route keys them (streets for the district, the unit itself below that).
    const [cmd] = await t.ctx.database.query<{ path: string }>(
      "select u.path from accounts a join org_units u on u.id = a.org_unit_id where a.username = 'demo-commander'",
    );
    const year = new Date().toLocaleDateString("sv", { timeZone: "Asia/Shanghai" }).slice(0, 4);
    const seen = await t.ctx.database.query<{
      enterpriseId: number;
      orgPath: string;
      kind: string;
      failed: number;
    }>(
      `select enterprise_id as "enterpriseId", org_path as "orgPath", kind, failed from inspections
       where inspected_at >= $1::date and inspected_at < $2::date`,
      [`${year}-01-01`, `${Number(year) + 1}-01-01`],
    );
    const level = cmd.path.split("/").filter(Boolean).length;
    const want = new Map<string, { inspected: Set<number>; inspections: number; failed: number }>();
    for (const r of seen.filter((r) => r.orgPath.startsWith(cmd.path))) {
      const code = r.orgPath.split("/").filter(Boolean)[Math.max(1, level - 1)];
      const w = want.get(code) ?? { inspected: new Set(), inspections: 0, failed: 0 };
      w.inspected.add(r.enterpriseId);
      w.inspections++;
      if (r.kind === "initial") w.failed += r.failed;
      want.set(code, w);
    }
    const codes = await t.ctx.database.query<{ id: number; code: string }>(
      "select id, code from org_units where code = any($1::text[])",
      [[...want.keys()]],
    );
    const byId = new Map(sum.items.map((s: any) => [s.orgUnitId, s]));
    expect(want.size).toBeGreaterThan(0);
    for (const { id, code } of codes) {
      const w = want.get(code)!;
      expect(byId.get(id)).toMatchObject({
        inspected: w.inspected.size,
        inspections: w.inspections,
        failedItems: w.failed,
      });
    }
    const audit = await t.ctx.database.query<{ n: number }>(
      "select count(*)::int as n from audit_events where entity = 'rectification' and entity_id = $1",
      [String(rid)],
    );
    expect(audit[0].n).toBe(3);
  });
});
