import net from "node:net";
import path from "node:path";
import { checkTileTemplate } from "./domain/geo/tiles.ts";

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  /** A streaming replica of DATABASE_URL for heavy reads (DATABASE_REPLICA_URL), and how far behind it may be. */
  databaseReplicaUrl?: string;
  replicaMaxLagMs?: number;
  /** The city database fed by the districts' publications (CITY_DATABASE_URL): the command center's city scope. */
  cityDatabaseUrl?: string;
  secret: string | undefined;
  logLevel: string;
  bodyLimit: number;
  sessionHours: number;
  secureCookies: boolean;
  /**
   * Addresses (or CIDR ranges) of the reverse proxies whose X-Forwarded-For is believed; empty: none, the
   * client is the socket's peer. Anything else lets a client name its own address and dodge per-address limits.
   */
  trustProxy: string[];
  /** Where residents reach the public pages (the status link in a receipt message), without a trailing slash. */
  publicUrl: string;
  /**
   * The SMS gateway mass notices and the outbox's messages to residents' phones go to (SMS_GATEWAY_URL, token
   * SMS_GATEWAY_TOKEN); unset: the log transport.
   */
  smsGateway: { url: string; token?: string } | undefined;
  /** Idempotency-Key claims: lease and wait in ms (IDEMPOTENCY_LEASE_MS, IDEMPOTENCY_WAIT_MS); tests shorten them. */
  idempotency?: { leaseMs?: number; waitMs?: number };
  /** Bearer token a Prometheus scraper sends to GET /metrics (METRICS_TOKEN); unset: only a sysadmin's session. */
  metricsToken?: string;
  /** Requests a minute per client address to the public pages (/api/public/…), all processes together; 0: off. */
  publicRateLimit?: number;
  /**
   * How often the outbox is drained and the SLA sweep runs (OUTBOX_INTERVAL_MS, default 10 s; SLA_SWEEP_INTERVAL_MS,
   * default 15 s): a district that wants receipts on phones sooner shortens the first, the fault tests both.
   */
  outboxIntervalMs?: number;
  slaSweepIntervalMs?: number;
  /**
   * A Web-Mercator tile layer under the command map (MAP_TILE_URL, a template with {z}, {x} and {y};
   * MAP_TILE_ATTRIBUTION; MAP_TILE_MAX_ZOOM); unset: boundaries only. `origin` is what the page may load
   * images from.
   */
  mapTiles?: { url: string; attribution: string; maxZoom: number; origin: string };
}

/** A period in ms from the environment: a whole number of at least 100 ms, else the default. */
function positiveMs(v: string | undefined, fallback: number): number {
  const n = Number(v);
  return v && Number.isInteger(n) && n >= 100 ? n : fallback;
}

/** proxy-addr's names for ranges, accepted in TRUST_PROXY beside addresses and CIDRs. */
const PROXY_RANGES = new Set(["loopback", "linklocal", "uniquelocal"]);

function parseTrustProxy(raw: string | undefined): string[] {
  const items = (raw ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of items) {
    const [addr, bits, ...rest] = item.split("/");
    const family = net.isIP(addr);
    const okBits =
      bits === undefined ||
      (/^\d+$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32)) ||
      (family === 4 && net.isIPv4(bits));
    if (!PROXY_RANGES.has(item) && (!family || !okBits || rest.length > 0))
      throw new Error(
        `TRUST_PROXY 无效: ${item}（应为以逗号分隔的 IP 地址或 CIDR，如 10.0.0.1,10.1.0.0/16）`,
      );
  }
  return items;
}

