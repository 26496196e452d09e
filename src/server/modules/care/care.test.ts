import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type TestApp } from "../../../../test/helpers/app.ts";
import { shiftAt } from "../../../domain/care/contracts.ts";
import { addAccount } from "../accounts/index.ts";
import { sweepOverdueVisits } from "./visits.ts";

type H = Awaited<ReturnType<TestApp["login"]>>;
interface Res {
  id: number;
  name: string;
  org_path: string;
  id_cipher: string;
  tags: string[];
}

const _XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
let seq = 0;
const clientId = () => `test-${Date.now().toString(36)}-${++seq}`;

async function _xlsx(rows: (string | number)[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet("老年人台账");
  ws.addRow(["序号", "姓名", "身份证号", "人群类别", "备注"]);
  for (const [i, r] of rows.entries()) ws.addRow([i + 1, ...r]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe.each(DB_KINDS)("care on %s", (kind) => {
  let t: TestApp;
  let grid: H;
  let community: H;
  let doctor: H;
  let commander: H;
  let volunteer: H;
  let admin: H;
  let doctorId: number;
  let headId: number;
  let g1: { id: number; path: string };
  let g2: { id: number; path: string };
  let communityId: number;
  let inG1: Res[];
  let outside: Res;
  const q = <T = any>(text: string, params?: unknown[]) => t.ctx.database.query<T>(text, params);

  beforeAll(async () => {
    t = await createTestApp(kind);
    await addAccount(t.ctx.database, {
      username: "care-admin",
      displayName: "区系统管理员（代医院转诊联络员）",
      role: "sysadmin",
      org: "320613",
      password: "Admin1234",
    });
    headId = await addAccount(t.ctx.database, {
      username: "care-head-g01",
      displayName: "第1网格 网格长",
      role: "grid_head",
      org: "320613019010-G01",
      password: "Head12345",
    });
    [grid, community, doctor, commander, volunteer, admin] = await Promise.all([
      t.login("demo-grid"),
      t.login("demo-community"),
      t.login("demo-doctor"),
      t.login("demo-commander"),
      t.login("demo-volunteer"),
      t.login("care-admin", "Admin1234"),
    ]);
    [{ id: doctorId }] = await q<{ id: number }>("select id from accounts where username = 'demo-doctor'");
    [g1] = await q("select id, path from org_units where code = '320613019010-G01'");
    [g2] = await q("select id, path from org_units where code = '320613019010-G02'");
    [{ id: communityId }] = await q("select id from org_units where code = '320613019010'");
    inG1 = await q<Res>(
      "select id, name, org_path, id_cipher, tags from residents where org_path like $1 and tags <> '{}' order by id limit 12",
      [`${g1.path}%`],
    );
    // A family doctor acts only on their own residents (care/policy.ts): these are the demo doctor's.
    await q("update care_plans set doctor_id = $1 where resident_id = any($2::int[])", [
      doctorId,
      inG1.map((r) => r.id),
    ]);
    [outside] = await q<Res>(
      "select id, name, org_path, id_cipher, tags from residents where org_path like $1 order by id limit 1",
      [`${g2.path}%`],
    );
  });
  afterAll(() => t?.close());

  const get = (url: string, headers: H) => t.app.inject({ url, headers });
  const post = (url: string, headers: H, payload: unknown) =>
    t.app.inject({ method: "POST", url, headers, payload: payload as any });
  const visit = (residentId: number, extra: Record<string, unknown> = {}) => ({
    clientId: clientId(),
    residentId,
    kind: "door",
    visitedAt: new Date(Date.now() - 60_000).toISOString(),
    durationMinutes: 20,
    findings: "精神状态良好",
    ...extra,
  });

  it("rejects impossible vitals with the valid range in Chinese and stores nothing", async () => {
    const count = async () => (await q<{ n: number }>("select count(*)::int as n from care_visits"))[0].n;
    const before = await count();
    const r = await post(
      "/api/care/visits",
      grid,
      visit(inG1[0].id, { vitals: { systolic: 400, diastolic: 20, temperature: 50 } }),
    );
    expect(r.statusCode).toBe(400);
    const fields = r.json().error.details.fields as { field: string; message: string }[];
    const by = Object.fromEntries(fields.map((f) => [f.field, f.message]));
    expect(by["vitals.systolic"]).toBe("收缩压应在 60–260 mmHg 之间");
    expect(by["vitals.diastolic"]).toBe("舒张压应在 30–160 mmHg 之间");
    expect(by["vitals.temperature"]).toBe("体温应在 33.0–43.0 °C 之间");
    expect(r.json().error.message).toContain("60–260 mmHg");
    expect(await count()).toBe(before);
  });

  it("stores a retried visit once and answers with the first; the same id with other content is 409", async () => {
    // The demo's visit history is there already; count what this test adds.
    const count = async () =>
      (
        await q<{ n: number }>("select count(*)::int as n from care_visits where resident_id = $1", [
          inG1[1].id,
        ])
      )[0].n;
    const before = await count();
    const body = visit(inG1[1].id, {
      vitals: { systolic: 128, diastolic: 82 },
      needs: [{ kind: "groceries" }],
    });
    const first = await post("/api/care/visits", grid, body);
    expect(first.statusCode).toBe(201);
    expect(first.json().replay).toBe(false);
    expect(first.json().visit.level).toBe("attention");
    expect(first.json().alert).toBeNull();
    const again = await post("/api/care/visits", grid, body);
    expect(again.statusCode).toBe(200);
    expect(again.json().replay).toBe(true);
    expect(again.json().visit.id).toBe(first.json().visit.id);
    expect(await count()).toBe(before + 1);
    const changed = await post("/api/care/visits", grid, { ...body, durationMinutes: 45 });
    expect(changed.statusCode).toBe(409);
    expect(changed.json().error.details.fields[0].field).toBe("clientId");
    // The plan now knows the visit.
    const plan = (await get(`/api/care/residents/${inG1[1].id}/plan`, grid)).json();
    expect(new Date(plan.lastVisitAt).toISOString()).toBe(new Date(body.visitedAt).toISOString());
    expect(plan.status.state).toBe("scheduled");
  });

  it("walks BP 185/115 from a visit to an alert, a follow-up, a green-channel referral and back to the community", async () => {
    const resident = inG1[2];
    // The doctor signs the resident up; an overlapping second contract is refused.
    const contract = await post("/api/care/contracts", doctor, {
      residentId: resident.id,
      servicePackage: "chronic_disease",
      start: "2026-01-01",
      end: "2026-12-31",
    });
    expect(contract.statusCode).toBe(201);
    expect(contract.json().doctorId).toBe(doctorId);
    const overlap = await post("/api/care/contracts", doctor, {
      residentId: resident.id,
      servicePackage: "basic",
      start: "2026-06-01",
      end: "2027-05-31",
    });
    expect(overlap.statusCode).toBe(409);

    // 1. The grid worker records the visit.
    const v = await post(
      "/api/care/visits",
      grid,
      visit(resident.id, { kind: "door", vitals: { systolic: 185, diastolic: 115, heartRate: 88 } }),
    );
    expect(v.statusCode).toBe(201);
    const body = v.json();
    expect(body.visit.level).toBe("critical");
    expect(body.visit.flags.map((f: any) => f.code)).toContain("hypertension_3");
    expect(body.alert.level).toBe("critical");
    expect(body.alert.reasons[0]).toContain("185/115");
    // Critical → a care-urgent work order, routed to the resident's grid.
    expect(body.workOrder?.id).toBeGreaterThan(0);
    const [order] = await q(
      `select o.channel, o.sla_policy, o.resident_id, o.org_path, c.code from work_orders o join categories c on c.id = o.category_id where o.id = $1`,
      [body.workOrder.id],
    );
    expect(order).toMatchObject({
      channel: "care_hotline",
      sla_policy: "care-urgent",
      resident_id: resident.id,
      code: "medical",
    });
    expect(order.org_path.startsWith(g1.path)).toBe(true);
    const [note] = await q(
      "select recipient_account_id from notifications where kind = 'care_alert' order by id desc limit 1",
    );
    expect(note.recipient_account_id).toBe(doctorId);

    // 2. The doctor sees the alert.
    const alerts = (await get("/api/care/alerts?state=open", doctor)).json().items;
    const alert = alerts.find((a: any) => a.visitId === body.visit.id);
    expect(alert).toBeTruthy();
    expect(alert.levelLabel).toBe("危急");
    expect(alert.workOrderId).toBe(body.workOrder.id);

    // 3. Follows up by phone, which closes the alert.
    const c = await post("/api/care/consultations", doctor, {
      residentId: resident.id,
      mode: "phone",
      summary: "电话随访，头晕，嘱立即复测并就医",
      alertId: alert.id,
    });
    expect(c.statusCode).toBe(201);
    const [a] = await q("select state, ack_by from care_alerts where id = $1", [alert.id]);
    expect(a).toMatchObject({ state: "acknowledged", ack_by: doctorId });
    expect((await post(`/api/care/alerts/${alert.id}/ack`, doctor, {})).statusCode).toBe(409);

    // 4. Refers: an ordinary referral for someone else first, then this one through the green channel.
    const plain = await post("/api/care/referrals", doctor, {
      residentId: inG1[3].id,
      hospital: "南通市第一人民医院",
      reason: "复查",
    });
    expect(plain.statusCode).toBe(201);
    const ref = await post("/api/care/referrals", doctor, {
      residentId: resident.id,
      hospital: "南通大学附属医院",
      department: "心内科",
      reason: "3级高血压，随访后血压仍高",
      greenChannel: true,
    });
    expect(ref.statusCode).toBe(201);
    const id = ref.json().id;
    expect(ref.json().state).toBe("requested");
    const board = (await get("/api/care/referrals?state=requested", doctor)).json().items;
    expect(board[0].id).toBe(id);
    expect(board[0].greenChannel).toBe(true);

    // 5. The hospital side accepts, schedules, completes; the doctor cannot accept for the hospital.
    const act = (who: H, action: string, payload: Record<string, unknown> = {}) =>
      post(`/api/care/referrals/${id}/actions/${action}`, who, payload);
    expect((await act(doctor, "accept")).statusCode).toBe(403);
    expect((await act(admin, "complete")).statusCode).toBe(409);
    expect((await act(admin, "accept")).json().state).toBe("accepted");
    expect((await act(admin, "schedule", { note: "缺少时间" })).statusCode).toBe(400);
    const at = new Date(Date.now() + 86_400_000).toISOString();
    const scheduled = await act(admin, "schedule", { appointmentAt: at });
    expect(scheduled.json().state).toBe("scheduled");
    expect(new Date(scheduled.json().appointmentAt).toISOString()).toBe(at);
    expect((await act(admin, "complete", { version: 1 })).statusCode).toBe(409); // stale version
    expect((await act(admin, "complete")).json().state).toBe("completed");
    // 6. Returned to the community with the hospital's advice.
    expect((await act(doctor, "return_to_community")).statusCode).toBe(400);
    const back = await act(doctor, "return_to_community", { note: "已调整降压方案，请社区每周测量血压" });
    expect(back.statusCode).toBe(200);
    expect(back.json().state).toBe("returned_to_community");
    const detail = (await get(`/api/care/referrals/${id}`, doctor)).json();
    expect(detail.events.map((e: any) => e.action)).toEqual([
      "request",
      "accept",
      "schedule",
      "complete",
      "return_to_community",
    ]);
    const [ret] = await q("select recipient_account_id from notifications where kind = 'referral_returned'");
    expect(ret.recipient_account_id).toBe(doctorId);

    // The health timeline shows it all, and reading it is audited.
    const tl = (await get(`/api/care/residents/${resident.id}/health`, grid)).json();
    const [{ visits, consultations }] = await q(
      `select (select count(*) from care_visits where resident_id = $1)::int as visits,
         (select count(*) from care_consultations where resident_id = $1)::int as consultations`,
      [resident.id],
    );
    expect(tl.visits).toHaveLength(visits);
    expect(tl.visits[0].id).toBe(body.visit.id); // the newest first, after the demo's history
    expect(tl.consultations).toHaveLength(consultations);
    expect(tl.consultations[0].alertId).toBe(alert.id);
    expect(tl.referrals[0].state).toBe("returned_to_community");
    expect(tl.contracts[0].servicePackageLabel).toBe("慢病管理包");
    const [audited] = await q(
      "select username from audit_events where action = 'read_health' and entity = 'resident_health' and entity_id = $1",
      [String(resident.id)],
    );
    expect(audited.username).toBe("demo-grid");
  });

  it("refuses a referral to an unconfigured hospital with 422 and lists the configured ones", async () => {
    const r = await post("/api/care/referrals", doctor, {
      residentId: inG1[4].id,
      hospital: "上海瑞金医院",
      reason: "想去上海看病",
    });
    expect(r.statusCode).toBe(422);
    expect(r.json().error.message).toContain("上海瑞金医院");
    expect(r.json().error.details.configured.map((h: any) => h.name)).toEqual([
      "南通大学附属医院",
      "南通市第一人民医院",
    ]);
    const [{ n }] = await q<{ n: number }>(
      "select count(*)::int as n from referrals where resident_id = $1",
      [inG1[4].id],
    );
    expect(n).toBe(0);
    // A grid worker may read referrals but not request one (the domain's rule).
    const w = await post("/api/care/referrals", grid, {
      residentId: inG1[4].id,
      hospital: "南通大学附属医院",
      reason: "x",
    });
    expect(w.statusCode).toBe(403);
  });

  it("tags a resident in scope with evidence and audit; a resident outside scope is 404 and unchanged", async () => {
    const denied = await post(`/api/care/residents/${outside.id}/tags`, grid, {
      tag: "living_alone",
      note: "走访发现",
    });
    expect(denied.statusCode).toBe(404);
    const [o] = await q<Res>("select tags from residents where id = $1", [outside.id]);
    expect(o.tags).toEqual(outside.tags);
    expect(
      (await post(`/api/care/residents/${outside.id}/tags`, volunteer, { tag: "living_alone" })).statusCode,
    ).toBe(403);

    const r = inG1[5];
    const tag = ["living_alone", "chronic_disease", "low_income"].find((x) => !r.tags.includes(x))!;
    const added = await post(`/api/care/residents/${r.id}/tags`, grid, {
      tag,
      note: "走访核实：子女在外地",
      source: "visit",
    });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toMatchObject({
      tag,
      source: "visit",
      setByName: expect.stringContaining("网格员"),
      current: true,
    });
    expect((await post(`/api/care/residents/${r.id}/tags`, grid, { tag })).statusCode).toBe(409);
    const [after] = await q<Res>("select tags from residents where id = $1", [r.id]);
    expect(after.tags).toContain(tag);
    const ev = (await get(`/api/care/residents/${r.id}/tags`, grid)).json();
    expect(ev.items.find((i: any) => i.tag === tag).note).toBe("走访核实：子女在外地");

    const removed = await t.app.inject({
      method: "DELETE",
      url: `/api/care/residents/${r.id}/tags/${tag}?note=${encodeURIComponent("已随子女同住")}`,
      headers: grid,
    });
    expect(removed.statusCode).toBe(200);
    const [gone] = await q<Res>("select tags from residents where id = $1", [r.id]);
    expect(gone.tags).not.toContain(tag);
    const audits = await q(
      "select action from audit_events where entity = 'resident' and entity_id = $1 order by id",
      [String(r.id)],
    );
    expect(audits.map((x: any) => x.action)).toEqual(["tag_add", "tag_remove"]);
  });

  it("counts key residents per grid, lists them with filters and exports xlsx", async () => {
    const s = (await get("/api/care/ledger/summary", community)).json();
    expect(s.items.length).toBeGreaterThan(1);
    const row1 = s.items.find((i: any) => i.orgUnitId === g1.id);
    const [{ n }] = await q<{ n: number }>(
      "select count(*)::int as n from residents where org_path like $1 and 'aged_80_plus' = any(tags)",
      [`${g1.path}%`],
    );
    expect(row1.counts.aged_80_plus).toBe(n);
    expect(s.dimensions.map((d: any) => d.label)).toEqual([
      "居住状况",
      "年龄",
      "健康状况",
      "经济状况",
      "其他",
    ]);
    const mine = (await get("/api/care/ledger/summary", grid)).json();
    expect(mine.items.map((i: any) => i.orgUnitId)).toEqual([g1.id]);
    expect((await get(`/api/care/ledger/summary?org=${g2.id}`, grid)).statusCode).toBe(404);
    expect((await get("/api/care/ledger/summary", volunteer)).statusCode).toBe(403);

    const l = (await get(`/api/care/ledger?tag=aged_80_plus&notVisitedDays=7&pageSize=100`, grid)).json();
    expect(l.total).toBeGreaterThan(0);
    expect(l.items.every((p: any) => p.tags.includes("aged_80_plus") && p.idNumberMasked.includes("*"))).toBe(
      true,
    );

    const x = await get(`/api/care/ledger/export?org=${g1.id}`, community);
    expect(x.statusCode).toBe(200);
    expect(x.headers["content-type"]).toContain("spreadsheetml");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.rawPayload as any);
    const ws = wb.worksheets[0];
    expect(ws.getRow(1).getCell(2).value).toBe("姓名");
    expect(ws.rowCount - 1).toBe(mine.totals.keyResidents);
    expect((await get(`/api/care/ledger/export`, grid)).statusCode).toBe(403);
  });

  it("lists overdue visits for a grid, most overdue first, and warns the grid head once per period", async () => {
    // Make the grid's key residents look long-registered and never visited.
    await q("update residents set created_at = now() - interval '120 days' where org_path like $1", [
      `${g1.path}%`,
    ]);
    await q("update care_plans set started_at = now() - interval '120 days' where org_path like $1", [
      `${g1.path}%`,
    ]);
    const due = await get(`/api/care/visits/due?org=${g1.id}`, grid);
    expect(due.statusCode).toBe(200);
    const d = due.json();
    expect(d.counts.overdue).toBeGreaterThan(0);
    expect(d.items[0].state).toBe("overdue");
    for (let i = 1; i < d.items.length; i++)
      expect(d.items[i].daysLeft).toBeGreaterThanOrEqual(d.items[i - 1].daysLeft);
    expect(d.items.every((i: any) => i.gridCode === "320613019010-G01")).toBe(true);
    // The resident visited earlier in this test file is not overdue.
    expect(d.items.find((i: any) => i.residentId === inG1[1].id)).toBeUndefined();
    expect((await get(`/api/care/visits/due?org=${g2.id}`, grid)).statusCode).toBe(404);

    const first = await sweepOverdueVisits(t.ctx);
    expect(first.warned).toBeGreaterThanOrEqual(d.counts.overdue);
    const notes = await q(
      "select recipient_account_id, title from notifications where kind = 'care_overdue' and recipient_org_id = $1",
      [g1.id],
    );
    expect(notes).toHaveLength(1);
    expect(notes[0].recipient_account_id).toBe(headId);
    expect(notes[0].title).toMatch(/第1网格.*位重点人群走访已逾期/);
    const again = await sweepOverdueVisits(t.ctx);
    expect(again.warned).toBe(0);
  });

  it("keeps health data to doctor and care roles within scope, and audits reads", async () => {
    expect((await get("/api/care/alerts", commander)).statusCode).toBe(403);
    expect((await get("/api/care/alerts", volunteer)).statusCode).toBe(403);
    expect((await get("/api/care/referrals", commander)).statusCode).toBe(403);
    expect((await get(`/api/care/residents/${inG1[2].id}/health`, commander)).statusCode).toBe(403);
    expect((await get(`/api/care/residents/${inG1[2].id}/visits`, volunteer)).statusCode).toBe(403);
    expect((await get(`/api/care/residents/${outside.id}/health`, grid)).statusCode).toBe(404);
    expect((await get(`/api/care/residents/${outside.id}/visits`, grid)).statusCode).toBe(404);
    expect((await post("/api/care/visits", grid, visit(outside.id))).statusCode).toBe(404);
    const v = await get(`/api/care/residents/${inG1[2].id}/visits`, doctor);
    expect(v.statusCode).toBe(200);
    expect(v.json().items[0].vitals.systolic).toBe(185);
    const [{ n }] = await q<{ n: number }>(
      "select count(*)::int as n from audit_events where action = 'read_health' and username = 'demo-doctor'",
    );
    expect(n).toBeGreaterThanOrEqual(3);
  });

  it("publishes the care team on duty without a session, with work phones", async () => {
    const add = (body: Record<string, unknown>) =>
      post(`/api/care/teams/${communityId}/members`, community, body);
    const members = [
      await add({ teamRole: "staff", name: "王社工", phone: "13800001111" }),
      await add({ teamRole: "doctor", name: "李医生", phone: "0513-85551234", accountId: doctorId }),
      await add({ teamRole: "volunteer", name: "赵志愿", phone: "13900002222" }),
      await add({ teamRole: "police", name: "陈警官", phone: "13700003333" }),
    ].map((r) => {
      expect(r.statusCode).toBe(201);
      return r.json().id as number;
    });
    expect((await add({ teamRole: "chef", name: "x", phone: "1" })).statusCode).toBe(400);
    expect(
      (
        await post(`/api/care/teams/${communityId}/members`, grid, {
          teamRole: "staff",
          name: "x",
          phone: "13800001111",
        })
      ).statusCode,
    ).toBe(403);
    const now = shiftAt(new Date());
    const nextDay = new Date(Date.parse(`${now.date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const entries = [now.date, nextDay].flatMap((date) =>
      (["day", "night"] as const).flatMap((shift) => members.map((memberId) => ({ date, shift, memberId }))),
    );
    const saved = await t.app.inject({
      method: "PUT",
      url: `/api/care/teams/${communityId}/roster`,
      headers: community,
      payload: { from: now.date, to: nextDay, entries },
    });
    expect(saved.statusCode).toBe(200);
    expect(saved.json().gaps).toEqual([]);
    const pub = await t.app.inject({ url: `/api/public/care-teams/${communityId}/on-duty` });
    expect(pub.statusCode).toBe(200);
    const body = pub.json();
    expect(body.current.members.map((m: any) => m.teamRoleLabel)).toEqual([
      "社区工作人员",
      "家庭医生",
      "志愿者",
      "社区民警",
    ]);
    expect(body.current.members[0].phone).toBe("13800001111");
    expect(body.next.members).toHaveLength(4);
    expect(JSON.stringify(body)).not.toMatch(/resident/i);
    expect((await t.app.inject({ url: `/api/public/care-teams/${g1.id}/on-duty` })).statusCode).toBe(404);
  });

  it("prints a contact card per resident and a grid's cards in bulk as PDF", async () => {
    const one = await get(`/api/care/residents/${inG1[2].id}/card.pdf`, grid);
    expect(one.statusCode).toBe(200);
    expect(one.headers["content-type"]).toBe("application/pdf");
    expect(one.rawPayload.subarray(0, 5).toString()).toBe("%PDF-");
    expect((await get(`/api/care/residents/${outside.id}/card.pdf`, grid)).statusCode).toBe(404);

    const bulk = await get(`/api/care/cards.pdf?grid=${g1.id}`, grid);
    expect(bulk.statusCode).toBe(200);
    const pdf = bulk.rawPayload;
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    const pages = pdf.toString("latin1").match(/\/Type \/Page\b/g)?.length ?? 0;
    const [{ n }] = await q<{ n: number }>(
      "select count(*)::int as n from residents where org_path like $1 and tags <> '{}'",
      [`${g1.path}%`],
    );
    expect(pages).toBe(n);
    expect(pages).toBeGreaterThan(1);
    expect(pdf.toString("latin1")).toContain("NotoSansCJK");
    if (process.env.CARE_CARD_OUT) {
      const fs = await import("node:fs");
      fs.writeFileSync(`${process.env.CARE_CARD_OUT}/card-${kind}.pdf`, one.rawPayload);
      fs.writeFileSync(`${process.env.CARE_CARD_OUT}/cards-${kind}.pdf`, pdf);
    }
    expect((await get(`/api/care/cards.pdf?grid=${g2.id}`, grid)).statusCode).toBe(404);
  });
  it("takes visit frequencies from the community's config, a plan override and assignments", async () => {
    const put = (url: string, headers: H, payload: unknown) =>
      t.app.inject({ method: "PUT", url, headers, payload: payload as any });
    const bad = await put(`/api/care/config/${communityId}`, community, {
      frequencies: { living_alone: "daily" },
    });
    expect(bad.statusCode).toBe(400);
    expect((await put(`/api/care/config/${communityId}`, grid, { frequencies: {} })).statusCode).toBe(403);
    const cfg = await put(`/api/care/config/${communityId}`, community, {
      frequencies: { aged_80_plus: "weekly" },
    });
    expect(cfg.statusCode).toBe(200);
    expect(cfg.json().effective.aged_80_plus.label).toBe("每周");
    expect(cfg.json().effective.living_alone.label).toBe("每周");

    const [old] = await q<Res>(
      "select id from residents where org_path like $1 and tags = array['aged_80_plus'] order by id limit 1",
      [`${g1.path}%`],
    );
    const plan = (await get(`/api/care/residents/${old.id}/plan`, grid)).json();
    expect(plan.frequencyLabel).toBe("每周（高龄80+）");
    const [{ id: workerId }] = await q<{ id: number }>(
      "select id from accounts where username = 'demo-grid'",
    );
    // The worker may adjust the pace of visits, but who looks after whom is the head's call.
    const paced = await put(`/api/care/residents/${old.id}/plan`, grid, { frequencyOverride: "semimonthly" });
    expect(paced.statusCode).toBe(200);
    expect(paced.json()).toMatchObject({ frequency: "semimonthly", overridden: true });
    expect((await put(`/api/care/residents/${old.id}/plan`, grid, { doctorId })).statusCode).toBe(403);
    const head = await t.login("care-head-g01", "Head12345");
    const updated = await put(`/api/care/residents/${old.id}/plan`, head, {
      assignedWorkerId: workerId,
      doctorId,
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({
      frequency: "semimonthly",
      overridden: true,
      assignedWorkerId: workerId,
      doctorId,
    });
    // A worker of another grid cannot be assigned.
    const w2 = await addAccount(t.ctx.database, {
      username: "care-worker-g02",
      displayName: "第2网格网格员",
      role: "grid_worker",
      org: "320613019010-G02",
      password: "Worker123",
    });
    const refused = await put(`/api/care/residents/${old.id}/plan`, head, { assignedWorkerId: w2 });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.details.fields[0].field).toBe("assignedWorkerId");
    const mine = (await get(`/api/care/visits/due?org=${g1.id}&mine=true&state=all`, grid)).json();
    expect(mine.items.map((i: any) => i.residentId)).toContain(old.id);
    expect(mine.items.every((i: any) => i.assignedWorkerId === workerId)).toBe(true);
  });

  it("lists the staff a plan can be assigned to, within scope, by role, and nothing private", async () => {
    const ids = async (username: string) =>
      (await q<{ id: number }>("select id from accounts where username = $1", [username]))[0].id;
    const [workerId, communityDoctor, otherGridWorker] = await Promise.all([
      ids("demo-grid"),
      ids("doc-320613019010"),
      ids("gw-320613019010-g02"),
    ]);
    const [otherStreet] = await q<{ code: string }>(
      "select code from org_units where kind = 'street' and code <> '320613019' order by code limit 1",
    );
    const elsewhere = await addAccount(t.ctx.database, {
      username: "care-doctor-elsewhere",
      displayName: "别的街道 家庭医生",
      role: "doctor",
      org: otherStreet.code,
      password: "Doctor123",
    });
    const gone = await addAccount(t.ctx.database, {
      username: "care-worker-left",
      displayName: "已离职网格员",
      role: "grid_worker",
      org: "320613019010-G01",
      password: "Worker123",
    });
    await q("update accounts set disabled = true where id = $1", [gone]);

    // The community sees its grids' workers and heads, and the doctors covering it (street and station).
    const all = await get("/api/care/staff", community);
    expect(all.statusCode).toBe(200);
    const items = all.json().items as any[];
    const byId = new Map(items.map((i) => [i.id, i]));
    expect(all.json().org.id).toBe(communityId);
    expect(byId.get(workerId)).toMatchObject({ role: "grid_worker", roleLabel: "网格员", orgUnitId: g1.id });
    expect(byId.get(headId)).toMatchObject({ role: "grid_head", orgName: "第1网格" });
    expect(byId.get(doctorId)).toMatchObject({ role: "doctor", orgKind: "street" });
    expect(byId.get(communityDoctor)).toMatchObject({ role: "doctor", orgUnitId: communityId });
    expect(byId.has(otherGridWorker)).toBe(true);
    expect(byId.has(elsewhere)).toBe(false);
    expect(byId.has(gone)).toBe(false);
    expect(items.every((i) => ["grid_worker", "grid_head", "doctor"].includes(i.role))).toBe(true);
    // Presented, never serialised: no username, password hash or lock state; the work phone masked.
    expect(Object.keys(items[0]).sort()).toEqual(
      [
        "displayName",
        "id",
        "initials",
        "orgKind",
        "orgName",
        "orgUnitId",
        "role",
        "roleLabel",
        "workPhoneMasked",
      ].sort(),
    );
    expect(items.every((i) => i.workPhoneMasked === null || /\*{4}\d{4}$/.test(i.workPhoneMasked))).toBe(
      true,
    );
    expect(all.body).not.toMatch(/argon2|password|username|demo-grid/i);
    expect(byId.get(workerId).initials).toMatch(/^[a-z]+$/);

    // The role filter.
    const doctors = (await get("/api/care/staff?role=doctor", community)).json().items as any[];
    expect(doctors.map((d) => d.id).sort()).toEqual([doctorId, communityDoctor].sort());
    const gridStaff = (await get("/api/care/staff?role=grid_worker&role=grid_head", community)).json()
      .items as any[];
    expect(gridStaff.length).toBe(items.length - 2);
    expect(gridStaff.every((i) => i.role !== "doctor")).toBe(true);
    expect((await get("/api/care/staff?role=community_admin", community)).statusCode).toBe(400);

    // For one resident: exactly who may serve them — their grid's staff and the doctors, no other grid.
    const [res] = await q<{ org_unit_id: number }>("select org_unit_id from residents where id = $1", [
      inG1[10].id,
    ]);
    const forResident = (await get(`/api/care/staff?org=${res.org_unit_id}`, community)).json()
      .items as any[];
    expect(forResident.map((i) => i.id)).toEqual(expect.arrayContaining([workerId, headId, doctorId]));
    expect(forResident.some((i) => i.id === otherGridWorker)).toBe(false);

    // A grid worker sees their own grid's staff and the doctors above it; another grid is 404.
    const own = (await get("/api/care/staff", grid)).json().items as any[];
    expect(own.filter((i) => i.role !== "doctor").every((i) => i.orgUnitId === g1.id)).toBe(true);
    expect(own.map((i) => i.id)).toEqual(
      expect.arrayContaining([workerId, headId, doctorId, communityDoctor]),
    );
    expect((await get(`/api/care/staff?org=${g2.id}`, grid)).statusCode).toBe(404);
    expect((await get("/api/care/staff", volunteer)).statusCode).toBe(403);
  });

  it("assigns a picked worker and doctor through the plan, audits it, and puts it on the worker's due list", async () => {
    const put = (url: string, headers: H, payload: unknown) =>
      t.app.inject({ method: "PUT", url, headers, payload: payload as any });
    const newWorker = await addAccount(t.ctx.database, {
      username: "care-worker-g01b",
      displayName: "第1网格 网格员 新人",
      role: "grid_worker",
      org: "320613019010-G01",
      password: "Worker123",
    });
    const [head, worker2] = await Promise.all([
      t.login("care-head-g01", "Head12345"),
      t.login("care-worker-g01b", "Worker123"),
    ]);
    const resident = inG1[10];
    const [{ org_unit_id: unitId }] = await q<{ org_unit_id: number }>(
      "select org_unit_id from residents where id = $1",
      [resident.id],
    );
    const before = (await get(`/api/care/residents/${resident.id}/plan`, head)).json();
    // The demo gave the plan the grid's worker; the head picks the new colleague and the station doctor.
    expect(before.assignedWorkerName).toContain("网格员");
    const workers = (await get(`/api/care/staff?org=${unitId}&role=grid_worker`, head)).json().items as any[];
    const doctors = (await get(`/api/care/staff?org=${unitId}&role=doctor`, head)).json().items as any[];
    const picked = workers.find((w) => w.id === newWorker)!;
    const doctor = doctors.find((d) => d.id !== before.doctorId)!;
    expect(picked.displayName).toBe("第1网格 网格员 新人");
    const r = await put(`/api/care/residents/${resident.id}/plan`, head, {
      assignedWorkerId: picked.id,
      doctorId: doctor.id,
    });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      assignedWorkerId: picked.id,
      assignedWorkerName: "第1网格 网格员 新人",
      doctorId: doctor.id,
      doctorName: doctor.displayName,
    });
    const [ev] = await q(
      `select username, before, after from audit_events where entity = 'care_plan' and entity_id = $1
       order by id desc limit 1`,
      [String(resident.id)],
    );
    expect(ev.username).toBe("care-head-g01");
    expect(ev.before).toMatchObject({
      assignedWorkerId: before.assignedWorkerId,
      doctorId: before.doctorId,
    });
    expect(ev.after).toMatchObject({ assignedWorkerId: picked.id, doctorId: doctor.id });

    // On the new worker's list (and only that resident), off the previous worker's.
    const mine = (await get("/api/care/visits/due?mine=true&state=all", worker2)).json();
    expect(mine.items.map((i: any) => i.residentId)).toEqual([resident.id]);
    expect(mine.items[0]).toMatchObject({ assignedWorkerId: picked.id, doctorId: doctor.id });
    const previous = (await get("/api/care/visits/due?mine=true&state=all", grid)).json();
    expect(previous.items.some((i: any) => i.residentId === resident.id)).toBe(false);

    // The assignee cannot hand the resident back on their own: unassigning needs the head too.
    expect(
      (await put(`/api/care/residents/${resident.id}/plan`, worker2, { assignedWorkerId: null })).statusCode,
    ).toBe(403);
  });

  it("lets the district configure referral hospitals", async () => {
    const put = (headers: H, items: unknown) =>
      t.app.inject({ method: "PUT", url: "/api/care/hospitals", headers, payload: { items } });
    const items = [
      { code: "ntu-affiliated", name: "南通大学附属医院" },
      { code: "nantong-first", name: "南通市第一人民医院" },
      { code: "nantong-tcm", name: "南通市中医院" },
    ];
    expect((await put(community, items)).statusCode).toBe(403);
    expect((await put(admin, [{ code: "A B", name: "" }])).statusCode).toBe(400);
    expect((await put(admin, items)).statusCode).toBe(200);
    expect((await get("/api/care/hospitals", doctor)).json().items).toHaveLength(3);
    const r = await post("/api/care/referrals", doctor, {
      residentId: inG1[4].id,
      hospital: "南通市中医院",
      reason: "中医调理",
    });
    expect(r.statusCode).toBe(201);
    expect(r.json().hospitalCode).toBe("nantong-tcm");
  });
});
