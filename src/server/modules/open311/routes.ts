import crypto from "node:crypto";
import formbody from "@fastify/formbody";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type OrderState, STATE_LABELS } from "../../../domain/workflow/index.ts";
import { DISTRICT_CODE } from "../../../seed/orgTree.ts";
import type { Actor } from "../../context.ts";
import { AppError } from "../../platform/errors.ts";
import { idParams, stdErrors } from "../../platform/schemas.ts";
import { createOrder } from "../workOrders/service.ts";
import { CLOSED_STATES, contentType, type Format, open311Status, render, splitFormat } from "./format.ts";
import { createKey, keyScope, listKeys, revokeKey } from "./keys.ts";

class Open311Error extends Error {
  constructor(
    readonly status: number,
    description: string,
  ) {
    super(description);
  }
}

interface RequestRow {
  id: number;
  number: string;
  state: string;
  code: string;
  name: string;
  department: string | null;
  description: string;
  address: string | null;
  buildingId: number | null;
  lat: number | null;
  long: number | null;
  createdAt: Date;
  updatedAt: Date;
  nextDueAt: Date | null;
}

const REQUEST_COLUMNS = `o.id, o.number, o.state, c.code, c.name, c.department, o.description, o.address, o.building_id as "buildingId",
  o.lat, o.long, o.created_at as "createdAt", o.updated_at as "updatedAt", o.next_due_at as "nextDueAt"`;

function presentRequest(r: RequestRow) {
  return {
    service_request_id: String(r.id),
    status: open311Status(r.state),
    status_notes: STATE_LABELS[r.state as OrderState] ?? r.state,
    service_name: r.name,
    service_code: r.code,
    description: r.description,
    agency_responsible: r.department,
    service_notice: null,
    requested_datetime: r.createdAt.toISOString(),
    updated_datetime: r.updatedAt.toISOString(),
    expected_datetime: r.nextDueAt ? r.nextDueAt.toISOString() : null,
    address: r.address,
    address_id: r.buildingId ? String(r.buildingId) : null,
    zipcode: null,
    lat: r.lat,
    long: r.long,
    media_url: null,
  };
}

