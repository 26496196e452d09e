import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type TestApp } from "../../../../test/helpers/app.ts";

// Phones where they are promised: staff accounts carry a work phone (masked wherever staff are listed, read in
// full only with a reason in the audit log), each community an on-duty hotline (on the public duty page), and
// before a grid's contact cards are printed the cards that would show "—" for a number are named.

type H = Awaited<ReturnType<TestApp["login"]>>;

describe.each(DB_KINDS)("staff work phones and the community hotline on %s", (kind) => {
  let t: TestApp;
  let community: H;
  let grid: H;
  let commander: H;
  let ids: { grid: number; doctor: number; otherWorker: number };
  let units: { community: number; g01: number };

  const q = <T>(text: string, params: unknown[] = []) => t.ctx.database.query<T>(text, params);
  const call = (method: string, url: string, headers: H, payload?: unknown) =>
    t.app.inject({ method: method as "GET", url, headers, payload: payload as object });

  beforeAll(async () => {
    t = await createTestApp(kind);
    [community, grid, commander] = await Promise.all([
      t.login("demo-community"),
      t.login("demo-grid"),
      t.login("demo-commander"),
    ]);
    const acc = async (where: string) =>
      (await q<{ id: number }>(`select a.id from accounts a ${where}`))[0].id;
    ids = {
      grid: await acc("where a.username = 'demo-grid'"),
      doctor: await acc("where a.username = 'demo-doctor'"),
      otherWorker: await acc(
        "join org_units o on o.id = a.org_unit_id where o.code = '320613019010-G02' and a.role = 'grid_worker'",
      ),
    };
    const unit = async (code: string) =>
      (await q<{ id: number }>("select id from org_units where code = $1", [code]))[0].id;
    units = { community: await unit("320613019010"), g01: await unit("320613019010-G01") };
  });
  afterAll(() => t?.close());

  it("gives the demo's staff plausible work phones and every community a hotline", async () => {
    const [{ missing }] = await q<{ missing: number }>(
      `select count(*)::int as missing from accounts a join org_units o on o.id = a.org_unit_id
        where a.role in ('grid_worker', 'doctor', 'community_admin') and o.path like (select path from org_units where id = $1) || '%'
          and a.work_phone is null`,
      [units.community],
    );
    expect(missing).toBe(0);
    const [{ phone }] = await q<{ phone: string }>("select work_phone as phone from accounts where id = $1", [
      ids.grid,
    ]);
    expect(phone).toMatch(/^1(396281|381478)\d{4}$/);
    const [{ hotline }] = await q<{ hotline: string }>(
      "select duty_phone as hotline from org_units where id = $1",
      [units.community],
    );
    expect(hotline).toMatch(/^0513-8\d{7}$/);
  });

  it("shows work phones masked in the staff list and on a plan, and reveals one only with a reason", async () => {
    const staff = (await call("GET", `/api/care/staff?org=${units.community}`, community)).json();
    const me = staff.items.find((s: { id: number }) => s.id === ids.grid);
    expect(me.workPhoneMasked).toMatch(/^1\d\d\*{4}\d{4}$/);
    const [keyResident] = await q<{ id: number }>(
      "select resident_id as id from care_plans where assigned_worker_id = $1 limit 1",
      [ids.grid],
    );
    const plan = (await call("GET", `/api/care/residents/${keyResident.id}/plan`, grid)).json();
    expect(plan.assignedWorkerPhoneMasked).toMatch(/^1\d\d\*{4}\d{4}$/);

    // The grid worker reads the street health centre doctor's number (above them) with a reason.
    const r = await call("POST", `/api/accounts/${ids.doctor}/reveal`, grid, {
      field: "workPhone",
      reason: "独居老人血压偏高，联系家庭医生上门",
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().value).toMatch(/^1\d{10}$/);
    const [entry] = await q<{ action: string; reason: string; after: unknown }>(
      "select action, reason, after from audit_events where entity = 'account' and entity_id = $1 and action = 'reveal'",
      [String(ids.doctor)],
    );
    expect(entry).toEqual({
      action: "reveal",
      reason: "独居老人血压偏高，联系家庭医生上门",
      after: { field: "workPhone" },
    });
    // Another grid's worker is not theirs to call through the system: answered as missing.
    expect(
      (
        await call("POST", `/api/accounts/${ids.otherWorker}/reveal`, grid, {
          field: "workPhone",
          reason: "核实",
        })
      ).statusCode,
    ).toBe(404);
    // The big screen never reads a full number; a reason is required.
    expect(
      (
        await call("POST", `/api/accounts/${ids.grid}/reveal`, commander, {
          field: "workPhone",
          reason: "核实",
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (await call("POST", `/api/accounts/${ids.doctor}/reveal`, grid, { field: "workPhone" })).statusCode,
    ).toBe(400);
  });

  it("prints the worker's and the doctor's work phones and the community hotline on the contact card", async () => {
    const [r] = await q<{ id: number; worker: string; doctor: string }>(
      `select p.resident_id as id, w.work_phone as worker, d.work_phone as doctor
         from care_plans p join residents r on r.id = p.resident_id
         join accounts w on w.id = p.assigned_worker_id join accounts d on d.id = coalesce(p.doctor_id, r.family_doctor_id)
        where w.id = $1 and d.work_phone is not null
          and not exists (select 1 from care_team_members m where m.account_id = d.id and m.phone <> '')
        order by p.resident_id limit 1`,
      [ids.grid],
    );
    const [{ hotline }] = await q<{ hotline: string }>(
      "select duty_phone as hotline from org_units where id = $1",
      [units.community],
    );
    const pdf = await call("GET", `/api/care/residents/${r.id}/card.pdf`, grid);
    expect(pdf.statusCode).toBe(200);
    const { execFileSync } = await import("node:child_process");
    const text = execFileSync("pdftotext", ["-", "-"], { input: pdf.rawPayload }).toString();
    expect(text).toContain(r.worker);
    expect(text).toContain(r.doctor);
    expect(text).toContain(`社区值班电话：${hotline}`);
  });

  it("lets the community set and clear its staff's work phones, landlines included, and nobody else", async () => {
    const set = await call("PUT", `/api/accounts/${ids.grid}/work-phone`, community, {
      workPhone: "0513 8512 3456",
    });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toEqual({ id: ids.grid, workPhoneMasked: "0513-****3456" });
    const bad = await call("PUT", `/api/accounts/${ids.grid}/work-phone`, community, { workPhone: "12345" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.fields[0].field).toBe("workPhone");
    expect(
      (await call("PUT", `/api/accounts/${ids.grid}/work-phone`, grid, { workPhone: "13800000000" }))
        .statusCode,
    ).toBe(403);
    // The street's doctor sits above the community: not the community's to change.
    expect(
      (await call("PUT", `/api/accounts/${ids.doctor}/work-phone`, community, { workPhone: "13800000000" }))
        .statusCode,
    ).toBe(404);
    const [{ phone }] = await q<{ phone: string }>("select work_phone as phone from accounts where id = $1", [
      ids.grid,
    ]);
    expect(phone).toBe("0513-85123456");
    const [audit] = await q<{ before: unknown; after: unknown }>(
      "select before, after from audit_events where entity = 'account' and entity_id = $1 and action = 'update' order by id desc limit 1",
      [String(ids.grid)],
    );
    expect(JSON.stringify(audit)).not.toMatch(/85123456/);
  });

  it("names the cards that would print without a number, and the hotline reaches the public duty page", async () => {
    const before = (await call("GET", `/api/care/cards/check?grid=${units.g01}`, community)).json();
    expect(before.cards).toBeGreaterThan(0);
    expect(before.hotlineMissing).toEqual([]);

    // The grid's workers lose their numbers and the community its hotline: the check says so, per card.
    const workers = await q<{ id: number }>(
      "select distinct assigned_worker_id as id from care_plans p join residents r on r.id = p.resident_id where r.org_path like (select path from org_units where id = $1) || '%' and assigned_worker_id is not null",
      [units.g01],
    );
    for (const w of workers)
      expect(
        (await call("PUT", `/api/accounts/${w.id}/work-phone`, community, { workPhone: "" })).statusCode,
      ).toBe(200);
    const cleared = await call("PUT", `/api/orgs/${units.community}/duty-phone`, community, {
      dutyPhone: "",
    });
    expect(cleared.json()).toEqual({ id: units.community, dutyPhone: null });
    const after = (await call("GET", `/api/care/cards/check?grid=${units.g01}`, community)).json();
    expect(after.counts.workerPhone).toBeGreaterThan(0);
    expect(after.incomplete).toBeGreaterThanOrEqual(after.counts.workerPhone);
    expect(after.hotlineMissing).toEqual(["苏阳社区"]);
    expect(after.examples[0].gapLabels).toContain("责任网格员无工作电话");
    const publicBefore = (
      await t.app.inject({ url: `/api/public/care-teams/${units.community}/on-duty` })
    ).json();
    expect(publicBefore.community.dutyPhone).toBeNull();

    // The community sets its hotline: the staff org page and the public duty page carry it.
    const setLine = await call("PUT", `/api/orgs/${units.community}/duty-phone`, community, {
      dutyPhone: "051385551234",
    });
    expect(setLine.json()).toEqual({ id: units.community, dutyPhone: "0513-85551234" });
    expect((await call("GET", `/api/orgs/${units.community}`, community)).json().dutyPhone).toBe(
      "0513-85551234",
    );
    const pub = (await t.app.inject({ url: `/api/public/care-teams/${units.community}/on-duty` })).json();
    expect(pub.community).toEqual({ id: units.community, name: "苏阳社区", dutyPhone: "0513-85551234" });
    // Only a community has a hotline, and only the community keeps it.
    expect(
      (await call("PUT", `/api/orgs/${units.g01}/duty-phone`, community, { dutyPhone: "0513-85551234" }))
        .statusCode,
    ).toBe(403);
    expect(
      (await call("PUT", `/api/orgs/${units.community}/duty-phone`, grid, { dutyPhone: "0513-85551234" }))
        .statusCode,
    ).toBe(403);
  });
});
