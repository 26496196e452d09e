import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, DB_KINDS, type Headers, type TestApp } from "../../../../test/helpers/app.ts";
import { addAccount } from "../accounts/index.ts";

// Care's access rules as people meet them: a hospital's liaison moves the referrals to their hospital and
// sees nothing else; records outside the caller's subtree are 404 like missing ones; a family doctor acts
// only on their own residents (403); fields a caller may not set are refused with nothing changed; a
// follow-up keeps its alert in the day's list.

describe.each(DB_KINDS)("care access on %s", (kind) => {
  let t: TestApp;
  let liaison: Headers;
  let doctor: Headers;
  let otherDoctor: Headers;
  let grid: Headers;
  let community: Headers;
  let doctorId: number;
  let liaisonId: number;
  let g1: { path: string };
  let g2: { path: string };
  let inG1: { id: number }[];
  let inG2: { id: number }[];

  const q = <T = any>(text: string, params: unknown[] = []) => t.ctx.database.query<T>(text, params);
  const get = (url: string, headers: Headers) => t.app.inject({ url, headers });
  const send = (method: "POST" | "PUT", url: string, headers: Headers, payload: unknown) =>
    t.app.inject({ method, url, headers, payload: payload as object });
  const post = (url: string, headers: Headers, payload: unknown) => send("POST", url, headers, payload);
  const count = async (sql: string, params: unknown[] = []) =>
    (await q<{ n: number }>(`select count(*)::int as n from ${sql}`, params))[0].n;

  beforeAll(async () => {
    t = await createTestApp(kind);
    await addAccount(t.ctx.database, {
      username: "access-doctor-2",
      displayName: "另一位家庭医生",
      role: "doctor",
      org: "320613019",
      password: "Doctor1234",
    });
    [liaison, doctor, otherDoctor, grid, community] = await Promise.all([
      t.login("demo-hospital"),
      t.login("demo-doctor"),
      t.login("access-doctor-2", "Doctor1234"),
      t.login("demo-grid"),
      t.login("demo-community"),
    ]);
    [{ id: doctorId }] = await q("select id from accounts where username = 'demo-doctor'");
    [{ id: liaisonId }] = await q("select id from accounts where username = 'demo-hospital'");
    [g1] = await q("select path from org_units where code = '320613019010-G01'");
    [g2] = await q("select path from org_units where code = '320613019010-G02'");
    inG1 = await q("select id from residents where org_path like $1 and tags <> '{}' order by id limit 6", [
      `${g1.path}%`,
    ]);
    inG2 = await q("select id from residents where org_path like $1 and tags <> '{}' order by id limit 3", [
      `${g2.path}%`,
    ]);
    // These residents are the demo doctor's, so the rules below are about whose they are.
    await q("update care_plans set doctor_id = $1 where resident_id = any($2::int[])", [
      doctorId,
      [...inG1, ...inG2].map((r) => r.id),
    ]);
  });
  afterAll(() => t?.close());

  it("lets the hospital's liaison accept, schedule, complete and return its referrals, and see no others", async () => {
    expect(await q("select hospital_code from hospital_liaisons where account_id = $1", [liaisonId])).toEqual(
      [{ hospital_code: "ntu-affiliated" }],
    );
    const ours = await post("/api/care/referrals", doctor, {
      residentId: inG1[0].id,
      hospital: "南通大学附属医院",
      department: "心内科",
      reason: "血压控制不佳",
    });
    expect(ours.statusCode, ours.body).toBe(201);
    const theirs = await post("/api/care/referrals", doctor, {
      residentId: inG1[1].id,
      hospital: "南通市第一人民医院",
      reason: "复查",
    });
    expect(theirs.statusCode).toBe(201);

    // The list holds only this hospital's referrals (the demo's two and the new one), no one else's.
    const list = await get("/api/care/referrals?state=requested", liaison);
    expect(list.statusCode).toBe(200);
    const items = list.json().items as { id: number; hospitalCode: string }[];
    expect(items.map((i) => i.id)).toContain(ours.json().id);
    expect(items.every((i) => i.hospitalCode === "ntu-affiliated")).toBe(true);
    expect(items.length).toBeGreaterThanOrEqual(3);
    // Another hospital's referral is as absent as a missing one.
    const other = theirs.json().id;
    expect((await get(`/api/care/referrals/${other}`, liaison)).statusCode).toBe(404);
    expect((await post(`/api/care/referrals/${other}/actions/accept`, liaison, {})).statusCode).toBe(404);
    expect((await get("/api/care/referrals/999999", liaison)).statusCode).toBe(404);
    expect((await q("select state from referrals where id = $1", [other]))[0].state).toBe("requested");

    const id = ours.json().id;
    const act = (action: string, body: Record<string, unknown> = {}) =>
      post(`/api/care/referrals/${id}/actions/${action}`, liaison, body);
    const accepted = await act("accept");
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json().state).toBe("accepted");
    expect(accepted.json().allowedActions.map((a: any) => a.action)).toEqual(["schedule", "decline"]);
    const at = new Date(Date.now() + 2 * 86_400_000).toISOString();
    expect((await act("schedule", { appointmentAt: at })).json().state).toBe("scheduled");
    expect((await act("complete", { note: "已就诊" })).json().state).toBe("completed");
    expect((await act("return_to_community")).statusCode).toBe(400); // the advice is required
    const back = await act("return_to_community", { note: "调整降压方案，社区每周测压" });
    expect(back.statusCode).toBe(200);
    expect(back.json().state).toBe("returned_to_community");
    const detail = (await get(`/api/care/referrals/${id}`, liaison)).json();
    expect(detail.events.map((e: any) => [e.action, e.role])).toEqual([
      ["request", "doctor"],
      ["accept", "hospital_liaison"],
      ["schedule", "hospital_liaison"],
      ["complete", "hospital_liaison"],
      ["return_to_community", "hospital_liaison"],
    ]);
    const [note] = await q(
      "select recipient_account_id from notifications where kind = 'referral_returned' order by id desc limit 1",
    );
    expect(note.recipient_account_id).toBe(doctorId);
    expect(await count("audit_events where username = 'demo-hospital' and action = 'referral_accept'")).toBe(
      1,
    );
  });

  it("keeps the liaison out of everything but referrals, and out of the doctor's steps", async () => {
    const r = inG1[0].id;
    for (const url of [
      `/api/care/residents/${r}/health`,
      `/api/care/residents/${r}/visits`,
      `/api/care/residents/${r}/plan`,
      "/api/care/alerts",
      "/api/care/ledger",
      "/api/care/visits/due",
    ])
      expect((await get(url, liaison)).statusCode, url).toBe(403);
    expect(
      (
        await post("/api/care/referrals", liaison, {
          residentId: r,
          hospital: "南通大学附属医院",
          reason: "x",
        })
      ).statusCode,
    ).toBe(403);
    const ref = await post("/api/care/referrals", doctor, {
      residentId: inG1[2].id,
      hospital: "南通大学附属医院",
      reason: "复查",
    });
    // Cancelling is the requester's step, not the hospital's (it declines instead).
    expect((await post(`/api/care/referrals/${ref.json().id}/actions/cancel`, liaison, {})).statusCode).toBe(
      403,
    );
    // …and accepting is the hospital's, not the doctor's.
    expect((await post(`/api/care/referrals/${ref.json().id}/actions/accept`, doctor, {})).statusCode).toBe(
      403,
    );
  });

  it("answers 404 for care records outside the caller's subtree, as for missing ones", async () => {
    const ref = await post("/api/care/referrals", doctor, {
      residentId: inG2[0].id,
      hospital: "南通大学附属医院",
      reason: "复查",
    });
    expect(ref.statusCode).toBe(201);
    // 第1网格's worker does not learn that 第2网格's referral exists.
    expect((await get(`/api/care/referrals/${ref.json().id}`, grid)).statusCode).toBe(404);
    expect((await get("/api/care/referrals/999999", grid)).statusCode).toBe(404);
    const out = inG2[1].id;
    for (const url of [
      `/api/care/residents/${out}/plan`,
      `/api/care/residents/${out}/tags`,
      `/api/care/residents/${out}/health`,
      `/api/care/residents/${out}/visits`,
    ])
      expect((await get(url, grid)).statusCode, url).toBe(404);
    expect(
      (await send("PUT", `/api/care/residents/${out}/plan`, grid, { frequencyOverride: "weekly" }))
        .statusCode,
    ).toBe(404);
    expect(
      (await get(`/api/care/referrals?state=requested`, grid)).json().items.map((i: any) => i.id),
    ).not.toContain(ref.json().id);
  });

  it("lets a family doctor act only on their own residents (403), with nothing stored", async () => {
    const r = inG1[3].id;
    const before = await count("care_consultations where resident_id = $1", [r]);
    const contracts = await count("doctor_contracts where resident_id = $1", [r]);
    const c = await post("/api/care/consultations", otherDoctor, {
      residentId: r,
      mode: "phone",
      summary: "电话随访",
    });
    expect(c.statusCode).toBe(403);
    expect(c.json().error.message).toContain("其他签约家庭医生");
    expect(await count("care_consultations where resident_id = $1", [r])).toBe(before);
    const f = await post("/api/care/referrals", otherDoctor, {
      residentId: r,
      hospital: "南通大学附属医院",
      reason: "复查",
    });
    expect(f.statusCode).toBe(403);
    // A doctor signs only in their own name.
    const s = await post("/api/care/contracts", otherDoctor, {
      residentId: r,
      doctorId,
      servicePackage: "basic",
      start: "2026-01-01",
      end: "2026-12-31",
    });
    expect(s.statusCode).toBe(403);
    expect(await count("doctor_contracts where resident_id = $1", [r])).toBe(contracts);
    // Their own resident: allowed.
    const own = await post("/api/care/consultations", doctor, {
      residentId: r,
      mode: "phone",
      summary: "电话随访",
    });
    expect(own.statusCode).toBe(201);
  });

  it("refuses fields a caller may not set, changing nothing", async () => {
    const r = inG1[4].id;
    const [plan] = await q(
      "select assigned_worker_id, doctor_id, org_path from care_plans where resident_id = $1",
      [r],
    );
    for (const payload of [
      { orgPath: "/" },
      { residentId: inG2[0].id },
      { lastVisitAt: "2026-01-01T00:00:00Z" },
    ])
      expect((await send("PUT", `/api/care/residents/${r}/plan`, community, payload)).statusCode).toBe(400);
    // The grid worker may change the frequency but not choose who looks after the resident.
    expect(
      (await send("PUT", `/api/care/residents/${r}/plan`, grid, { assignedWorkerId: 1 })).statusCode,
    ).toBe(403);
    expect(
      await q("select assigned_worker_id, doctor_id, org_path from care_plans where resident_id = $1", [r]),
    ).toEqual([plan]);
    const visits = await count("care_visits");
    const v = await post("/api/care/visits", grid, {
      clientId: "mass-1",
      residentId: r,
      kind: "door",
      visitedAt: new Date(Date.now() - 60_000).toISOString(),
      durationMinutes: 10,
      visitorId: doctorId,
    });
    expect(v.statusCode).toBe(400);
    const f = await post("/api/care/referrals", doctor, {
      residentId: r,
      hospital: "南通大学附属医院",
      reason: "复查",
      state: "completed",
    });
    expect(f.statusCode).toBe(400);
    expect(await count("care_visits")).toBe(visits);
    expect(await count("referrals where resident_id = $1", [r])).toBe(0);
    expect(
      (
        await post("/api/care/contracts", doctor, {
          residentId: r,
          servicePackage: "basic",
          start: "2026-01-01",
          end: "2026-12-31",
          orgPath: "/",
        })
      ).statusCode,
    ).toBe(400);
  });

  it("keeps an alert in the day's list after its follow-up, marked handled", async () => {
    const r = inG1[5].id;
    const v = await post("/api/care/visits", grid, {
      clientId: "alert-keep-1",
      residentId: r,
      kind: "door",
      visitedAt: new Date(Date.now() - 60_000).toISOString(),
      durationMinutes: 10,
      vitals: { systolic: 185, diastolic: 115 },
    });
    expect(v.statusCode, v.body).toBe(201);
    const alertId = v.json().alert.id;
    const since = new Date(Date.now() - 3600_000).toISOString();
    const day = () => get(`/api/care/alerts?state=open&handledSince=${encodeURIComponent(since)}`, doctor);
    expect((await day()).json().items.find((a: any) => a.id === alertId).state).toBe("open");
    const c = await post("/api/care/consultations", doctor, {
      residentId: r,
      mode: "phone",
      summary: "电话随访，嘱复测",
      alertId,
    });
    expect(c.statusCode).toBe(201);
    const kept = (await day()).json().items.find((a: any) => a.id === alertId);
    expect(kept).toMatchObject({ state: "acknowledged", ackBy: doctorId });
    // Without the day's window the open list is only the open ones, as before.
    expect(
      (await get("/api/care/alerts?state=open", doctor)).json().items.map((a: any) => a.id),
    ).not.toContain(alertId);
  });
  it("keeps a visit's check-in and photos, re-encoded, for care roles in scope only", async () => {
    const r = inG1[4].id;
    const v = await post("/api/care/visits", grid, {
      clientId: "photo-visit-1",
      residentId: r,
      kind: "door",
      visitedAt: new Date(Date.now() - 60_000).toISOString(),
      durationMinutes: 15,
      findings: "楼道扶手松动",
      location: { lat: 32.0301, long: 120.9012, accuracy: 12 },
    });
    expect(v.statusCode, v.body).toBe(201);
    const visitId = v.json().visit.id;
    expect(v.json().visit.location).toEqual({ lat: 32.0301, long: 120.9012, accuracy: 12 });
    const far = await post("/api/care/visits", grid, {
      clientId: "photo-visit-2",
      residentId: r,
      kind: "door",
      visitedAt: new Date().toISOString(),
      durationMinutes: 15,
      location: { lat: 200, long: 120.9 },
    });
    expect(far.statusCode).toBe(400);

    const png = await sharp({ create: { width: 24, height: 16, channels: 3, background: "#c00" } })
      .png()
      .toBuffer();
    const upload = (headers: Headers, body: Buffer, type = "image/png", id = visitId) =>
      t.app.inject({
        method: "POST",
        url: `/api/care/visits/${id}/photos`,
        headers: { ...headers, "content-type": type },
        payload: body,
      });
    const up = await upload(grid, png);
    expect(up.statusCode, up.body).toBe(201);
    expect(up.json()).toMatchObject({ visitId, mime: "image/png" });
    // Something that only starts like a picture is refused; the doctor did not take this visit's photos.
    const impostor = Buffer.concat([Buffer.from("GIF89a"), Buffer.from("<script>alert(1)</script>")]);
    expect((await upload(grid, impostor, "image/gif")).statusCode).toBe(415);
    expect((await upload(doctor, png)).statusCode).toBe(403);
    expect((await upload(grid, png, "image/png", 999_999)).statusCode).toBe(404);

    const list = await get(`/api/care/visits/${visitId}/photos`, doctor);
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toHaveLength(1);
    const photo = await get(`/api/care/photos/${up.json().id}`, doctor);
    expect(photo.statusCode).toBe(200);
    expect(photo.headers["content-type"]).toBe("image/png");
    expect((await sharp(photo.rawPayload).metadata()).width).toBe(24);
    expect((await get(`/api/care/photos/${up.json().id}`, liaison)).statusCode).toBe(403);
    const visits = (await get(`/api/care/residents/${r}/visits`, doctor)).json().items;
    expect(visits.find((x: any) => x.id === visitId).photoIds).toEqual([up.json().id]);

    // Nine at most.
    for (let i = 1; i < 9; i++) expect((await upload(grid, png)).statusCode).toBe(201);
    expect((await upload(grid, png)).statusCode).toBe(409);
    expect(await count("care_visit_photos where visit_id = $1", [visitId])).toBe(9);
  });
});
