import crypto from "node:crypto";
import formbody from "@fastify/formbody";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { scopeWhere } from "../../platform/access.ts";
import { flagPublic } from "../../platform/authHook.ts";
import { AppError } from "../../platform/errors.ts";
import * as workOrders from "../workOrders/index.ts";
import { contentType, type Format, render, splitFormat } from "./format.ts";
import { clientFor, jurisdictionOf } from "./keys.ts";

class Open311Error extends Error {
  constructor(
    readonly status: number,
    description: string,
  ) {
    super(description);
  }
}

/** Every query parameter is one short string: a parameter sent twice (an array) is refused, not a 500. */
const QUERY = {
  type: "object",
  additionalProperties: { type: "string", maxLength: 200 },
  properties: {
    jurisdiction_id: { type: "string", maxLength: 40 },
    service_request_id: { type: "string", maxLength: 2000 },
    service_code: { type: "string", maxLength: 400 },
    start_date: { type: "string", maxLength: 40 },
    end_date: { type: "string", maxLength: 40 },
    status: { type: "string", maxLength: 40 },
    api_key: { type: "string", maxLength: 200 },
  },
} as const;

/** A public order in Open311's words (the whitelist is the work-order module's public presenter). */
function presentRequest(r: workOrders.PublicOrder) {
  return {
    service_request_id: String(r.id),
    status: r.closed ? "closed" : "open",
    status_notes: r.stateLabel,
    service_name: r.serviceName,
    service_code: r.serviceCode,
    description: r.description,
    agency_responsible: r.department,
    service_notice: null,
    requested_datetime: new Date(r.createdAt).toISOString(),
    updated_datetime: new Date(r.updatedAt).toISOString(),
    expected_datetime: r.expectedAt ? new Date(r.expectedAt).toISOString() : null,
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
      // GeoReport is public: reads are open, and a POST proves itself with its api_key.
      o311.addHook("onRoute", flagPublic);
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

      const checkJurisdiction = async (j?: string) => {
        if (j && j !== (await jurisdictionOf(ctx)))
          throw new Open311Error(404, `jurisdiction_id ${j} not served here`);
      };

      o311.get<{ Params: { file: string }; Querystring: Record<string, string | undefined> }>(
        "/:file",
        { schema: { hide: true, querystring: QUERY } },
        async (req, reply) => {
          const s = splitFormat(req.params.file);
          if (!s) throw new Open311Error(404, "not found");
          const q = req.query;
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
            await checkJurisdiction(q.jurisdiction_id);
            const rows = await workOrders.listServices(ctx.database);
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
            await checkJurisdiction(q.jurisdiction_id);
            const filter: workOrders.PublicFilter = { limit: 1000 };
            if (q.service_request_id) {
              filter.ids = q.service_request_id
                .split(",")
                .map((x) => Number(x.trim()))
                .filter((n) => Number.isInteger(n) && n > 0 && n <= 2147483647);
            }
            if (q.service_code) filter.serviceCodes = [q.service_code];
            for (const [k, key] of [
              ["start_date", "from"],
              ["end_date", "to"],
            ] as const) {
              if (!q[k]) continue;
              const d = new Date(q[k]!);
              if (Number.isNaN(d.getTime()) || d.getUTCFullYear() < 2000 || d.getUTCFullYear() > 2099)
                throw new Open311Error(400, `${k} must be a w3 datetime`);
              filter[key] = d;
            }
            if (q.status) {
              if (q.status !== "open" && q.status !== "closed")
                throw new Open311Error(400, "status must be open or closed");
              filter.status = q.status;
            }
            // Without explicit ids the spec asks for the last 90 days, capped at 1000.
            if (!q.service_request_id && !q.start_date) filter.from = new Date(Date.now() - 90 * 86_400_000);
            const rows = await workOrders.listPublic(ctx, filter);
            return send(req, reply, 200, "service_requests", "request", rows.map(presentRequest));
          }
          throw new Open311Error(404, "not found");
        },
      );

      o311.get<{ Params: { file: string } }>(
        "/services/:file",
        { schema: { hide: true, querystring: QUERY } },
        async (req, reply) => {
          const s = splitFormat(req.params.file);
          if (!s) throw new Open311Error(404, "not found");
          const c = (await workOrders.listServices(ctx.database)).find((x) => x.code === s[0]);
          if (!c) throw new Open311Error(404, `service_code ${s[0]} not found`);
          return send(req, reply, 200, "service_definition", "", { service_code: c.code, attributes: [] });
        },
      );

      o311.get<{ Params: { file: string } }>(
        "/requests/:file",
        { schema: { hide: true, querystring: QUERY } },
        async (req, reply) => {
          const s = splitFormat(req.params.file);
          if (!s) throw new Open311Error(404, "not found");
          const id = Number(s[0]);
          const rows =
            Number.isInteger(id) && id > 0 && id <= 2147483647
              ? await workOrders.listPublic(ctx, { ids: [id], limit: 1 })
              : [];
          if (!rows[0]) throw new Open311Error(404, `service_request_id ${s[0]} not found`);
          return send(req, reply, 200, "service_requests", "request", rows.map(presentRequest));
        },
      );

      o311.get<{ Params: { file: string } }>(
        "/tokens/:file",
        { schema: { hide: true, querystring: QUERY } },
        async (req, reply) => {
          const s = splitFormat(req.params.file);
          if (!s) throw new Open311Error(404, "not found");
          const id = await workOrders.publicIdByToken(ctx, s[0]);
          if (!id) throw new Open311Error(404, `token ${s[0]} not found`);
          return send(req, reply, 200, "service_requests", "request", [
            { service_request_id: String(id), token: s[0] },
          ]);
        },
      );

      o311.post<{ Params: { file: string }; Body: Record<string, string | undefined> }>(
        "/:file",
        {
          schema: {
            hide: true,
            // Every field of a form post is one string (a field sent twice is an array: refused, not a 500).
            body: {
              type: "object",
              additionalProperties: { type: "string", maxLength: 2000 },
              properties: {
                api_key: { type: "string", maxLength: 200 },
                jurisdiction_id: { type: "string", maxLength: 40 },
                service_code: { type: "string", maxLength: 40, pattern: "^[^\\u0000-\\u001f]*$" },
                lat: { type: "string", maxLength: 40 },
                long: { type: "string", maxLength: 40 },
                address_string: { type: "string", maxLength: 200 },
                address_id: { type: "string", maxLength: 40 },
                email: { type: "string", maxLength: 200 },
                device_id: { type: "string", maxLength: 200 },
                account_id: { type: "string", maxLength: 200 },
                first_name: { type: "string", maxLength: 30, pattern: "^[^\\u0000-\\u001f]*$" },
                last_name: { type: "string", maxLength: 30, pattern: "^[^\\u0000-\\u001f]*$" },
                phone: { type: "string", maxLength: 30 },
                description: { type: "string", maxLength: 2000 },
                media_url: { type: "string", maxLength: 500 },
              },
            },
          },
        },
        async (req, reply) => {
          if (splitFormat(req.params.file)?.[0] !== "requests") throw new Open311Error(404, "not found");
          const b = req.body ?? {};
          const key = await clientFor(ctx, b.api_key, req.ip);
          if (!key) throw new Open311Error(403, "api_key is missing or invalid");
          await checkJurisdiction(b.jurisdiction_id);
          if (!b.service_code) throw new Open311Error(400, "service_code is required");
          const lat = b.lat !== undefined && b.lat !== "" ? Number(b.lat) : null;
          const long = b.long !== undefined && b.long !== "" ? Number(b.long) : null;
          if ((lat !== null && !(Math.abs(lat) <= 90)) || (long !== null && !(Math.abs(long) <= 180)))
            throw new Open311Error(400, "lat/long out of range");
          if ((lat === null || long === null) && !b.address_string && !b.address_id) {
            throw new Open311Error(400, "lat/long, address_string or address_id is required");
          }
          const services = await workOrders.listServices(ctx.database);
          if (!services.some((c) => c.code === b.service_code))
            throw new Open311Error(400, `service_code ${b.service_code} not found`);
          // Find the building: by id, or by an address that names it; otherwise the key's own unit takes it.
          let buildingId: number | undefined;
          if (b.address_id && /^\d{1,9}$/.test(b.address_id)) {
            const params: unknown[] = [Number(b.address_id)];
            const [bl] = await ctx.database.query<{ id: number }>(
              `select id from buildings where id = $1 and ${scopeWhere(key, "org_path", params)}`,
              params,
            );
            if (!bl) throw new Open311Error(400, `address_id ${b.address_id} not found`);
            buildingId = bl.id;
          } else if (b.address_string) {
            const addr = b.address_string.trim().replace(/\s+/g, " ");
            const params: unknown[] = [addr];
            const [bl] = await ctx.database.query<{ id: number }>(
              `select id from buildings where ${scopeWhere(key, "org_path", params)} and $1 like '%' || address || '%'
               order by length(address) desc limit 1`,
              params,
            );
            buildingId = bl?.id;
          }
          if (!buildingId && key.orgKind === "district")
            throw new Open311Error(400, "the address could not be matched to a building");
          const name = [b.last_name, b.first_name].filter(Boolean).join("") || undefined;
          const token = crypto.randomUUID();
          const { id } = await workOrders.createOrder(
            ctx,
            key,
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
}
