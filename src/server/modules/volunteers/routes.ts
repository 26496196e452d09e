import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { sendDownload } from "../../platform/download.ts";
import { acceptPhotoBodies } from "../../platform/photos.ts";
import {
  Id,
  IdParams,
  Int,
  Items,
  Line,
  Month,
  OneOf,
  Str,
  stdErrors,
  Text,
  Time,
  Type,
} from "../../platform/schemas.ts";
import * as ledger from "./ledger.ts";
import * as members from "./members.ts";
import {
  AttendSchema,
  CallOutListItem,
  CallOutSchema,
  ExpertSchema,
  ItemSchema,
  LeaderboardSchema,
  LedgerSchema,
  MemberLedgerSchema,
  MemberListItem,
  MeSchema,
  RedemptionListItem,
  RedemptionSchema,
  RequestSchema,
  ReversalSchema,
  RollCandidate,
  RollSchema,
  RulesSchema,
  StateSchema,
  TaskDetailSchema,
  TaskListItem,
  TeamListItem,
  WishSchema,
} from "./presenter.ts";
import * as reminders from "./reminders.ts";
import * as rules from "./rules.ts";
import * as tasks from "./tasks.ts";
import * as teams from "./teams.ts";
import * as wishes from "./wishes.ts";

const T = ["volunteers"];
const B = { additionalProperties: false } as const;
const Skills = Type.Array(Line({ maxLength: 20, minLength: 1 }), { maxItems: 20 });
const Specialty = OneOf(members.SPECIALTIES);

