import type { FastifyInstance } from "fastify";
import type { CarePlanConfig } from "../../../domain/care/plans.ts";
import type { Hospital } from "../../../domain/care/referrals.ts";
import { idParams } from "../../platform/schemas.ts";
import { bulkCards, residentCard } from "./cards.ts";
import {
  actOnReferral,
  createContract,
  createReferral,
  getReferral,
  healthTimeline,
  listHospitals,
  listReferrals,
  recordConsultation,
  setHospitals,
} from "./doctors.ts";
import { addTag, exportLedger, ledgerSummary, listLedger, removeTag, tagEvidence } from "./ledger.ts";
import { ledgerImportRoutes } from "./ledgerImportRoutes.ts";
import {
  communityParams,
  dueItem,
  errors,
  frequencyEnum,
  list,
  open,
  orgQuery,
  referralStateEnum,
  staffList,
  tagEnum,
  visitBody,
  visitResult,
} from "./schemas.ts";
import { listStaff, STAFF_ROLES } from "./staff.ts";
import { addMember, getTeam, onDutyPublic, setRoster } from "./teams.ts";
import { visitPhotoRoutes } from "./visitPhotos.ts";
import {
  acknowledgeAlert,
  dueVisits,
  getCareConfig,
  getPlan,
  listAlerts,
  listVisits,
  recordVisit,
  setCareConfig,
  updatePlan,
} from "./visits.ts";

export const XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

const T = ["care"];
const limitQuery = { limit: { type: "integer", minimum: 1, maximum: 500, default: 100 } } as const;

