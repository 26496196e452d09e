import formbody from "@fastify/formbody";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { COORD_SYSTEMS, type CoordSystem, toWgs84 } from "../../../domain/geo/boundaries.ts";
import { STATE_LABELS } from "../../../domain/workflow/index.ts";
import { flagPublic } from "../../platform/authHook.ts";
import { AppError } from "../../platform/errors.ts";
import * as workOrders from "../workOrders/index.ts";
import { contentType, type Format, render, splitFormat } from "./format.ts";
import {
  attributesOf,
  CLIENT_STATUSES,
  CLOSED_NOTES,
  checkAttributes,
  commaList,
  extendedStatus,
  idList,
  Open311Error,
  pageOf,
  parseW3,
  statusList,
  windowOf,
} from "./georeport.ts";
import { clientFor, jurisdictionOf } from "./keys.ts";
import { placeOf } from "./place.ts";

/** Every query parameter is one short string: a parameter sent twice (an array) is refused, not a 500. */
const QUERY = {
  type: "object",
  additionalProperties: { type: "string", maxLength: 200 },
  properties: {
    jurisdiction_id: { type: "string", maxLength: 40 },
    service_request_id: { type: "string", maxLength: 2000 },
    service_code: { type: "string", maxLength: 2000 },
    start_date: { type: "string", maxLength: 40 },
    end_date: { type: "string", maxLength: 40 },
    status: { type: "string", maxLength: 40 },
    page: { type: "string", maxLength: 10 },
    page_size: { type: "string", maxLength: 10 },
    api_key: { type: "string", maxLength: 200 },
  },
} as const;

const oneLine = (max: number) => ({ type: "string", maxLength: max, pattern: "^[^\\u0000-\\u001f]*$" });
const strings = (max: number, items: number) => ({
  anyOf: [
    { type: "string", maxLength: max },
    { type: "array", maxItems: items, items: { type: "string", maxLength: max } },
  ],
});