export async function volunteerRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;
  acceptPhotoBodies(app);

  // ——— the member ———
  app.get(
    "/api/volunteers/me",
    {
      schema: {
        tags: T,
        summary: "我的报到信息、积分余额和服务时长",
        response: { 200: MeSchema, ...stdErrors },
      },
    },
    async (req) => members.me(ctx, req.actor),
  );
  app.post(
    "/api/volunteers/me/registration",
    {
      schema: {
        tags: T,
        summary: "向所在社区报到（亮身份）：同一身份证号只能报到一次（409）",
        body: Type.Object(
          {
            kind: OneOf(members.MEMBER_KINDS),
            name: Line({ minLength: 2, maxLength: 20 }),
            idNumber: Line({ minLength: 15, maxLength: 18 }),
            phone: Type.Optional(Line({ maxLength: 11, pattern: "^1[3-9]\\d{9}$" })),
            workUnit: Type.Optional(Line({ maxLength: 60 })),
            partyBranch: Type.Optional(Line({ maxLength: 60 })),
            skills: Skills,
            specialties: Type.Array(Specialty, { maxItems: 7 }),
            availability: Type.Optional(Line({ maxLength: 60 })),
          },
          B,
        ),
        response: { 201: StateSchema, ...stdErrors },
      },
    },
    async (req, reply) => reply.status(201).send(await members.register(ctx, req.actor, req.body)),
  );
  app.get(
    "/api/volunteers/ledger",
    { schema: { tags: T, summary: "我的积分明细", response: { 200: LedgerSchema, ...stdErrors } } },
    async (req) => ledger.myLedger(ctx, req.actor),
  );

  // ——— members (the community) ———
  app.get(
    "/api/volunteers/members",
    {
      schema: {
        tags: T,
        summary: "报到名册（待确认的在前）",
        querystring: Type.Object(
          {
            state: Type.Optional(OneOf(["pending", "confirmed", "rejected"] as const)),
            specialty: Type.Optional(Specialty),
            q: Type.Optional(Line({ maxLength: 30 })),
          },
          B,
        ),
        response: { 200: Items(MemberListItem), ...stdErrors },
      },
    },
    async (req) => ({ items: await members.listMembers(ctx, req.actor, req.query) }),
  );
  app.post(
    "/api/volunteers/members/:id/decision",
    {
      schema: {
        tags: T,
        summary: "确认或驳回报到（驳回须写原因）",
        params: IdParams,
        body: Type.Object(
          {
            decision: OneOf(["confirm", "reject"] as const),
            reason: Type.Optional(Line({ maxLength: 200 })),
          },
          B,
        ),
        response: { 200: StateSchema, ...stdErrors },
      },
    },
    async (req) => members.decide(ctx, req.actor, req.params.id, req.body),
  );
  app.get(
    "/api/volunteers/members/:id/ledger",
    {
      schema: {
        tags: T,
        summary: "志愿者的积分明细（社区查看）",
        params: IdParams,
        response: { 200: MemberLedgerSchema, ...stdErrors },
      },
    },
    async (req) => ledger.memberLedgerFor(ctx, req.actor, req.params.id),
  );
  app.post(
    "/api/volunteers/awards/:id/reverse",
    {
      schema: {
        tags: T,
        summary: "撤销一笔积分奖励（写原因）：积分、时长和任务数一并退回；撤销后余额为负时 409",
        params: IdParams,
        body: Type.Object({ reason: Line({ minLength: 2, maxLength: 200 }) }, B),
        response: { 200: ReversalSchema, ...stdErrors },
      },
    },
    async (req) => ledger.reverseAward(ctx, req.actor, req.params.id, req.body.reason),
  );

  // ——— tasks ———
  app.get(
    "/api/volunteers/tasks",
    {
      schema: {
        tags: T,
        summary: "本社区的任务和岗位（志愿者看到自己的认领状态）",
        querystring: Type.Object({ all: Type.Optional(Type.Boolean()) }, B),
        response: { 200: Items(TaskListItem), ...stdErrors },
      },
    },
    async (req) => ({ items: await tasks.listTasks(ctx, req.actor, req.query) }),
  );
  app.post(
    "/api/volunteers/tasks",
    {
      schema: {
        tags: T,
        summary: "发布任务或岗位（社区或网格）",
        body: Type.Object(
          {
            kind: OneOf(["task", "post"] as const),
            title: Line({ minLength: 2, maxLength: 40 }),
            description: Type.Optional(Text({ maxLength: 1000 })),
            place: Line({ minLength: 2, maxLength: 80 }),
            orgUnitId: Id,
            startsAt: Type.String({ format: "date-time" }),
            endsAt: Type.String({ format: "date-time" }),
            capacity: Int(1, 1000),
            requiredSkills: Skills,
            cancelCutoffMinutes: Type.Optional(Int(0, 7 * 24 * 60)),
          },
          B,
        ),
        response: { 201: Type.Object({ id: Type.Integer() }), ...stdErrors },
      },
    },
    async (req, reply) => reply.status(201).send(await tasks.publish(ctx, req.actor, req.body)),
  );
  app.get(
    "/api/volunteers/tasks/:id",
    {
      schema: {
        tags: T,
        summary: "任务详情：认领名单、候补、签到签退、签到二维码",
        params: IdParams,
        response: { 200: TaskDetailSchema, ...stdErrors },
      },
    },
    async (req) => tasks.taskDetail(ctx, req.actor, req.params.id),
  );
  app.post(
    "/api/volunteers/tasks/:id/claim",
    {
      schema: {
        tags: T,
        summary: "认领任务：名额满时进入候补",
        params: IdParams,
        response: { 200: Type.Object({ id: Type.Integer(), state: Str }), ...stdErrors },
      },
    },
    async (req) => tasks.claim(ctx, req.actor, req.params.id),
  );
  app.post(
    "/api/volunteers/tasks/:id/cancel",
    {
      schema: {
        tags: T,
        summary: "取消认领（开始前截止时间之前）；候补第一位自动转正",
        params: IdParams,
        response: {
          200: Type.Object({ state: Str, promotedClaimId: Type.Union([Type.Integer(), Type.Null()]) }),
          ...stdErrors,
        },
      },
    },
    async (req) => tasks.cancelClaim(ctx, req.actor, req.params.id),
  );
  app.post(
    "/api/volunteers/tasks/:id/close",
    {
      schema: {
        tags: T,
        summary: "结束任务：未签到的记为缺席",
        params: IdParams,
        response: { 200: Type.Object({ noShows: Type.Integer() }), ...stdErrors },
      },
    },
    async (req) => tasks.closeTask(ctx, req.actor, req.params.id),
  );
  for (const step of ["in", "out"] as const)
    app.post(
      `/api/volunteers/check-${step}`,
      {
        schema: {
          tags: T,
          summary: step === "in" ? "扫码签到（任务时段内）" : "扫码签退，计算服务时长",
          body: Type.Object({ token: Line({ minLength: 1, maxLength: 80 }) }, B),
          response: { 200: AttendSchema, ...stdErrors },
        },
      },
      async (req) => tasks.attend(ctx, req.actor, req.body.token, step),
    );
  app.post(
    "/api/volunteers/claims/:id/confirm",
    {
      schema: {
        tags: T,
        summary: "发布人确认服务时长（可更正），按社区规则发放积分（同一认领只发一次）",
        params: IdParams,
        body: Type.Object({ minutes: Type.Optional(Int(0, 24 * 60)) }, B),
        response: {
          200: Type.Object({ claimId: Type.Integer(), minutes: Type.Integer(), points: Type.Integer() }),
          ...stdErrors,
        },
      },
    },
    async (req) => tasks.confirmHours(ctx, req.actor, req.params.id, req.body.minutes),
  );

  // ——— points: catalogue, redemptions, rankings ———
  app.get(
    "/api/volunteers/catalogue",
    {
      schema: {
        tags: T,
        summary: "积分兑换目录（物业费抵扣、绿能卡、物品）",
        response: { 200: Items(ItemSchema), ...stdErrors },
      },
    },
    async (req) => ({ items: await ledger.catalogue(ctx, req.actor) }),
  );
  app.post(
    "/api/volunteers/catalogue",
    {
      schema: {
        tags: T,
        summary: "新增兑换项目",
        body: Type.Object(
          {
            communityId: Id,
            kind: OneOf(["property_fee", "green_card", "goods"] as const),
            name: Line({ minLength: 2, maxLength: 40 }),
            cost: Int(1, 100_000),
            stock: Int(0, 100_000),
          },
          B,
        ),
        response: { 201: ItemSchema, ...stdErrors },
      },
    },
    async (req, reply) => reply.status(201).send(await ledger.addItem(ctx, req.actor, req.body)),
  );
  app.post(
    "/api/volunteers/redemptions",
    {
      schema: {
        tags: T,
        summary: "兑换：积分或库存不足时 409，什么也不写",
        body: Type.Object({ itemId: Id }, B),
        response: { 201: RedemptionSchema, ...stdErrors },
      },
    },
    async (req, reply) => reply.status(201).send(await ledger.redeem(ctx, req.actor, req.body.itemId)),
  );
  app.get(
    "/api/volunteers/redemptions",
    { schema: { tags: T, summary: "兑换记录", response: { 200: Items(RedemptionListItem), ...stdErrors } } },
    async (req) => ({ items: await ledger.listRedemptions(ctx, req.actor) }),
  );
  app.post(
    "/api/volunteers/redemptions/:id/reverse",
    {
      schema: {
        tags: T,
        summary: "撤销兑换（写原因）：积分和库存退回",
        params: IdParams,
        body: Type.Object({ reason: Line({ minLength: 2, maxLength: 200 }) }, B),
        response: { 200: StateSchema, ...stdErrors },
      },
    },
    async (req) => ledger.reverseRedemption(ctx, req.actor, req.params.id, req.body.reason),
  );
  app.get(
    "/api/volunteers/leaderboard",
    {
      schema: {
        tags: T,
        summary: "月度 / 季度排行（积分、时长或任务数），社区、街道或全区",
        querystring: Type.Object(
          {
            period: OneOf(["month", "quarter"] as const),
            at: Type.Optional(Month),
            by: Type.Optional(OneOf(["points", "hours", "tasks"] as const)),
            org: Type.Optional(Id),
            limit: Type.Optional(Int(1, 200)),
          },
          B,
        ),
        response: { 200: LeaderboardSchema, ...stdErrors },
      },
    },
    async (req) =>
      ledger.leaderboard(ctx, req.actor, {
        period: req.query.period,
        at: req.query.at,
        by: req.query.by ?? "points",
        org: req.query.org,
        limit: req.query.limit ?? 50,
      }),
  );
  app.post(
    "/api/volunteers/reminders",
    {
      schema: {
        tags: T,
        summary: "提醒本季度服务时长低于社区最低要求的成员（每人每季度一次，经消息发出）",
        body: Type.Object({ at: Type.Optional(Month) }, B),
        response: {
          200: Type.Object({
            quarter: Type.String(),
            below: Type.Integer(),
            sent: Type.Integer(),
            alreadyReminded: Type.Integer(),
          }),
          ...stdErrors,
        },
      },
    },
    async (req) => reminders.remindBelowMinimum(ctx, req.actor, req.body),
  );
  app.get(
    "/api/volunteers/reports/work-unit",
    {
      schema: {
        tags: T,
        summary: "给工作单位的在职党员服务报表（xlsx）",
        querystring: Type.Object(
          {
            workUnit: Line({ minLength: 2, maxLength: 60 }),
            period: OneOf(["month", "quarter"] as const),
            at: Month,
          },
          B,
        ),
        response: { 200: Type.Unsafe<Buffer>({ type: "string", format: "binary" }), ...stdErrors },
      },
    },
    async (req, reply) => {
      const buf = await wishes.workUnitReport(ctx, req.actor, req.query);
      return sendDownload(reply, {
        kind: "xlsx",
        filename: `${req.query.workUnit}-志愿服务-${req.query.at}.xlsx`,
        fallback: `volunteer-services-${req.query.at}.xlsx`,
        body: buf,
      });
    },
  );

  // ——— micro-wishes ———
  app.get(
    "/api/volunteers/wishes",
    {
      schema: {
        tags: T,
        summary: "微心愿（志愿者只看到心愿墙上的脱敏内容）",
        response: { 200: Items(WishSchema), ...stdErrors },
      },
    },
    async (req) => ({ items: await wishes.listWishes(ctx, req.actor) }),
  );
  app.post(
    "/api/volunteers/wishes",
    {
      schema: {
        tags: T,
        summary: "网格员代居民登记微心愿（待社区审核）",
        body: Type.Object(
          {
            orgUnitId: Id,
            residentId: Type.Optional(Id),
            title: Line({ minLength: 2, maxLength: 40 }),
            detail: Text({ minLength: 2, maxLength: 1000 }),
          },
          B,
        ),
        response: { 201: StateSchema, ...stdErrors },
      },
    },
    async (req, reply) => reply.status(201).send(await wishes.postWish(ctx, req.actor, req.body)),
  );
  app.post(
    "/api/volunteers/wishes/:id/review",
    {
      schema: {
        tags: T,
        summary: "社区审核微心愿：发布到心愿墙或驳回",
        params: IdParams,
        body: Type.Object(
          {
            decision: OneOf(["publish", "reject"] as const),
            reason: Type.Optional(Line({ maxLength: 200 })),
          },
          B,
        ),
        response: { 200: StateSchema, ...stdErrors },
      },
    },
    async (req) => wishes.reviewWish(ctx, req.actor, req.params.id, req.body),
  );
  app.post(
    "/api/volunteers/wishes/:id/claim",
    {
      schema: {
        tags: T,
        summary: "认领微心愿（一个心愿只由一人认领）",
        params: IdParams,
        response: { 200: StateSchema, ...stdErrors },
      },
    },
    async (req) => wishes.claimWish(ctx, req.actor, req.params.id),
  );
  app.post(
    "/api/volunteers/wishes/:id/fulfil",
    {
      schema: {
        tags: T,
        summary: "上传圆梦照片（请求体为图片）",
        params: IdParams,
        querystring: Type.Object({ note: Type.Optional(Line({ maxLength: 200 })) }, B),
        response: {
          200: StateSchema,
          413: stdErrors[400],
          415: stdErrors[400],
          422: stdErrors[400],
          ...stdErrors,
        },
      },
    },
    async (req) => wishes.fulfilWish(ctx, req.actor, req.params.id, req.body, req.query.note ?? ""),
  );
  app.get(
    "/api/volunteers/wishes/:id/photo",
    {
      schema: {
        tags: T,
        summary: "圆梦照片",
        params: IdParams,
        response: { 200: Type.Unsafe<Buffer>({ type: "string", format: "binary" }), ...stdErrors },
      },
    },
    async (req, reply) => {
      const p = await wishes.wishPhoto(ctx, req.actor, req.params.id);
      return reply.type(p.type).header("cache-control", "private, no-store").send(p.data);
    },
  );
  app.post(
    "/api/volunteers/wishes/:id/confirm",
    {
      schema: {
        tags: T,
        summary: "网格员确认已圆梦，发放积分",
        params: IdParams,
        response: { 200: StateSchema, ...stdErrors },
      },
    },
    async (req) => wishes.confirmWish(ctx, req.actor, req.params.id),
  );

  // ——— 点单 and the expert pool ———
  app.get(
    "/api/volunteers/requests",
    {
      schema: {
        tags: T,
        summary: "居民点单（志愿者只看到派给自己的）",
        response: { 200: Items(RequestSchema), ...stdErrors },
      },
    },
    async (req) => ({ items: await wishes.listRequests(ctx, req.actor) }),
  );
  app.post(
    "/api/volunteers/requests",
    {
      schema: {
        tags: T,
        summary: "居民点单（网格员代录）",
        body: Type.Object(
          { orgUnitId: Id, specialty: Specialty, description: Text({ minLength: 2, maxLength: 1000 }) },
          B,
        ),
        response: { 201: StateSchema, ...stdErrors },
      },
    },
    async (req, reply) => reply.status(201).send(await wishes.createRequest(ctx, req.actor, req.body)),
  );
  const STEPS = {
    accept: ["网格接单", Type.Object({}, B)],
    dispatch: ["社区派单给专长相符的党员", Type.Object({ memberId: Id }, B)],
    respond: ["党员接单或谢绝（谢绝后回到社区重新派单）", Type.Object({ accept: Type.Boolean() }, B)],
    finish: ["党员完成服务", Type.Object({}, B)],
    rate: ["网格员代居民评价，发放积分", Type.Object({ rating: Int(1, 5) }, B)],
  } as const;
  for (const [step, [summary, body]] of Object.entries(STEPS) as [
    keyof typeof STEPS,
    (typeof STEPS)[keyof typeof STEPS],
  ][])
    app.post(
      `/api/volunteers/requests/:id/${step}`,
      {
        schema: {
          tags: T,
          summary: `点单：${summary}`,
          params: IdParams,
          body,
          response: { 200: StateSchema, ...stdErrors },
        },
      },
      async (req) =>
        wishes.requestStep(
          ctx,
          req.actor,
          req.params.id,
          step,
          (req.body ?? {}) as { memberId?: number; accept?: boolean; rating?: number },
        ),
    );
  app.get(
    "/api/volunteers/experts",
    {
      schema: {
        tags: T,
        summary: "党员专家库：按专长找已确认的党员",
        querystring: Type.Object({ specialty: Specialty }, B),
        response: { 200: Items(ExpertSchema), ...stdErrors },
      },
    },
    async (req) => ({ items: await wishes.experts(ctx, req.actor, req.query.specialty) }),
  );

  // ——— a community's rules 积分规则 ———
  const RulesBody = Type.Object(
    {
      pointsPerHour: Int(0, 1000, { description: "每服务 1 小时的积分" }),
      pointsPerWish: Int(0, 10_000, { description: "每圆梦一个微心愿的积分" }),
      pointsPerRequest: Int(0, 10_000, { description: "每完成一次点单的积分" }),
      quarterlyMinHours: Int(0, 500, { description: "每季度最低服务时长（小时），低于它的成员会收到提醒" }),
    },
    B,
  );
  app.get(
    "/api/volunteers/communities/:id/rules",
    {
      schema: {
        tags: T,
        summary: "社区的积分规则和每季度最低服务时长",
        params: IdParams,
        response: { 200: RulesSchema, ...stdErrors },
      },
    },
    async (req) => rules.rulesOf(ctx, req.actor, req.params.id),
  );
  app.put(
    "/api/volunteers/communities/:id/rules",
    {
      schema: {
        tags: T,
        summary: "修改社区的积分规则（社区改本社区，街道、区改下级社区）：此后的奖励和提醒按新规则",
        params: IdParams,
        body: RulesBody,
        response: { 200: RulesSchema, ...stdErrors },
      },
    },
    async (req) => rules.setRules(ctx, req.actor, req.params.id, req.body),
  );

  // ——— teams 志愿队 and functional party branches 功能型党支部 ———
  const TeamKind = OneOf(teams.TEAM_KINDS);
  app.get(
    "/api/volunteers/teams",
    {
      schema: {
        tags: T,
        summary: "队伍和功能型党支部（志愿者看到自己所在的）",
        querystring: Type.Object({ communityId: Type.Optional(Id) }, B),
        response: { 200: Items(TeamListItem), ...stdErrors },
      },
    },
    async (req) => ({ items: await teams.listTeams(ctx, req.actor, req.query) }),
  );
  app.post(
    "/api/volunteers/teams",
    {
      schema: {
        tags: T,
        summary: "为小区组建志愿队或功能型党支部，从本社区已确认的成员中指定书记（同社区重名 409）",
        body: Type.Object(
          {
            communityId: Id,
            kind: TeamKind,
            teamName: Line({ minLength: 2, maxLength: 40 }),
            complex: Line({ minLength: 2, maxLength: 60 }),
            secretaryMemberId: Id,
          },
          B,
        ),
        response: { 201: Type.Object({ id: Type.Integer() }), ...stdErrors },
      },
    },
    async (req, reply) => reply.status(201).send(await teams.formTeam(ctx, req.actor, req.body)),
  );
  app.patch(
    "/api/volunteers/teams/:id",
    {
      schema: {
        tags: T,
        summary: "修改队伍名称、小区或更换书记",
        params: IdParams,
        body: Type.Object(
          {
            teamName: Type.Optional(Line({ minLength: 2, maxLength: 40 })),
            complex: Type.Optional(Line({ minLength: 2, maxLength: 60 })),
            secretaryMemberId: Type.Optional(Id),
          },
          B,
        ),
        response: { 200: TeamListItem, ...stdErrors },
      },
    },
    async (req) => teams.editTeam(ctx, req.actor, req.params.id, req.body),
  );
  app.get(
    "/api/volunteers/teams/:id",
    {
      schema: {
        tags: T,
        summary: "队伍名册：在册人数、本季度加入和退出、每人本季度服务时长；退出的留有记录",
        params: IdParams,
        response: { 200: RollSchema, ...stdErrors },
      },
    },
    async (req) => teams.roll(ctx, req.actor, req.params.id),
  );
  app.get(
    "/api/volunteers/teams/:id/candidates",
    {
      schema: {
        tags: T,
        summary: "可加入名册的成员：本社区已确认、当前不在册的",
        params: IdParams,
        querystring: Type.Object({ q: Type.Optional(Line({ maxLength: 30 })) }, B),
        response: { 200: Items(RollCandidate), ...stdErrors },
      },
    },
    async (req) => ({ items: await teams.candidates(ctx, req.actor, req.params.id, req.query) }),
  );
  app.post(
    "/api/volunteers/teams/:id/members",
    {
      schema: {
        tags: T,
        summary: "把本社区已确认的成员加入名册（已在册 409）",
        params: IdParams,
        body: Type.Object({ memberId: Id }, B),
        response: {
          201: Type.Object({ id: Type.Integer(), memberId: Type.Integer(), joinedAt: Time }),
          ...stdErrors,
        },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await teams.addToRoll(ctx, req.actor, req.params.id, req.body.memberId)),
  );
  app.post(
    "/api/volunteers/teams/:id/members/:memberId/leave",
    {
      schema: {
        tags: T,
        summary: "移出名册（保留在册记录和退出原因）；书记须先由社区更换",
        params: Type.Object({ id: Id, memberId: Id }),
        body: Type.Object({ reason: Type.Optional(Line({ maxLength: 100 })) }, B),
        response: {
          200: Type.Object({ id: Type.Integer(), memberId: Type.Integer(), leftAt: Time }),
          ...stdErrors,
        },
      },
    },
    async (req) => teams.removeFromRoll(ctx, req.actor, req.params.id, req.params.memberId, req.body?.reason),
  );

  // ——— 集结号 ———
  app.get(
    "/api/volunteers/callouts",
    {
      schema: {
        tags: T,
        summary: "近 7 天的集结号",
        response: { 200: Items(CallOutListItem), ...stdErrors },
      },
    },
    async (req) => ({ items: await wishes.listCallOuts(ctx, req.actor) }),
  );
  app.post(
    "/api/volunteers/callouts",
    {
      schema: {
        tags: T,
        summary: "吹响集结号：通知范围内所有已确认的志愿者",
        body: Type.Object(
          {
            orgUnitId: Id,
            title: Line({ minLength: 2, maxLength: 40 }),
            body: Text({ minLength: 2, maxLength: 500 }),
          },
          B,
        ),
        response: { 201: Type.Object({ id: Type.Integer(), sent: Type.Integer() }), ...stdErrors },
      },
    },
    async (req, reply) => reply.status(201).send(await wishes.soundCallOut(ctx, req.actor, req.body)),
  );
  app.get(
    "/api/volunteers/callouts/:id",
    {
      schema: {
        tags: T,
        summary: "集结号的实时响应人数和名单",
        params: IdParams,
        response: { 200: CallOutSchema, ...stdErrors },
      },
    },
    async (req) => wishes.callOutView(ctx, req.actor, req.params.id),
  );
  app.post(
    "/api/volunteers/callouts/:id/respond",
    {
      schema: {
        tags: T,
        summary: "一键回应“我来了”",
        params: IdParams,
        response: { 200: Type.Object({ id: Type.Integer(), count: Type.Integer() }), ...stdErrors },
      },
    },
    async (req) => wishes.respondCallOut(ctx, req.actor, req.params.id),
  );
}