export async function careRoutes(app: FastifyInstance) {
  const ctx = app.ctx;

  await app.register(ledgerImportRoutes);
  await app.register(visitPhotoRoutes);

  // ——— ledger ———

  app.get<{ Querystring: { org?: number } }>(
    "/api/care/ledger/summary",
    {
      schema: {
        tags: T,
        summary: "重点人群台账：各网格分类统计（含一周未走访）",
        querystring: { type: "object", properties: orgQuery, additionalProperties: false },
        response: { 200: open, ...errors },
      },
    },
    async (req) => ledgerSummary(ctx, req.actor, req.query.org),
  );

  const ledgerFilter = {
    ...orgQuery,
    tag: tagEnum,
    notVisitedDays: { type: "integer", minimum: 0, maximum: 3650 },
  } as const;

  app.get<{
    Querystring: { org?: number; tag?: string; notVisitedDays?: number; page: number; pageSize: number };
  }>(
    "/api/care/ledger",
    {
      schema: {
        tags: T,
        summary: "重点人群名单：按组织、标签、未走访天数筛选",
        querystring: {
          type: "object",
          properties: {
            ...ledgerFilter,
            page: { type: "integer", minimum: 1, maximum: 10000, default: 1 },
            pageSize: { type: "integer", minimum: 1, maximum: 100, default: 20 },
          },
          additionalProperties: false,
        },
        response: { 200: list(), ...errors },
      },
    },
    async (req) => listLedger(ctx, req.actor, req.query),
  );

  app.get<{ Querystring: { org?: number; tag?: string; notVisitedDays?: number } }>(
    "/api/care/ledger/export",
    {
      schema: {
        tags: T,
        summary: "导出重点人群台账 (xlsx，证件号脱敏)",
        querystring: { type: "object", properties: ledgerFilter, additionalProperties: false },
      },
    },
    async (req, reply) => {
      const stream = await exportLedger(ctx, req.actor, req.query);
      reply.header("content-type", XLSX_MIME);
      reply.header("content-disposition", `attachment; filename="care-ledger.xlsx"`);
      return reply.send(stream);
    },
  );

  app.get<{ Params: { id: number } }>(
    "/api/care/residents/:id/tags",
    {
      schema: {
        tags: T,
        summary: "居民的人群标签及依据（谁、何时、来源）",
        params: idParams,
        response: { 200: list(), ...errors },
      },
    },
    async (req) => tagEvidence(ctx, req.actor, req.params.id),
  );

  app.post<{ Params: { id: number }; Body: { tag: string; note?: string; source?: string } }>(
    "/api/care/residents/:id/tags",
    {
      schema: {
        tags: T,
        summary: "为居民添加人群标签（记录依据，审计）",
        params: idParams,
        body: {
          type: "object",
          properties: {
            tag: tagEnum,
            note: { type: "string", maxLength: 200 },
            source: { type: "string", enum: ["manual", "visit", "registry"] },
          },
          required: ["tag"],
          additionalProperties: false,
        },
        response: { 201: open, ...errors },
      },
    },
    async (req, reply) => reply.status(201).send(await addTag(ctx, req.actor, req.params.id, req.body)),
  );

  app.delete<{ Params: { id: number; tag: string }; Querystring: { note?: string } }>(
    "/api/care/residents/:id/tags/:tag",
    {
      schema: {
        tags: T,
        summary: "移除居民的人群标签（保留历史，审计）",
        params: {
          type: "object",
          properties: { id: idParams.properties.id, tag: tagEnum },
          required: ["id", "tag"],
        },
        querystring: {
          type: "object",
          properties: { note: { type: "string", maxLength: 200 } },
          additionalProperties: false,
        },
        response: { 200: open, ...errors },
      },
    },
    async (req) => removeTag(ctx, req.actor, req.params.id, req.params.tag, req.query.note?.trim() || null),
  );

  // ——— plans, due visits, config ———

  app.get<{ Params: { id: number } }>(
    "/api/care/residents/:id/plan",
    {
      schema: {
        tags: T,
        summary: "居民关爱计划与走访状态",
        params: idParams,
        response: { 200: open, ...errors },
      },
    },
    async (req) => getPlan(ctx, req.actor, req.params.id),
  );

  app.put<{
    Params: { id: number };
    Body: { frequencyOverride?: string | null; assignedWorkerId?: number | null; doctorId?: number | null };
  }>(
    "/api/care/residents/:id/plan",
    {
      schema: {
        tags: T,
        summary: "调整关爱计划：走访频次、责任网格员、家庭医生",
        params: idParams,
        body: {
          type: "object",
          properties: {
            frequencyOverride: frequencyEnum,
            assignedWorkerId: { type: ["integer", "null"], minimum: 1 },
            doctorId: { type: ["integer", "null"], minimum: 1 },
          },
          additionalProperties: false,
        },
        response: { 200: open, ...errors },
      },
    },
    async (req) => updatePlan(ctx, req.actor, req.params.id, req.body),
  );

  app.get<{ Querystring: { org?: number; role?: string[]; limit: number } }>(
    "/api/care/staff",
    {
      schema: {
        tags: T,
        summary: "可指派的工作人员：责任网格员、网格长、家庭医生（本辖区内，及覆盖本单位的上级家庭医生）",
        description:
          "org 为居民所在单位时，列出的正是可被指派给该居民的人员。网格员、网格长仅限调用者辖区内；家庭医生含上级单位（如街道社区卫生服务中心）。",
        querystring: {
          type: "object",
          properties: {
            ...orgQuery,
            role: { type: "array", items: { type: "string", enum: [...STAFF_ROLES] }, maxItems: 3 },
            limit: { type: "integer", minimum: 1, maximum: 500, default: 200 },
          },
          additionalProperties: false,
        },
        response: { 200: staffList, ...errors },
      },
    },
    async (req) => listStaff(ctx, req.actor, req.query),
  );

  app.get<{ Querystring: { org?: number; state?: string; mine?: boolean; limit: number } }>(
    "/api/care/visits/due",
    {
      schema: {
        tags: T,
        summary: "待走访/逾期清单（今日走访），按紧急程度排序",
        querystring: {
          type: "object",
          properties: {
            ...orgQuery,
            state: { type: "string", enum: ["overdue", "due", "due_soon", "scheduled", "all"] },
            mine: { type: "boolean" },
            limit: { type: "integer", minimum: 1, maximum: 5000, default: 500 },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: "object",
            properties: {
              counts: {
                type: "object",
                properties: {
                  overdue: { type: "integer" },
                  due: { type: "integer" },
                  due_soon: { type: "integer" },
                  scheduled: { type: "integer" },
                },
              },
              total: { type: "integer" },
              items: { type: "array", items: dueItem },
            },
          },
          ...errors,
        },
      },
    },
    async (req) => dueVisits(ctx, req.actor, req.query),
  );

  app.get<{ Params: { communityId: number } }>(
    "/api/care/config/:communityId",
    {
      schema: {
        tags: T,
        summary: "社区走访频次配置（未配置的用默认值）",
        params: communityParams,
        response: { 200: open, ...errors },
      },
    },
    async (req) => getCareConfig(ctx, req.actor, req.params.communityId),
  );

  app.put<{ Params: { communityId: number }; Body: CarePlanConfig }>(
    "/api/care/config/:communityId",
    {
      schema: {
        tags: T,
        summary: "设置社区走访频次",
        params: communityParams,
        body: {
          type: "object",
          properties: {
            frequencies: { type: "object", additionalProperties: { type: "string" } },
            dueSoonDays: { type: "object", additionalProperties: { type: "integer" } },
          },
          additionalProperties: false,
        },
        response: { 200: open, ...errors },
      },
    },
    async (req) => setCareConfig(ctx, req.actor, req.params.communityId, req.body),
  );

  // ——— visits and alerts ———

  app.post(
    "/api/care/visits",
    {
      schema: {
        tags: T,
        summary: "记录走访（clientId 幂等：重复提交只存一次；同编号不同内容 409）",
        body: visitBody,
        response: { 200: visitResult, 201: visitResult, ...errors },
      },
    },
    async (req, reply) => {
      const r = await recordVisit(ctx, req.actor, req.body);
      return reply.status(r.status as 200 | 201).send(r.body);
    },
  );

  app.get<{ Params: { id: number }; Querystring: { limit: number } }>(
    "/api/care/residents/:id/visits",
    {
      schema: {
        tags: T,
        summary: "居民走访记录（含生命体征，读取记入审计）",
        params: idParams,
        querystring: { type: "object", properties: limitQuery, additionalProperties: false },
        response: { 200: list(), ...errors },
      },
    },
    async (req) => listVisits(ctx, req.actor, req.params.id, req.query.limit),
  );

  app.get<{ Params: { id: number } }>(
    "/api/care/residents/:id/health",
    {
      schema: {
        tags: T,
        summary: "居民健康时间线：走访、预警、随访、转诊、签约（读取记入审计）",
        params: idParams,
        response: { 200: open, ...errors },
      },
    },
    async (req) => healthTimeline(ctx, req.actor, req.params.id),
  );

  app.get<{ Querystring: { state?: string; org?: number; limit: number; handledSince?: string } }>(
    "/api/care/alerts",
    {
      schema: {
        tags: T,
        summary: "走访预警（医生：本人签约居民及未指定医生的预警）",
        querystring: {
          type: "object",
          properties: {
            ...orgQuery,
            ...limitQuery,
            state: { type: "string", enum: ["open", "acknowledged"] },
            handledSince: {
              type: "string",
              format: "date-time",
              description: "与 state=open 同用：另含此后已处理的预警",
            },
          },
          additionalProperties: false,
        },
        response: { 200: list(), ...errors },
      },
    },
    async (req) => listAlerts(ctx, req.actor, req.query),
  );

  app.post<{ Params: { id: number }; Body: { note?: string } }>(
    "/api/care/alerts/:id/ack",
    {
      schema: {
        tags: T,
        summary: "确认处理预警",
        params: idParams,
        body: {
          type: "object",
          properties: { note: { type: "string", maxLength: 500 } },
          additionalProperties: false,
        },
        response: { 200: open, ...errors },
      },
    },
    async (req) => acknowledgeAlert(ctx, req.actor, req.params.id, req.body?.note?.trim() || null),
  );

  // ——— family doctors ———

  app.post<{
    Body: { residentId: number; doctorId?: number; servicePackage: string; start: string; end: string };
  }>(
    "/api/care/contracts",
    {
      schema: {
        tags: T,
        summary: "家庭医生签约（签约期重叠 409）",
        body: {
          type: "object",
          properties: {
            residentId: { type: "integer", minimum: 1 },
            doctorId: { type: "integer", minimum: 1 },
            servicePackage: { type: "string", maxLength: 40 },
            start: { type: "string", maxLength: 10 },
            end: { type: "string", maxLength: 10 },
          },
          required: ["residentId", "servicePackage", "start", "end"],
          additionalProperties: false,
        },
        response: { 201: open, ...errors },
      },
    },
    async (req, reply) => reply.status(201).send(await createContract(ctx, req.actor, req.body)),
  );

  app.post<{
    Body: { residentId: number; mode: string; summary: string; advice?: string; alertId?: number };
  }>(
    "/api/care/consultations",
    {
      schema: {
        tags: T,
        summary: "记录随访/咨询（电话、线上、上门）；带 alertId 时同时处理该预警",
        body: {
          type: "object",
          properties: {
            residentId: { type: "integer", minimum: 1 },
            mode: { type: "string", maxLength: 20 },
            summary: { type: "string", maxLength: 2000 },
            advice: { type: "string", maxLength: 2000 },
            alertId: { type: "integer", minimum: 1 },
          },
          required: ["residentId", "mode", "summary"],
          additionalProperties: false,
        },
        response: { 201: open, ...errors },
      },
    },
    async (req, reply) => reply.status(201).send(await recordConsultation(ctx, req.actor, req.body)),
  );

  app.get(
    "/api/care/hospitals",
    { schema: { tags: T, summary: "转诊医院名单", response: { 200: list(), ...errors } } },
    async (req) => listHospitals(ctx, req.actor),
  );

  app.put<{ Body: { items: Hospital[] } }>(
    "/api/care/hospitals",
    {
      schema: {
        tags: T,
        summary: "设置转诊医院名单（区级）",
        body: {
          type: "object",
          properties: {
            items: {
              type: "array",
              maxItems: 100,
              items: {
                type: "object",
                properties: {
                  code: { type: "string", maxLength: 40 },
                  name: { type: "string", maxLength: 60 },
                },
                required: ["code", "name"],
                additionalProperties: false,
              },
            },
          },
          required: ["items"],
          additionalProperties: false,
        },
        response: { 200: list(), ...errors },
      },
    },
    async (req) => setHospitals(ctx, req.actor, req.body.items),
  );

  app.post<{
    Body: {
      residentId: number;
      hospital: string;
      department?: string;
      reason: string;
      greenChannel?: boolean;
    };
  }>(
    "/api/care/referrals",
    {
      schema: {
        tags: T,
        summary: "申请转诊（医院须在名单内，否则 422）",
        body: {
          type: "object",
          properties: {
            residentId: { type: "integer", minimum: 1 },
            hospital: { type: "string", maxLength: 60 },
            department: { type: "string", maxLength: 100 },
            reason: { type: "string", maxLength: 1000 },
            greenChannel: { type: "boolean" },
          },
          required: ["residentId", "hospital", "reason"],
          additionalProperties: false,
        },
        response: { 201: open, ...errors },
      },
    },
    async (req, reply) => reply.status(201).send(await createReferral(ctx, req.actor, req.body)),
  );

  app.get<{ Querystring: { state?: string; org?: number; limit: number } }>(
    "/api/care/referrals",
    {
      schema: {
        tags: T,
        summary: "转诊看板：绿色通道优先，先到先办",
        querystring: {
          type: "object",
          properties: { ...orgQuery, ...limitQuery, state: referralStateEnum },
          additionalProperties: false,
        },
        response: { 200: list(), ...errors },
      },
    },
    async (req) => listReferrals(ctx, req.actor, req.query),
  );

  app.get<{ Params: { id: number } }>(
    "/api/care/referrals/:id",
    {
      schema: {
        tags: T,
        summary: "转诊详情与流转记录",
        params: idParams,
        response: { 200: open, ...errors },
      },
    },
    async (req) => getReferral(ctx, req.actor, req.params.id),
  );

  app.post<{
    Params: { id: number; action: string };
    Body: { version?: number; appointmentAt?: string; note?: string };
  }>(
    "/api/care/referrals/:id/actions/:action",
    {
      schema: {
        tags: T,
        summary: "转诊流转：accept / schedule / complete / decline / cancel / return_to_community",
        params: {
          type: "object",
          properties: { id: idParams.properties.id, action: { type: "string", maxLength: 40 } },
          required: ["id", "action"],
        },
        body: {
          type: "object",
          properties: {
            version: { type: "integer", minimum: 1 },
            appointmentAt: { type: "string", maxLength: 40 },
            note: { type: "string", maxLength: 2000 },
          },
          additionalProperties: false,
        },
        response: { 200: open, ...errors },
      },
    },
    async (req) => actOnReferral(ctx, req.actor, req.params.id, req.params.action, req.body ?? {}),
  );

  // ——— care teams 爱心专班 ———

  app.get<{ Params: { communityId: number }; Querystring: { from?: string; to?: string } }>(
    "/api/care/teams/:communityId",
    {
      schema: {
        tags: T,
        summary: "爱心专班：成员、排班与缺岗",
        params: communityParams,
        querystring: {
          type: "object",
          properties: { from: { type: "string", maxLength: 10 }, to: { type: "string", maxLength: 10 } },
          additionalProperties: false,
        },
        response: { 200: open, ...errors },
      },
    },
    async (req) => getTeam(ctx, req.actor, req.params.communityId, req.query),
  );

  app.post<{
    Params: { communityId: number };
    Body: { teamRole: string; name: string; phone: string; accountId?: number };
  }>(
    "/api/care/teams/:communityId/members",
    {
      schema: {
        tags: T,
        summary: "添加专班成员（社区工作人员、家庭医生、志愿者、社区民警；工作电话）",
        params: communityParams,
        body: {
          type: "object",
          properties: {
            teamRole: { type: "string", enum: ["staff", "doctor", "volunteer", "police"] },
            name: { type: "string", maxLength: 30 },
            phone: { type: "string", maxLength: 20 },
            accountId: { type: "integer", minimum: 1 },
          },
          required: ["teamRole", "name", "phone"],
          additionalProperties: false,
        },
        response: { 201: open, ...errors },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await addMember(ctx, req.actor, req.params.communityId, req.body)),
  );

  app.put<{
    Params: { communityId: number };
    Body: { from: string; to: string; entries: { date: string; shift: string; memberId: number }[] };
  }>(
    "/api/care/teams/:communityId/roster",
    {
      schema: {
        tags: T,
        summary: "保存排班（替换 from–to 之间的全部班次；白班 08:00–20:00，晚班 20:00–次日 08:00）",
        params: communityParams,
        body: {
          type: "object",
          properties: {
            from: { type: "string", maxLength: 10 },
            to: { type: "string", maxLength: 10 },
            entries: {
              type: "array",
              maxItems: 2000,
              items: {
                type: "object",
                properties: {
                  date: { type: "string", maxLength: 10 },
                  shift: { type: "string", enum: ["day", "night"] },
                  memberId: { type: "integer", minimum: 1 },
                },
                required: ["date", "shift", "memberId"],
                additionalProperties: false,
              },
            },
          },
          required: ["from", "to", "entries"],
          additionalProperties: false,
        },
        response: { 200: open, ...errors },
      },
    },
    async (req) => setRoster(ctx, req.actor, req.params.communityId, req.body),
  );

  app.get<{ Params: { communityId: number } }>(
    "/api/public/care-teams/:communityId/on-duty",
    {
      config: { public: true },
      schema: {
        tags: T,
        summary: "公开：爱心专班当前及下一班值班人员与工作电话（24 小时）",
        security: [],
        params: communityParams,
        response: { 200: open, 400: errors[400], 404: errors[404] },
      },
    },
    async (req) => onDutyPublic(ctx, req.params.communityId),
  );

  // ——— contact cards ———

  app.get<{ Params: { id: number } }>(
    "/api/care/residents/:id/card.pdf",
    {
      schema: { tags: T, summary: "一人一专班联系卡 (PDF)", params: idParams },
    },
    async (req, reply) => {
      const doc = await residentCard(ctx, req.actor, req.params.id);
      reply.header("content-type", "application/pdf");
      reply.header("content-disposition", `inline; filename="care-card-${req.params.id}.pdf"`);
      return reply.send(doc);
    },
  );

  app.get<{ Querystring: { grid: number } }>(
    "/api/care/cards.pdf",
    {
      schema: {
        tags: T,
        summary: "批量打印联系卡：网格（或社区）内每位重点人群一页",
        querystring: {
          type: "object",
          properties: { grid: { type: "integer", minimum: 1 } },
          required: ["grid"],
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => {
      const doc = await bulkCards(ctx, req.actor, req.query.grid);
      reply.header("content-type", "application/pdf");
      reply.header("content-disposition", `attachment; filename="care-cards-${req.query.grid}.pdf"`);
      return reply.send(doc);
    },
  );
}
