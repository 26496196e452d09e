import path from "node:path";

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  secret: string | undefined;
  logLevel: string;
  bodyLimit: number;
  sessionHours: number;
  secureCookies: boolean;
}

/** Reads and checks the environment once at boot; a bad value stops the process with its name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT 无效: ${env.PORT}`);
  const url = env.DATABASE_URL?.trim() || undefined;
  if (url && !/^postgres(ql)?:\/\//.test(url)) throw new Error("DATABASE_URL 必须以 postgres:// 开头");
  return {
    port,
    host: env.HOST ?? "127.0.0.1",
    dataDir: path.resolve(env.GRIDKEEPER_DATA_DIR ?? "data"),
    databaseUrl: url,
    secret: env.GRIDKEEPER_SECRET || undefined,
    logLevel: env.LOG_LEVEL ?? "info",
    bodyLimit: Number(env.BODY_LIMIT ?? 1024 * 1024),
    sessionHours: Number(env.SESSION_HOURS ?? 12),
    secureCookies: env.SECURE_COOKIES === "1",
  };
}