/** Open311 GeoReport v2 (see README.md in this folder). Errors answer as the spec's [{code, description}]. */
export async function open311Routes(app: FastifyInstance) {
  const ctx = app.ctx;

  // Everything below, inside this plugin, answers errors in Open311's shape and reads form bodies.
  await app.register(
    async (o311) => {
      await o311.register(formbody, { bodyLimit: 64 * 1024 });
      // The format is the file suffix of the URL; errors answer in the format that was asked for.
      const fmtOf = (req: FastifyRequest): Format =>
        req.url.split("?")[0].endsWith(".xml") ? "xml" : "json";
      const send = (
        req: FastifyRequest,
        reply: FastifyReply,
        status: number,
        root: string,
        item: string,
        rows: any,
      ) =>
        reply
          .status(status)
          .type(contentType(fmtOf(req)))
          .send(render(fmtOf(req), root, item, rows));
      o311.setErrorHandler((err: any, req, reply) => {
        const status =
          err instanceof Open311Error
            ? err.status
            : err instanceof AppError
              ? err.status
              : err.validation
                ? 400
                : err.statusCode >= 400
                  ? err.statusCode
                  : 500;
        const description =
          err instanceof Open311Error || err instanceof AppError
            ? err.message
            : err.validation
              ? `参数不合法: ${err.message}`
              : status >= 500
                ? "服务器内部错误"
                : err.message;
        return send(req, reply, status, "errors", "error", [{ code: status, description }]);
      });
      o311.setNotFoundHandler((req, reply) =>
        send(req, reply, 404, "errors", "error", [{ code: 404, description: "not found" }]),
      );

      const checkJurisdiction = (j?: string) => {
        if (j && j !== DISTRICT_CODE) throw new Open311Error(404, `jurisdiction_id ${j} not served here`);
      };

      o311.get<{ Params: { file: string } }>("/:file", async (req, reply) => {
        const s = splitFormat(req.params.file);
        if (!s) throw new Open311Error(404, "not found");
        const q = req.query as Record<string, string | undefined>;
        if (s[0] === "discovery") {
          const base = `${req.protocol}://${req.host}/open311/v2/`;
          return send(req, reply, 200, "discovery", "", {
            changeset: "2026-11-24T00:00:00Z",
            contact: "崇川区网格化服务管理中心",
            key_service: "请联系区指挥中心管理员申请 api_key",
            endpoints:
              fmtOf(req) === "xml"
                ? {
                    endpoint: {
                      specification: "http://wiki.open311.org/GeoReport_v2",
                      url: base,
                      changeset: "2026-11-24T00:00:00Z",
                      type: "production",
                      formats: { format: ["text/xml", "application/json"] },
                    },
                  }
                : [
                    {
                      specification: "http://wiki.open311.org/GeoReport_v2",
                      url: base,
                      changeset: "2026-11-24T00:00:00Z",
                      type: "production",
                      formats: ["text/xml", "application/json"],
                    },
                  ],
          });
        }
        if (s[0] === "services") {
          checkJurisdiction(q.jurisdiction_id);
          const rows = await ctx.database.query<{ code: string; name: string; department: string | null }>(
            "select code, name, department from categories where active order by sort_order",
          );
          return send(
            req,
            reply,
            200,
            "services",
            "service",
            rows.map((c) => ({
              service_code: c.code,
              service_name: c.name,
              description: `${c.name}（${c.department ?? ""}）`,
              metadata: false,
              type: "realtime",
              keywords: c.name,
              group: c.department,
            })),
          );
        }
        if (s[0] === "requests") {
          checkJurisdiction(q.jurisdiction_id);
          const params: unknown[] = [];
          const conds: string[] = ["true"];
          if (q.service_request_id) {
            const ids = q.service_request_id
              .split(",")
              .map((x) => Number(x.trim()))
              .filter((n) => Number.isInteger(n) && n > 0);
            conds.push(`o.id = any($${params.push(ids)}::int[])`);
          }
          if (q.service_code) conds.push(`c.code = $${params.push(q.service_code)}`);
          for (const [k, op] of [
            ["start_date", ">="],
            ["end_date", "<="],
          ] as const) {
            if (!q[k]) continue;
            const d = new Date(q[k]!);
            if (Number.isNaN(d.getTime())) throw new Open311Error(400, `${k} must be a w3 datetime`);
            conds.push(`o.created_at ${op} $${params.push(d)}`);
          }
          if (q.status) {
            if (q.status !== "open" && q.status !== "closed")
              throw new Open311Error(400, "status must be open or closed");
            const closed = `o.state = any($${params.push(CLOSED_STATES)}::text[])`;
            conds.push(q.status === "closed" ? closed : `not ${closed}`);
          }
          // Without explicit ids the spec asks for the last 90 days, capped at 1000.
          if (!q.service_request_id && !q.start_date)
            conds.push("o.created_at >= now() - interval '90 days'");
          const rows = await ctx.database.query<RequestRow>(
            `select ${REQUEST_COLUMNS} from work_orders o join categories c on c.id = o.category_id where ${conds.join(" and ")} order by o.id desc limit 1000`,
            params,
          );
          return send(req, reply, 200, "service_requests", "request", rows.map(presentRequest));
        }
        throw new Open311Error(404, "not found");
      });

      o311.get<{ Params: { file: string } }>("/services/:file", async (req, reply) => {
        const s = splitFormat(req.params.file);
        if (!s) throw new Open311Error(404, "not found");
        const [c] = await ctx.database.query<{ code: string }>(
          "select code from categories where code = $1 and active",
          [s[0]],
        );
        if (!c) throw new Open311Error(404, `service_code ${s[0]} not found`);
        return send(req, reply, 200, "service_definition", "", { service_code: c.code, attributes: [] });
      });

      o311.get<{ Params: { file: string } }>("/requests/:file", async (req, reply) => {
        const s = splitFormat(req.params.file);
        if (!s) throw new Open311Error(404, "not found");
        const id = Number(s[0]);
        const rows =
          Number.isInteger(id) && id > 0
            ? await ctx.database.query<RequestRow>(
                `select ${REQUEST_COLUMNS} from work_orders o join categories c on c.id = o.category_id where o.id = $1`,
                [id],
              )
            : [];
        if (!rows[0]) throw new Open311Error(404, `service_request_id ${s[0]} not found`);
        return send(req, reply, 200, "service_requests", "request", rows.map(presentRequest));
      });

      o311.get<{ Params: { file: string } }>("/tokens/:file", async (req, reply) => {
        const s = splitFormat(req.params.file);
        if (!s) throw new Open311Error(404, "not found");
        const [row] = await ctx.database.query<{ id: number }>(
          "select id from work_orders where open311_token = $1",
          [s[0]],
        );
        if (!row) throw new Open311Error(404, `token ${s[0]} not found`);
        return send(req, reply, 200, "service_requests", "request", [
          { service_request_id: String(row.id), token: s[0] },
        ]);
      });

      o311.post<{ Params: { file: string }; Body: Record<string, string | undefined> }>(
        "/:file",
        async (req, reply) => {
          if (splitFormat(req.params.file)?.[0] !== "requests") throw new Open311Error(404, "not found");
          const b = req.body ?? {};
          const key = await keyScope(ctx, b.api_key);
          if (!key) throw new Open311Error(403, "api_key is missing or invalid");
          checkJurisdiction(b.jurisdiction_id);
          if (!b.service_code) throw new Open311Error(400, "service_code is required");
          const lat = b.lat !== undefined && b.lat !== "" ? Number(b.lat) : null;
          const long = b.long !== undefined && b.long !== "" ? Number(b.long) : null;
          if ((lat !== null && !(Math.abs(lat) <= 90)) || (long !== null && !(Math.abs(long) <= 180)))
            throw new Open311Error(400, "lat/long out of range");
          if ((lat === null || long === null) && !b.address_string && !b.address_id) {
            throw new Open311Error(400, "lat/long, address_string or address_id is required");
          }
          const [cat] = await ctx.database.query("select 1 from categories where code = $1 and active", [
            b.service_code,
          ]);
          if (!cat) throw new Open311Error(400, `service_code ${b.service_code} not found`);
          // Find the building: by id, or by an address that names it; otherwise the key's own unit takes it.
          let buildingId: number | undefined;
          if (b.address_id && /^\d+$/.test(b.address_id)) {
            const [bl] = await ctx.database.query<{ id: number }>(
              "select id from buildings where id = $1 and org_path like $2",
              [Number(b.address_id), `${key.path}%`],
            );
            if (!bl) throw new Open311Error(400, `address_id ${b.address_id} not found`);
            buildingId = bl.id;
          } else if (b.address_string) {
            const addr = b.address_string.trim().replace(/\s+/g, " ");
            const [bl] = await ctx.database.query<{ id: number }>(
              "select id from buildings where org_path like $1 and $2 like '%' || address || '%' order by length(address) desc limit 1",
              [`${key.path}%`, addr],
            );
            buildingId = bl?.id;
          }
          if (!buildingId && key.kind === "district")
            throw new Open311Error(400, "the address could not be matched to a building");
          const actor: Actor = {
            id: 0,
            username: `open311:${key.name}`,
            displayName: `Open311 ${key.name}`,
            role: "agent",
            orgUnitId: key.orgUnitId,
            orgPath: key.path,
            orgName: key.orgName,
            orgKind: key.kind,
            ip: req.ip,
          };
          const name = [b.last_name, b.first_name].filter(Boolean).join("") || undefined;
          const token = crypto.randomUUID();
          const { id } = await createOrder(
            ctx,
            actor,
            {
              channel: "open311",
              categoryCode: b.service_code,
              description: (b.description ?? "").trim() || "（Open311 来件未附描述）",
              callerName: name,
              callerPhone: b.phone || undefined,
              buildingId,
              orgUnitId: buildingId ? undefined : key.orgUnitId,
              address: b.address_string,
            },
            new Date(),
            { lat, long, open311Token: token },
          );
          return send(req, reply, 201, "service_requests", "request", [
            {
              service_request_id: String(id),
              token,
              service_notice: "已受理，将按时限办理",
              account_id: null,
            },
          ]);
        },
      );
    },
    { prefix: "/open311/v2" },
  );

  app.post<{ Body: { name: string; orgUnitId: number } }>(
    "/api/open311/keys",
    {
      schema: {
        tags: ["open311"],
        summary: "创建 Open311 api_key（只显示一次）",
        body: {
          type: "object",
          properties: {
            name: { type: "string", minLength: 1, maxLength: 60 },
            orgUnitId: { type: "integer", minimum: 1 },
          },
          required: ["name", "orgUnitId"],
          additionalProperties: false,
        },
        response: { 201: { type: "object", additionalProperties: true }, ...stdErrors },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await createKey(ctx, req.actor, req.body.name, req.body.orgUnitId)),
  );
  app.get(
    "/api/open311/keys",
    {
      schema: {
        tags: ["open311"],
        summary: "Open311 api_key 列表",
        response: { 200: { type: "object", additionalProperties: true }, ...stdErrors },
      },
    },
    async (req) => ({
      items: await listKeys(ctx, req.actor),
    }),
  );
  app.delete<{ Params: { id: number } }>(
    "/api/open311/keys/:id",
    {
      schema: {
        tags: ["open311"],
        summary: "吊销 Open311 api_key",
        params: idParams,
        response: { 204: { type: "null" }, ...stdErrors },
      },
    },
    async (req, reply) => {
      await revokeKey(ctx, req.actor, req.params.id);
      return reply.status(204).send();
    },
  );
}
