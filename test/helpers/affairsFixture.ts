import { composeCreditCode } from "../../src/domain/affairs/creditCode.ts";
import { FIVE_HAVES } from "../../src/server/modules/affairs/index.ts";
import type { TestApp } from "./app.ts";

// Records of the community-affairs module for the route × role access table: each made at a path inside
// every account's scope (grid G01) or outside all below district (the moved G02), fresh per call where the
// route changes its state.

type Where = "in" | "out";

export interface AffairsFixture {
  proposal(w: Where): Promise<number>;
  project(w: Where, state?: "draft" | "published"): Promise<number>;
  /** A unit's list for a quarter of its own (a fresh one each call), to be closed. */
  quarterList(orgUnitId: number): Promise<{ orgUnitId: number; quarter: string }>;
  update: { in: number; out: number };
  photo: { in: number; out: number };
  topic(w: Where, vote?: boolean): Promise<number>;
  action(w: Where): Promise<number>;
  keyProject: { in: number; out: number };
  report: { in: number; out: number };
  enterprise(w: Where): Promise<number>;
  template: { in: number; out: number };
  fiveHaves: number;
  /** A fresh assignment of a fresh enterprise to this account, in or out. */
  assignment(w: Where, username: string): Promise<{ campaignId: number; enterpriseId: number }>;
  inspection(w: Where, username: string): Promise<number>;
  rectification(w: Where, kind: "open" | "overdue" | "closed_active"): Promise<number>;
  creditCode(): string;
}

export async function affairsFixture(
  t: TestApp,
  at: { in: { id: number; path: string }; out: { id: number; path: string } },
): Promise<AffairsFixture> {
  const db = t.ctx.database;
  const one = async (sql: string, params: unknown[]) => {
    const [r] = await db.query<{ id: number }>(sql, params);
    if (!r) throw new Error(`affairs fixture: nothing for ${sql}`);
    return r.id;
  };
  const u = (w: Where) => at[w];
  let n = 0;
  const creditCode = () => composeCreditCode(`91320613MA${String(900_000 + ++n).padStart(7, "0")}`);
  const project = (w: Where, state: "draft" | "published" = "published") =>
    one(
      `insert into practical_projects (org_unit_id, org_path, quarter, title, budget, owner, deadline, state)
       values ($1, $2, '2026Q4', '权限测试项目', 1000, '社区居委会', '2026-12-31', $3) returning id`,
      [u(w).id, u(w).path, state],
    );
  let year = 2000;
  const quarterList = async (orgUnitId: number) => {
    const quarter = `${++year}Q1`;
    await one(
      `insert into practical_projects (org_unit_id, org_path, quarter, title, budget, owner, deadline, state)
       select id, path, $2, '归档测试项目', 1000, '社区居委会', '2026-03-31', 'published' from org_units where id = $1
       returning id`,
      [orgUnitId, quarter],
    );
    return { orgUnitId, quarter };
  };
  const both = async (make: (w: Where) => Promise<number>) => ({
    in: await make("in"),
    out: await make("out"),
  });
  const update = await both(async (w) =>
    one(
      "insert into project_updates (project_id, org_path, note, progress) values ($1, $2, '进度', 10) returning id",
      [await project(w), u(w).path],
    ),
  );
  const photo = await both((w) =>
    one(
      "insert into affairs_photos (entity, entity_id, org_path, data, type) values ('project_update', $1, $2, $3, 'image/png') returning id",
      [update[w], u(w).path, Buffer.from("89504e47", "hex")],
    ),
  );
  const topic = (w: Where, vote = false) =>
    one(
      `insert into deliberations (org_unit_id, org_path, title, background, source, vote_question, vote_options, vote_open)
       values ($1, $2, '权限测试议题', '背景', 'resident', $3, $4, $5) returning id`,
      [u(w).id, u(w).path, vote ? "是否同意" : null, vote ? ["同意", "不同意"] : null, vote],
    );
  const keyProject = await both(async (w) => {
    const id = await one(
      `insert into key_projects (org_unit_id, org_path, name, owner, starts_on, ends_on)
       values ($1, $2, '权限测试工程', '区重点办', '2026-01-01', '2026-12-31') returning id`,
      [u(w).id, u(w).path],
    );
    await db.query(
      "insert into key_project_milestones (project_id, org_path, seq, title, weight, due) values ($1, $2, 1, '竣工', 100, '2026-12-31')",
      [id, u(w).path],
    );
    return id;
  });
  const report = await both((w) =>
    one("insert into key_project_reports (project_id, org_path, note) values ($1, $2, '周报') returning id", [
      keyProject[w],
      u(w).path,
    ]),
  );
  const enterprise = (w: Where) =>
    one(
      `insert into enterprises (org_unit_id, org_path, name, credit_code, address, contact_name, industry, size)
       values ($1, $2, '权限测试企业', $3, '测试路1号', '王经理', '制造业', 'small') returning id`,
      [u(w).id, u(w).path, creditCode()],
    );
  const template = await both((w) =>
    one(
      "insert into checklist_templates (org_path, name, items) values ($1, '权限测试模板', $2::jsonb) returning id",
      [u(w).path, JSON.stringify(FIVE_HAVES)],
    ),
  );
  const fiveHaves = await one(
    "select id from checklist_templates where name like '%五有%' order by id limit 1",
    [],
  );
  const accountId = (username: string) => one("select id from accounts where username = $1", [username]);
  const assignment = async (w: Where, username: string) => {
    const enterpriseId = await enterprise(w);
    const campaignId = await one(
      `insert into inspection_campaigns (org_unit_id, org_path, name, template_id, starts_on, ends_on)
       values ($1, $2, '权限测试检查', $3, '2026-11-01', '2026-12-31') returning id`,
      [u(w).id, u(w).path, fiveHaves],
    );
    await db.query(
      "insert into inspection_assignments (campaign_id, enterprise_id, inspector_id, org_path) values ($1, $2, $3, $4)",
      [campaignId, enterpriseId, await accountId(username), u(w).path],
    );
    return { campaignId, enterpriseId };
  };
  const inspection = async (w: Where, username: string) =>
    one(
      `insert into inspections (enterprise_id, org_path, inspector_id, results, failed) values ($1, $2, $3, '[]'::jsonb, 0) returning id`,
      [await enterprise(w), u(w).path, await accountId(username)],
    );
  const rectification = async (w: Where, kind: "open" | "overdue" | "closed_active") =>
    one(
      `insert into rectifications (enterprise_id, inspection_id, org_path, item_code, item_text, finding, deadline, state, enforcement)
       values ($1, 0, $2, 'supplies', '有适量防护物资储备', '储备不足', $3, $4, $5) returning id`,
      [
        await enterprise(w),
        u(w).path,
        kind === "overdue" ? "2026-01-01" : "2099-12-31",
        kind === "closed_active" ? "closed" : "open",
        kind === "closed_active" ? "active" : "none",
      ],
    );
  return {
    quarterList,
    proposal: (w) =>
      one(
        "insert into project_proposals (org_unit_id, org_path, source, title, detail) values ($1, $2, 'resident', '权限测试', '内容') returning id",
        [u(w).id, u(w).path],
      ),
    project,
    update,
    photo,
    topic,
    action: async (w) =>
      one(
        "insert into deliberation_actions (deliberation_id, org_path, title, owner, due) values ($1, $2, '测试事项', '社区', '2026-12-31') returning id",
        [await topic(w), u(w).path],
      ),
    keyProject,
    report,
    enterprise,
    template,
    fiveHaves,
    assignment,
    inspection,
    rectification,
    creditCode,
  };
}