/** PUBLIC_URL, e.g. https://12345.example.gov.cn; by default this server as seen on its own machine. */
function parsePublicUrl(raw: string | undefined, port: number): string {
  const v = raw?.trim();
  if (!v) return `http://localhost:${port}`;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new Error(`PUBLIC_URL 无效: ${v}（应为 http:// 或 https:// 开头的网址）`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new Error(`PUBLIC_URL 无效: ${v}（应为 http:// 或 https:// 开头的网址）`);
  return v.replace(/\/+$/, "");
}

/** MAP_TILE_URL and its companions; unset or blank: no tile layer. */
function parseMapTiles(env: NodeJS.ProcessEnv): Config["mapTiles"] {
  const url = env.MAP_TILE_URL?.trim();
  if (!url) return undefined;
  const checked = checkTileTemplate(url);
  if ("problem" in checked)
    throw new Error(
      `MAP_TILE_URL 无效: ${url}（${checked.problem}；应为含 {z}、{x}、{y} 的网址模板，如 https://tiles.example/{z}/{x}/{y}.png）`,
    );
  const maxZoom = Number(env.MAP_TILE_MAX_ZOOM?.trim() || 18);
  if (!Number.isInteger(maxZoom) || maxZoom < 0 || maxZoom > 22)
    throw new Error(`MAP_TILE_MAX_ZOOM 无效: ${env.MAP_TILE_MAX_ZOOM}（0 到 22 的整数）`);
  return { url, attribution: env.MAP_TILE_ATTRIBUTION?.trim() ?? "", maxZoom, origin: checked.origin };
}

/** Reads and checks the environment once at boot; a bad value stops the process with its name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT 无效: ${env.PORT}`);
  const publicRateLimit = Number(env.PUBLIC_RATE_LIMIT ?? 120);
  if (!Number.isInteger(publicRateLimit) || publicRateLimit < 0)
    throw new Error(`PUBLIC_RATE_LIMIT 无效: ${env.PUBLIC_RATE_LIMIT}（每分钟每个地址的请求数，0 为不限）`);
  const url = env.DATABASE_URL?.trim() || undefined;
  if (url && !/^postgres(ql)?:\/\//.test(url)) throw new Error("DATABASE_URL 必须以 postgres:// 开头");
  const replica = env.DATABASE_REPLICA_URL?.trim();
  if (replica && (!url || !/^postgres(ql)?:\/\//.test(replica)))
    throw new Error("DATABASE_REPLICA_URL 必须以 postgres:// 开头，且须同时设置 DATABASE_URL（主库）");
  const city = env.CITY_DATABASE_URL?.trim() || undefined;
  if (city && !/^postgres(ql)?:\/\//.test(city)) throw new Error("CITY_DATABASE_URL 必须以 postgres:// 开头");
  return {
    port,
    host: env.HOST ?? "127.0.0.1",
    dataDir: path.resolve(env.GRIDKEEPER_DATA_DIR ?? "data"),
    databaseUrl: url,
    databaseReplicaUrl: env.DATABASE_REPLICA_URL?.trim() || undefined,
    replicaMaxLagMs: Number(env.REPLICA_MAX_LAG_MS ?? 5000),
    cityDatabaseUrl: city,
    secret: env.GRIDKEEPER_SECRET || undefined,
    logLevel: env.LOG_LEVEL ?? "info",
    bodyLimit: Number(env.BODY_LIMIT ?? 1024 * 1024),
    sessionHours: Number(env.SESSION_HOURS ?? 12),
    secureCookies: env.SECURE_COOKIES === "1",
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    publicUrl: parsePublicUrl(env.PUBLIC_URL, port),
    smsGateway: env.SMS_GATEWAY_URL
      ? { url: env.SMS_GATEWAY_URL, ...(env.SMS_GATEWAY_TOKEN ? { token: env.SMS_GATEWAY_TOKEN } : {}) }
      : undefined,
    metricsToken: env.METRICS_TOKEN || undefined,
    publicRateLimit,
    outboxIntervalMs: positiveMs(env.OUTBOX_INTERVAL_MS, 10_000),
    slaSweepIntervalMs: positiveMs(env.SLA_SWEEP_INTERVAL_MS, 15_000),
    mapTiles: parseMapTiles(env),
    idempotency: {
      leaseMs: env.IDEMPOTENCY_LEASE_MS ? Number(env.IDEMPOTENCY_LEASE_MS) : undefined,
      waitMs: env.IDEMPOTENCY_WAIT_MS ? Number(env.IDEMPOTENCY_WAIT_MS) : undefined,
    },
  };
}