/** A public order in Open311's words (the whitelist is the work-order module's public presenter). */
function presentRequest(r: workOrders.PublicOrder) {
  return {
    service_request_id: String(r.id),
    status: r.closed ? "closed" : "open",
    status_notes: CLOSED_NOTES[r.state as keyof typeof CLOSED_NOTES] ?? r.stateLabel,
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

const CHANGESET = "2026-11-30T00:00:00Z";

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
      // Sent as bytes: Fastify would add "; charset=utf-8" to a JSON type given with a string.
      const send = (req: FastifyRequest, reply: FastifyReply, status: number, root: string, body: unknown) =>
        reply
          .status(status)
          .type(contentType(fmtOf(req)))
          .send(Buffer.from(render(fmtOf(req), root, body), "utf8"));
      const errors = (status: number, descriptions: string[]) =>
        descriptions.map((description) => ({ code: status, description }));
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
        const descriptions =
          err instanceof Open311Error
            ? err.descriptions
            : err instanceof AppError
              ? [
                  err.message,
                  ...((err as any).details?.fields ?? []).map((f: { message: string }) => f.message),
                ]
              : [
                  err.validation
                    ? `参数不合法: ${err.message}`
                    : status >= 500
                      ? "服务器内部错误"
                      : err.message,
                ];
        if (status >= 500) req.log.error({ err }, "open311 failed");
        return send(req, reply, status, "errors", errors(status, descriptions));
      });
      o311.setNotFoundHandler((req, reply) => send(req, reply, 404, "errors", errors(404, ["not found"])));

      /** One jurisdiction is served; naming another is a 404 on every method (the spec's rule). */
      const checkJurisdiction = async (j?: string) => {
        if (j?.trim() && j.trim() !== (await jurisdictionOf(ctx)))
          throw new Open311Error(404, `jurisdiction_id ${j} not found`);
      };
      const paged = (req: FastifyRequest, reply: FastifyReply, page: number, size: number, total: number) => {
        reply.header("X-Total-Count", String(total));
        if (page * size < total) {
          const u = new URL(req.url, `${req.protocol}://${req.host}`);
          u.searchParams.set("page", String(page + 1));
          u.searchParams.set("page_size", String(size));
          reply.header("Link", `<${u.pathname}${u.search}>; rel="next"`);
        }
      };

      o311.get<{ Params: { file: string }; Querystring: Record<string, string | undefined> }>(
        "/:file",
        { schema: { hide: true, querystring: QUERY } },
        async (req, reply) => {
          const s = splitFormat(req.params.file);
          if (!s) throw new Open311Error(404, "not found");
          const q = req.query;
          if (s[0] === "discovery") {
            // No trailing slash: clients append "/services.xml". Two entries (GeoReport v2 itself and the
            // mySociety updates extension at the same address), so XML readers see a list of endpoints.
            const url = `${req.protocol}://${req.host}/open311/v2`;
            const endpoint = (specification: string) => ({
              specification,
              url,
              changeset: CHANGESET,
              type: "production",
              formats: ["text/xml", "application/json"],
            });
            return send(req, reply, 200, "discovery", {
              changeset: CHANGESET,
              contact: "崇川区网格化服务管理中心 (Chongchuan district grid service centre)",
              key_service:
                "api_key 由区指挥中心管理员签发 (api keys are issued by the district command centre)",
              endpoints: [
                endpoint("http://wiki.open311.org/GeoReport_v2"),
                endpoint("https://github.com/mysociety/fixmystreet/wiki/Open311-FMS---Complete-Spec"),
              ],
            });
          }
          await checkJurisdiction(q.jurisdiction_id);
          if (s[0] === "services") {
            const rows = await workOrders.listServices(ctx.database);
            return send(
              req,
              reply,
              200,
              "services",
              rows.map((c) => ({
                service_code: c.code,
                service_name: c.name,
                description: `${c.name}（${c.department ?? ""}）`,
                metadata: c.attributes.length > 0,
                type: "realtime",
                keywords: [c.name, ...c.synonyms].join(", "),
                group: c.department,
              })),
            );
          }
          if (s[0] === "requests") {
            // service_request_id overrides every other argument (spec).
            if (q.service_request_id) {
              const ids = idList(q.service_request_id);
              const rows = ids.length ? await workOrders.listPublic(ctx, { ids, limit: ids.length }) : [];
              return send(req, reply, 200, "service_requests", rows.map(presentRequest));
            }
            const { from, to } = windowOf(q, new Date());
            const { page, size } = pageOf(q);
            const filter = {
              serviceCodes: commaList(q.service_code),
              statuses: statusList(q.status),
              from,
              to,
            };
            const [rows, total] = await Promise.all([
              workOrders.listPublic(ctx, { ...filter, limit: size, offset: (page - 1) * size }),
              workOrders.countPublic(ctx, filter),
            ]);
            paged(req, reply, page, size, total);
            return send(req, reply, 200, "service_requests", rows.map(presentRequest));
          }
          if (s[0] === "servicerequestupdates") {
            const { from, to } = windowOf(q, new Date());
            const { page, size } = pageOf(q);
            const ids = q.service_request_id ? idList(q.service_request_id) : undefined;
            const { items, total } = await workOrders.listPublicUpdates(ctx, {
              from,
              to,
              ids,
              limit: size,
              offset: (page - 1) * size,
            });
            paged(req, reply, page, size, total);
            return send(
              req,
              reply,
              200,
              "service_request_updates",
              items.map((u) => ({
                update_id: String(u.id),
                service_request_id: String(u.orderId),
                status: extendedStatus(u.state),
                updated_datetime: new Date(u.at).toISOString(),
                // A client's own words, else what the step led to in words (已派单), never the state's code.
                description:
                  u.clientText ??
                  CLOSED_NOTES[u.state as keyof typeof CLOSED_NOTES] ??
                  STATE_LABELS[u.state as keyof typeof STATE_LABELS] ??
                  u.state,
                media_url: "",
              })),
            );
          }
          throw new Open311Error(404, "not found");
        },
      );

      o311.get<{ Params: { file: string }; Querystring: Record<string, string | undefined> }>(
        "/services/:file",
        { schema: { hide: true, querystring: QUERY } },
        async (req, reply) => {
          const s = splitFormat(req.params.file);
          if (!s) throw new Open311Error(404, "not found");
          await checkJurisdiction(req.query.jurisdiction_id);
          const c = (await workOrders.listServices(ctx.database)).find((x) => x.code === s[0]);
          if (!c) throw new Open311Error(404, `service_code ${s[0]} not found`);
          return send(req, reply, 200, "service_definition", {
            service_code: c.code,
            attributes: [...c.attributes]
              .sort((a, b) => a.order - b.order)
              .map((a) => ({
                variable: a.variable !== false,
                code: a.code,
                datatype: a.datatype,
                required: a.required,
                datatype_description: a.datatypeDescription ?? null,
                order: a.order,
                description: a.description,
                values: (a.values ?? []).map((v) => ({ key: v.key, name: v.name })),
              })),
          });
        },
      );

      o311.get<{ Params: { file: string }; Querystring: Record<string, string | undefined> }>(
        "/requests/:file",
        { schema: { hide: true, querystring: QUERY } },
        async (req, reply) => {
          const s = splitFormat(req.params.file);
          if (!s) throw new Open311Error(404, "not found");
          await checkJurisdiction(req.query.jurisdiction_id);
          const id = Number(s[0]);
          const rows =
            /^\d{1,10}$/.test(s[0]) && id > 0 && id <= 2147483647
              ? await workOrders.listPublic(ctx, { ids: [id], limit: 1 })
              : [];
          if (!rows[0]) throw new Open311Error(404, `service_request_id ${s[0]} not found`);
          return send(req, reply, 200, "service_requests", rows.map(presentRequest));
        },
      );

      o311.get<{ Params: { file: string }; Querystring: Record<string, string | undefined> }>(
        "/tokens/:file",
        { schema: { hide: true, querystring: QUERY } },
        async (req, reply) => {
          const s = splitFormat(req.params.file);
          if (!s) throw new Open311Error(404, "not found");
          await checkJurisdiction(req.query.jurisdiction_id);
          const id = await workOrders.publicIdByToken(ctx, s[0]);
          if (!id) throw new Open311Error(404, `token ${s[0]} not found`);
          return send(req, reply, 200, "service_requests", [{ service_request_id: String(id), token: s[0] }]);
        },
      );

      o311.post<{ Params: { file: string }; Body: Record<string, string | string[] | undefined> }>(
        "/:file",
        {
          schema: {
            hide: true,
            // Every field of a form post is one string (a field sent twice is an array: refused, not a
            // 500), but for the lists the spec allows: attribute[code][] and media_url.
            body: {
              type: "object",
              additionalProperties: { type: "string", maxLength: 2000 },
              patternProperties: { "^attribute\\[[^\\]]{1,100}\\](\\[\\])?$": strings(500, 50) },
              properties: {
                api_key: { type: "string", maxLength: 200 },
                jurisdiction_id: { type: "string", maxLength: 40 },
                service_code: oneLine(40),
                lat: { type: "string", maxLength: 40 },
                long: { type: "string", maxLength: 40 },
                address_string: { type: "string", maxLength: 200 },
                address_id: { type: "string", maxLength: 40 },
                email: oneLine(200),
                device_id: oneLine(200),
                account_id: oneLine(200),
                first_name: oneLine(60),
                last_name: oneLine(60),
                phone: oneLine(40),
                description: { type: "string", maxLength: 4000 },
                media_url: strings(500, 10),
                // servicerequestupdates (mySociety extension)
                service_request_id: oneLine(40),
                update_id: oneLine(100),
                status: oneLine(40),
                updated_datetime: oneLine(40),
                // our extension: the datum of lat/long (default WGS-84, as the spec says)
                coord_system: oneLine(10),
              },
            },
          },
        },
        async (req, reply) => {
          const what = splitFormat(req.params.file)?.[0];
          if (what !== "requests" && what !== "servicerequestupdates")
            throw new Open311Error(404, "not found");
          const b = req.body ?? {};
          const str = (k: string) => {
            const v = b[k];
            return typeof v === "string" ? v.trim() : undefined;
          };
          const key = await clientFor(ctx, str("api_key"), req.ip);
          if (!key) throw new Open311Error(403, "api_key is missing or invalid");
          await checkJurisdiction(str("jurisdiction_id"));
          const mediaUrls = [b.media_url ?? []]
            .flat()
            .map((u) => String(u).trim())
            .filter(Boolean);
          const description = (b.description === undefined ? "" : String(b.description)).replace(
            /\r\n?/g,
            "\n",
          );
          // 张 + 小明 → 张小明; Jane + Doe → Jane Doe (a name in Latin letters reads given name first).
          const latin = /^[\p{Script=Latin}\s.'-]+$/u;
          const [first, last] = [str("first_name"), str("last_name")];
          const name =
            (first && last && latin.test(first) && latin.test(last)
              ? `${first} ${last}`
              : [last, first].filter(Boolean).join("")) || null;

          if (what === "servicerequestupdates") {
            const missing = ["service_request_id", "update_id", "status", "updated_datetime"].filter(
              (k) => !str(k),
            );
            if (missing.length)
              throw new Open311Error(
                400,
                missing.map((k) => `${k} is required`),
              );
            const status = str("status")!.toUpperCase();
            if (!(CLIENT_STATUSES as readonly string[]).includes(status))
              throw new Open311Error(400, `status must be one of ${CLIENT_STATUSES.join(", ")}`);
            const at = parseW3("updated_datetime", str("updated_datetime")!);
            const id = /^\d{1,10}$/.test(str("service_request_id")!) ? Number(str("service_request_id")) : 0;
            if (!(id > 0 && id <= 2147483647))
              throw new Open311Error(404, `service_request_id ${str("service_request_id")} not found`);
            const r = await workOrders.addClientUpdate(ctx, key, id, {
              ref: str("update_id")!,
              status,
              description: description.trim(),
              at,
              email: str("email") || null,
              mediaUrl: mediaUrls[0] ?? null,
              name,
            });
            return send(req, reply, r.repeated ? 200 : 201, "service_request_updates", [
              { update_id: String(r.id) },
            ]);
          }

          const serviceCode = str("service_code");
          if (!serviceCode) throw new Open311Error(400, "service_code is required");
          const services = await workOrders.listServices(ctx.database);
          const service = services.find((c) => c.code === serviceCode);
          if (!service) throw new Open311Error(404, `service_code ${serviceCode} not found`);
          const num = (k: "lat" | "long") => (str(k) ? Number(str(k)) : null);
          let lat = num("lat");
          let long = num("long");
          if ((lat !== null && !(Math.abs(lat) <= 90)) || (long !== null && !(Math.abs(long) <= 180)))
            throw new Open311Error(400, "lat/long out of range");
          const system = (str("coord_system") || "wgs84").toLowerCase().replace("-", "") as CoordSystem;
          if (!COORD_SYSTEMS.includes(system))
            throw new Open311Error(400, `coord_system must be one of ${COORD_SYSTEMS.join(", ")}`);
          // The order keeps its point in WGS-84: a GCJ-02 point (from a Chinese map app) is converted.
          if (lat !== null && long !== null) [long, lat] = toWgs84(long, lat, system);
          const addressId = str("address_id");
          const addressString = str("address_string");
          if ((lat === null || long === null) && !addressString && !addressId)
            throw new Open311Error(400, "lat & long, address_string or address_id is required");
          if (addressId && !/^\d{1,9}$/.test(addressId))
            throw new Open311Error(
              400,
              `address_id ${addressId} is not an address id here (a building number)`,
            );
          const attributes = checkAttributes(service.attributes, attributesOf(b));
          // Find the building: by id, or by an address that names it; otherwise the key's own unit takes it.
          const { buildingId, gridId, addressIdUnknown } = await placeOf(ctx, key, {
            addressId: addressId ? Number(addressId) : undefined,
            addressString,
            lat,
            long,
          });
          if (addressIdUnknown) throw new Open311Error(400, `address_id ${addressId} not found`);
          if (!buildingId && !gridId && key.orgKind === "district")
            throw new Open311Error(
              lat !== null && long !== null && !addressString && !addressId ? 422 : 400,
              lat !== null && long !== null && !addressString && !addressId
                ? `the point ${lat}, ${long} lies in no grid of this jurisdiction; send an address_string or address_id`
                : "the address could not be matched to a building",
            );
          const extras = {
            email: str("email") || undefined,
            mediaUrls: mediaUrls.length ? mediaUrls : undefined,
            attributes: Object.keys(attributes).length ? attributes : undefined,
            deviceId: str("device_id") || undefined,
            accountId: str("account_id") || undefined,
          };
          const { id } = await workOrders.createOrder(
            ctx,
            key,
            {
              channel: "open311",
              categoryCode: serviceCode,
              description: description.trim() || "（Open311 来件未附描述）",
              callerName: name ?? undefined,
              callerPhone: str("phone") || undefined,
              buildingId,
              orgUnitId: buildingId ? undefined : (gridId ?? key.orgUnitId),
              address: addressString,
            },
            new Date(),
            {
              lat,
              long,
              clientExtras: Object.values(extras).some((v) => v !== undefined) ? extras : null,
            },
          );
          // Our services are "realtime": the id, and no token (the spec returns one or the other).
          return send(req, reply, 201, "service_requests", [
            { service_request_id: String(id), service_notice: "已受理，将按时限办理", account_id: null },
          ]);
        },
      );
    },
    { prefix: "/open311/v2" },
  );
}
