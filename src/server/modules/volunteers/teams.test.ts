import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type Headers, type TestApp } from "../../../../test/helpers/app.ts";
import { addAccount } from "../accounts/index.ts";
import { qrTokenFor } from "./index.ts";

// A community's rules and its teams and functional party branches, through the routes: scope (404 outside the
// caller's subtree, a secretary on their own team only), bad input naming the field in Chinese, conflicts, audit
// rows with before/after, and the awards and reminders following the changed rules.

describe.each(DB_KINDS)("volunteer rules and teams on %s", (kind) => {
  let t: TestApp;
  let community: Headers;
  let street: Headers;
  let grid: Headers;
  let vol: Headers;
  let communityId: number;
  let awayId: number;
  let secretaryId: number;
  const q = <T>(sql: string, params: unknown[] = []) => t.ctx.database.query<T>(sql, params);
  const get = (url: string, h: Headers) => t.app.inject({ url, headers: h });
  const send = (method: "POST" | "PUT" | "PATCH", url: string, h: Headers, payload: object = {}) =>
    t.app.inject({ method, url, headers: h, payload });
  let n = 0;
  /** A member of a community, confirmed unless told, without a login unless an account id is given. */
  const member = async (community: number, state = "confirmed", accountId: number | null = null) => {
    const [m] = await q<{ id: number }>(
      `insert into volunteer_members (kind, name, id_hash, id_cipher, community_id, org_path, state, account_id, work_unit)
       select 'party_member', $1, $2, 'x', id, path, $3, $4, '南通市第二中学' from org_units where id = $5 returning id`,
      [`测试党员${++n}`, `teams-test-${kind}-${n}`, state, accountId, community],
    );
    return m.id;
  };
  const audits = (entity: string, id: number | string) =>
    q<{ action: string; before: unknown; after: unknown; reason: string | null; username: string }>(
      "select action, before, after, reason, username from audit_events where entity = $1 and entity_id = $2 order by id",
      [entity, String(id)],
    );
  /** A volunteer account of 苏阳社区 (for a secretary who can sign in). */
  const login = async (username: string) => {
    await addAccount(t.ctx.database, {
      username,
      displayName: username,
      role: "volunteer",
      org: "320613019010",
      password: "Demo@2026",
    });
    return (await q<{ id: number }>("select id from accounts where username = $1", [username]))[0].id;
  };
  const RULES = { pointsPerHour: 10, pointsPerWish: 20, pointsPerRequest: 30, quarterlyMinHours: 4 };

  beforeAll(async () => {
    t = await createTestApp(kind);
    [community, street, grid, vol] = await Promise.all([
      t.login("demo-community"),
      t.login("demo-street"),
      t.login("demo-grid"),
      t.login("demo-volunteer"),
    ]);
    const ids = await q<{ id: number; code: string }>(
      "select id, code from org_units where code in ('320613019010', '320613001001')",
    );
    communityId = ids.find((u) => u.code === "320613019010")!.id;
    awayId = ids.find((u) => u.code === "320613001001")!.id;
    [{ id: secretaryId }] = await q<{ id: number }>(
      "select m.id from volunteer_members m join accounts a on a.id = m.account_id where a.username = 'demo-volunteer'",
    );
  });
  afterAll(() => t?.close());

  it("reads and changes a community's rules: own community, the street below it, 404 outside, audited", async () => {
    const url = `/api/volunteers/communities/${communityId}/rules`;
    const before = await get(url, community);
    expect(before.statusCode, before.body).toBe(200);
    expect(before.json()).toMatchObject({ communityId, communityName: "苏阳社区", ...RULES });

    // Bad input: nothing changed, each field named in Chinese.
    const bad = await send("PUT", url, community, { ...RULES, pointsPerHour: -1, quarterlyMinHours: 501 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain("每小时积分");
    expect(bad.json().error.details.fields.map((f: { field: string }) => f.field)).toContain("pointsPerHour");
    const missing = await send("PUT", url, community, { pointsPerHour: 12 });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.message).toMatch(/每个微心愿积分|每次点单积分|每季度最低服务时长/);
    expect((await get(url, community)).json().pointsPerHour).toBe(10);

    const put = await send("PUT", url, community, { ...RULES, pointsPerHour: 25, quarterlyMinHours: 6 });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ pointsPerHour: 25, quarterlyMinHours: 6 });
    expect(put.json().updatedAt).not.toBeNull();
    const [a] = await audits("volunteer_settings", communityId);
    expect(a).toMatchObject({
      action: "update",
      username: "demo-community",
      before: { pointsPerHour: 10, quarterlyMinHours: 4 },
      after: { pointsPerHour: 25, quarterlyMinHours: 6 },
    });

    // The street sets the rules of a community below it; the community cannot reach another street's community,
    // a grid worker reads none (the community is above their grid), a volunteer may not.
    const byStreet = await send("PUT", url, street, { ...RULES, pointsPerHour: 25, pointsPerWish: 40 });
    expect(byStreet.statusCode, byStreet.body).toBe(200);
    expect((await audits("volunteer_settings", communityId)).at(-1)).toMatchObject({
      username: "demo-street",
      before: { pointsPerWish: 20 },
      after: { pointsPerWish: 40 },
    });
    const away = `/api/volunteers/communities/${awayId}/rules`;
    expect((await get(away, community)).statusCode).toBe(404);
    expect((await send("PUT", away, community, RULES)).statusCode).toBe(404);
    expect((await send("PUT", away, street, RULES)).statusCode).toBe(404);
    expect((await get(url, grid)).statusCode).toBe(404);
    expect((await send("PUT", url, grid, RULES)).statusCode).toBe(403);
    expect((await send("PUT", url, vol, RULES)).statusCode).toBe(403);
    const [grid01] = await q<{ id: number }>("select id from org_units where code = '320613019010-G01'");
    expect((await get(`/api/volunteers/communities/${grid01.id}/rules`, community)).statusCode).toBe(404);
  });

  it("the next confirmed hours award uses the changed points per hour", async () => {
    await send("PUT", `/api/volunteers/communities/${communityId}/rules`, community, {
      ...RULES,
      pointsPerHour: 25,
    });
    const start = new Date(Date.now() - 10 * 60_000);
    const task = await send("POST", "/api/volunteers/tasks", community, {
      kind: "task",
      title: "规则测试任务",
      place: "苏阳社区 1幢",
      orgUnitId: communityId,
      startsAt: start.toISOString(),
      endsAt: new Date(start.getTime() + 2 * 3600_000).toISOString(),
      capacity: 5,
      requiredSkills: [],
    });
    expect(task.statusCode, task.body).toBe(201);
    const taskId = task.json().id;
    expect((await send("POST", `/api/volunteers/tasks/${taskId}/claim`, vol)).statusCode).toBe(200);
    const token = await qrTokenFor(t.ctx, taskId);
    expect((await send("POST", "/api/volunteers/check-in", vol, { token })).statusCode).toBe(200);
    expect((await send("POST", "/api/volunteers/check-out", vol, { token })).statusCode).toBe(200);
    const [claim] = await q<{ id: number }>("select id from volunteer_claims where task_id = $1", [taskId]);
    const confirm = await send("POST", `/api/volunteers/claims/${claim.id}/confirm`, community, {
      minutes: 90,
    });
    expect(confirm.statusCode, confirm.body).toBe(200);
    // 1.5 hours at 25 points an hour (10 before the change would have made 15).
    expect(confirm.json()).toMatchObject({ minutes: 90, points: 38 });
    const [entry] = await q<{ amount: number }>(
      `select e.amount from points_entries e join points_transactions x on x.id = e.transaction_id
       join points_accounts a on a.id = e.account_id where x.source = $1 and a.kind = 'member'`,
      [`claim:${claim.id}`],
    );
    expect(entry.amount).toBe(38);
  });

  it("the reminders hold members to the changed quarterly minimum", async () => {
    const url = `/api/volunteers/communities/${communityId}/rules`;
    const at = "2026-01"; // a quarter of its own, so earlier sweeps of the file do not count
    await send("PUT", url, community, { ...RULES, quarterlyMinHours: 0 });
    const none = await send("POST", "/api/volunteers/reminders", community, { at });
    expect(none.statusCode, none.body).toBe(200);
    expect(none.json()).toMatchObject({ below: 0, sent: 0 });
    await send("PUT", url, community, { ...RULES, quarterlyMinHours: 300 });
    const some = await send("POST", "/api/volunteers/reminders", community, { at });
    expect(some.json().below).toBeGreaterThan(0);
    expect(some.json().sent).toBe(some.json().below);
    const [msg] = await q<{ body: string }>(
      `select n.body from notifications n join accounts a on a.id = n.recipient_account_id
       where a.username = 'demo-volunteer' and n.kind = 'volunteer.quarterly_reminder' order by n.id desc limit 1`,
    );
    expect(msg.body).toContain("不少于 300 小时");
    const [r] = await q<{ minMinutes: number }>(
      `select min_minutes as "minMinutes" from volunteer_reminders where member_id = $1 and quarter = '2026-Q1'`,
      [secretaryId],
    );
    expect(r.minMinutes).toBe(300 * 60);
  });

  it("forms a team for a complex with a secretary; bad input names the field, a repeated name is 409", async () => {
    const body = {
      communityId,
      kind: "party_branch",
      teamName: "测试花园在职党员功能型党支部",
      complex: "测试花园",
      secretaryMemberId: secretaryId,
    };
    const created = await send("POST", "/api/volunteers/teams", community, body);
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id;
    const [a] = await audits("volunteer_team", id);
    expect(a).toMatchObject({
      action: "create",
      after: { complex: "测试花园", secretaryMemberId: secretaryId },
    });
    expect((await send("POST", "/api/volunteers/teams", community, body)).statusCode).toBe(409);

    const refused = async (over: object, field: string, words: string | RegExp) => {
      const r = await send("POST", "/api/volunteers/teams", community, {
        ...body,
        teamName: `另一支队伍${++n}`,
        ...over,
      });
      expect(r.statusCode, r.body).toBe(400);
      expect(r.json().error.details.fields[0].field).toBe(field);
      expect(r.json().error.message).toMatch(words);
    };
    await refused({ teamName: "" }, "teamName", "队伍名称");
    await refused({ complex: "x" }, "complex", "小区");
    await refused({ kind: "club" }, "kind", /应为 team、party_branch/);
    await refused(
      { secretaryMemberId: await member(communityId, "pending") },
      "secretaryMemberId",
      "报到尚未确认",
    );
    await refused({ secretaryMemberId: await member(communityId) }, "secretaryMemberId", "没有登录账号");
    await refused({ secretaryMemberId: await member(awayId) }, "secretaryMemberId", "成员不存在");
    // Another street's community is not there for this community; a grid worker or a member cannot form teams.
    expect(
      (await send("POST", "/api/volunteers/teams", community, { ...body, communityId: awayId })).statusCode,
    ).toBe(404);
    expect((await send("POST", "/api/volunteers/teams", grid, body)).statusCode).toBe(403);
    expect((await send("POST", "/api/volunteers/teams", vol, body)).statusCode).toBe(403);
  });

  it("the secretary keeps their own team's roll on the phone; history stays; other teams are 404", async () => {
    const formed = await send("POST", "/api/volunteers/teams", community, {
      communityId,
      kind: "team",
      teamName: "测试花园志愿服务队",
      complex: "测试花园",
      secretaryMemberId: secretaryId,
    });
    const id = formed.json().id as number;
    const roll = async (h: Headers = vol) => {
      const r = await get(`/api/volunteers/teams/${id}`, h);
      expect(r.statusCode, r.body).toBe(200);
      return r.json();
    };
    const first = await roll();
    expect(first.canKeepRoll).toBe(true);
    expect(first.counts.current).toBe(1);
    expect(first.members[0]).toMatchObject({ memberId: secretaryId, leftAt: null });

    const a = await member(communityId);
    const b = await member(communityId);
    const cands = (
      await get(`/api/volunteers/teams/${id}/candidates?q=${encodeURIComponent("测试党员")}`, vol)
    ).json().items as { id: number }[];
    expect(cands.map((c) => c.id)).toEqual(expect.arrayContaining([a, b]));
    expect(cands.map((c) => c.id)).not.toContain(secretaryId);
    const add = await send("POST", `/api/volunteers/teams/${id}/members`, vol, { memberId: a });
    expect(add.statusCode, add.body).toBe(201);
    expect((await audits("volunteer_team_member", add.json().id))[0]).toMatchObject({
      action: "join",
      username: "demo-volunteer",
    });
    expect((await send("POST", `/api/volunteers/teams/${id}/members`, vol, { memberId: a })).statusCode).toBe(
      409,
    );
    expect(
      (await send("POST", `/api/volunteers/teams/${id}/members`, community, { memberId: b })).statusCode,
    ).toBe(201);
    const pending = await send("POST", `/api/volunteers/teams/${id}/members`, vol, {
      memberId: await member(communityId, "pending"),
    });
    expect(pending.statusCode).toBe(400);
    expect(pending.json().error.details.fields[0].field).toBe("memberId");
    expect(
      (await send("POST", `/api/volunteers/teams/${id}/members`, vol, { memberId: await member(awayId) }))
        .statusCode,
    ).toBe(404);
    const notAnId = await send("POST", `/api/volunteers/teams/${id}/members`, vol, { memberId: "张三" });
    expect(notAnId.statusCode).toBe(400);
    expect(notAnId.json().error.message).toContain("成员");

    // A member on several teams at once: the branch formed above takes b too.
    const [branch] = await q<{ id: number }>(
      "select id from volunteer_teams where name = '测试花园在职党员功能型党支部'",
    );
    expect(
      (await send("POST", `/api/volunteers/teams/${branch.id}/members`, community, { memberId: b }))
        .statusCode,
    ).toBe(201);

    // Removing keeps the row: left_at, who and why. The secretary stays until the community names another.
    const leave = await send("POST", `/api/volunteers/teams/${id}/members/${a}/leave`, vol, {
      reason: "搬离小区",
    });
    expect(leave.statusCode, leave.body).toBe(200);
    expect((await audits("volunteer_team_member", leave.json().id)).at(-1)).toMatchObject({
      action: "leave",
      reason: "搬离小区",
    });
    expect((await send("POST", `/api/volunteers/teams/${id}/members/${a}/leave`, vol, {})).statusCode).toBe(
      404,
    );
    expect(
      (await send("POST", `/api/volunteers/teams/${id}/members/${secretaryId}/leave`, vol, {})).statusCode,
    ).toBe(409);
    const after = await roll();
    expect(after.counts).toMatchObject({
      current: 2,
      partyMembers: 2,
      joinedThisQuarter: 3,
      leftThisQuarter: 1,
    });
    const gone = after.members.find((m: { memberId: number }) => m.memberId === a);
    expect(gone).toMatchObject({ leaveReason: "搬离小区", removedByName: expect.any(String) });
    expect(gone.leftAt).not.toBeNull();
    // Joining again opens a new row beside the old one.
    expect(
      (await send("POST", `/api/volunteers/teams/${id}/members`, community, { memberId: a })).statusCode,
    ).toBe(201);
    expect(
      (await roll(community)).members.filter((m: { memberId: number }) => m.memberId === a),
    ).toHaveLength(2);

    // Another team of the community, with someone else as secretary: not there for the demo volunteer.
    const other = await send("POST", "/api/volunteers/teams", community, {
      communityId,
      kind: "team",
      teamName: "别人的志愿服务队",
      complex: "测试花园",
      secretaryMemberId: await member(communityId, "confirmed", await login("vol-other")),
    });
    expect(other.statusCode, other.body).toBe(201);
    const otherId = other.json().id;
    expect((await get(`/api/volunteers/teams/${otherId}`, vol)).statusCode).toBe(404);
    expect((await get(`/api/volunteers/teams/${otherId}/candidates`, vol)).statusCode).toBe(404);
    expect(
      (await send("POST", `/api/volunteers/teams/${otherId}/members`, vol, { memberId: b })).statusCode,
    ).toBe(404);
    const mine = (await get("/api/volunteers/teams", vol)).json().items as { id: number; mine: boolean }[];
    expect(mine.find((x) => x.id === id)?.mine).toBe(true);
    expect(mine.map((x) => x.id)).not.toContain(otherId);
    // Staff: the community and the street see it; a grid worker may read rolls but the team is above their grid;
    // a grid worker cannot change one.
    expect((await roll(street)).team.id).toBe(id);
    expect((await get(`/api/volunteers/teams/${id}`, grid)).statusCode).toBe(404);
    expect(
      (await send("POST", `/api/volunteers/teams/${id}/members`, grid, { memberId: b })).statusCode,
    ).toBe(403);
  });

  it("changes a team's secretary (the new one joins the roll) with before/after, 404 outside, 409 on a taken name", async () => {
    const formed = await send("POST", "/api/volunteers/teams", community, {
      communityId,
      kind: "team",
      teamName: "换届测试队",
      complex: "测试花园",
      secretaryMemberId: secretaryId,
    });
    const id = formed.json().id as number;
    const next = await member(communityId, "confirmed", await login("vol-next"));
    const r = await send("PATCH", `/api/volunteers/teams/${id}`, community, { secretaryMemberId: next });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ secretaryMemberId: next, size: 2 });
    expect((await audits("volunteer_team", id)).at(-1)).toMatchObject({
      action: "update",
      before: { secretaryMemberId: secretaryId },
      after: { secretaryMemberId: next },
    });
    // The old secretary now only reads their own membership, not this roll.
    expect((await get(`/api/volunteers/teams/${id}`, vol)).statusCode).toBe(404);
    expect(
      (await send("PATCH", `/api/volunteers/teams/${id}`, community, { teamName: "测试花园志愿服务队" }))
        .statusCode,
    ).toBe(409);
    const bad = await send("PATCH", `/api/volunteers/teams/${id}`, community, { complex: "" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain("小区");
    const [awayTeam] = await q<{ id: number }>(
      `insert into volunteer_teams (kind, name, complex, community_id, org_path, secretary_member_id)
       select 'team', '外街道队', '外小区', id, path, $2 from org_units where id = $1 returning id`,
      [awayId, await member(awayId)],
    );
    expect(
      (await send("PATCH", `/api/volunteers/teams/${awayTeam.id}`, community, { complex: "改名" }))
        .statusCode,
    ).toBe(404);
    expect((await get(`/api/volunteers/teams/${awayTeam.id}`, community)).statusCode).toBe(404);
    expect((await get(`/api/volunteers/teams/${awayTeam.id}`, street)).statusCode).toBe(404);
    expect(
      (
        await send("POST", `/api/volunteers/teams/${awayTeam.id}/members`, community, {
          memberId: await member(awayId),
        })
      ).statusCode,
    ).toBe(404);
    const listed = (await get("/api/volunteers/teams", community)).json().items as { id: number }[];
    expect(listed.map((x) => x.id)).not.toContain(awayTeam.id);
  });

  it("the demo seed gives each community branches and teams with secretaries and rolls", async () => {
    const [s] = await q<{
      teams: number;
      branches: number;
      communities: number;
      withoutRoll: number;
      mine: number;
    }>(
      `select count(*) filter (where kind = 'team')::int as teams, count(*) filter (where kind = 'party_branch')::int as branches,
         count(distinct community_id)::int as communities,
         count(*) filter (where not exists (select 1 from volunteer_team_members tm where tm.team_id = t.id and tm.left_at is null))::int as "withoutRoll",
         count(*) filter (where secretary_member_id = $1)::int as mine
       from volunteer_teams t where created_by_name = '（演示）'`,
      [secretaryId],
    );
    expect(s.branches).toBeGreaterThan(0);
    expect(s.teams).toBeGreaterThan(0);
    // Two complexes, a branch and a team each (the test template seeds one community).
    expect(s.communities).toBeGreaterThanOrEqual(1);
    expect(s.branches + s.teams).toBe(4 * s.communities);
    expect(s.withoutRoll).toBe(0);
    expect(s.mine).toBe(1);
    const list = (await get("/api/volunteers/teams", vol)).json().items as { mine: boolean; size: number }[];
    expect(list.some((x) => x.mine && x.size > 1)).toBe(true);
  });
});
