import cluster from "node:cluster";
import { Command } from "commander";
import { loadConfig } from "../config.ts";
import { openDatabase } from "../db/open.ts";
import { DISTRICT_CODE } from "../seed/orgTree.ts";
import { FieldCrypto, loadSecret } from "../server/platform/crypto.ts";
import { safeMessage } from "../server/platform/logSafe.ts";
import { VERSION } from "../version.ts";
import { BackupError, backup, restore } from "./backup.ts";
import * as city from "./city.ts";
import { describeUpgrade, UpgradeError, upgradeCheck } from "./upgrade.ts";
import { ensureWebBuilt } from "./webBuild.ts";

// A command loads only what it runs (`await import` where it is used): the whole server took ~2.6 s of CPU
// to load through tsx, and `migrate`, `user add` or a cluster's supervising process need little of it
// (`migrate` loads in ~0.8 s). The tests start the CLI a few dozen times.
const boot = () => import("../server/boot.ts");
const demo = () => import("../seed/demo.ts");

const say = (m: string) => process.stdout.write(`${m}\n`);

async function serve(opts: { demo: boolean; buildWeb: boolean; workers?: number }) {
  const config = loadConfig();
  const workers = opts.workers ?? 1;
  if (workers > 1 && cluster.isPrimary) {
    if (!config.databaseUrl)
      throw new Error("多进程（--workers）需要 PostgreSQL：请设置 DATABASE_URL；内嵌数据库只能单进程运行");
    // Key, migrations and seeded categories once, before any worker starts.
    loadSecret(config.secret, config.dataDir);
    await (await (await boot()).createContext(config)).database.close();
    return supervise(workers);
  }
  if (opts.buildWeb) await ensureWebBuilt(say);
  const started = Date.now();
  const [{ buildApp }, { createContext }, { startBackground }, { warmSpreadsheetReader }] = await Promise.all(
    [
      import("../server/app.ts"),
      boot(),
      import("../server/background.ts"),
      import("../server/platform/spreadsheet/index.ts"),
    ],
  );
  const ctx = await createContext(config);
  const { DEMO_ACCOUNTS, DEMO_RESIDENT_PHONE, isEmpty, loadDemo } = await demo();
  if (opts.demo && (await isEmpty(ctx.database))) {
    say("空数据库：正在载入演示数据（崇川区组织树 + 秦灶街道居民）…");
    await loadDemo(ctx.database, ctx.crypto, {
      log: say,
      orders: 8000,
      orderDays: 120,
      dataDir: ctx.config.dataDir,
    });
    say("\n演示账号（密码均为 Demo@2026）：");
    for (const a of DEMO_ACCOUNTS) say(`  ${a.username.padEnd(16)} ${a.displayName}`);
    say(`\n居民端（手机打开 /app）：演示居民手机号 ${DEMO_RESIDENT_PHONE}，验证码打印在本控制台`);
    say("");
  }
  const app = await buildApp(ctx);
  // In a cluster one worker runs the sweeps (they are safe with several, but once is enough).
  const stopBackground =
    cluster.isWorker && !process.env.GK_BACKGROUND ? () => {} : startBackground(ctx, app.log);
  const shutdown = async () => {
    stopBackground();
    await app.close();
    await ctx.database.close();
    process.exit(0);
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
  await app.listen({ port: config.port, host: config.host });
  // The first upload should not wait for a parser thread to start.
  warmSpreadsheetReader();
  if (cluster.isWorker) return;
  say(
    `网格管家 Gridkeeper ${VERSION} 已启动：http://${config.host}:${config.port}  (数据库: ${ctx.database.kind}，启动用时 ${Date.now() - started} ms)`,
  );
}

/**
 * Several server processes on one port (node:cluster hands each connection to a worker), for a host
 * with more cores than one Node event loop can use. PostgreSQL only: PGlite is one process. Workers
 * migrate under the advisory lock, answer any request (sessions live in the database) and are restarted
 * when they die; the first one also runs the background sweeps.
 */
function supervise(workers: number) {
  let stopping = false;
  const roles = new Map<number, boolean>();
  const started = new Set<number>();
  let listening = 0;
  const fork = (background: boolean) => {
    const w = cluster.fork(background ? { GK_BACKGROUND: "1" } : {});
    roles.set(w.id, background);
    w.once("listening", () => {
      started.add(w.id);
      if (++listening === workers)
        say(`网格管家 Gridkeeper ${VERSION} 已启动：${workers} 个工作进程 (数据库: postgres)`);
    });
  };
  for (let i = 0; i < workers; i++) fork(i === 0);
  cluster.on("exit", (w, code, signal) => {
    const background = roles.get(w.id) ?? false;
    roles.delete(w.id);
    if (stopping) return;
    // One that died before it ever listened (port taken, bad configuration) would die again: stop.
    if (!started.has(w.id)) {
      process.stderr.write(`工作进程 ${w.process.pid} 未能启动（${signal ?? code}），服务停止\n`);
      process.exitCode = 1;
      stop();
      return;
    }
    started.delete(w.id);
    process.stderr.write(`工作进程 ${w.process.pid} 退出（${signal ?? code}），正在重启\n`);
    fork(background);
  });
  const stop = () => {
    stopping = true;
    const live = Object.values(cluster.workers ?? {}).filter((w) => w && !w.isDead());
    if (live.length === 0) process.exit();
    let left = live.length;
    for (const w of live) {
      w!.once("exit", () => --left === 0 && process.exit());
      w!.process.kill("SIGTERM");
    }
    // A worker stuck in shutdown must not keep the supervisor alive.
    setTimeout(() => {
      for (const w of live) if (!w!.isDead()) w!.process.kill("SIGKILL");
      process.exit();
    }, 10_000);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

const SCALES: Record<string, string> = {
  community: "320613019010",
  street: "320613019",
  district: DISTRICT_CODE,
};

const program = new Command("gridkeeper").description("网格管家 Gridkeeper").version(VERSION);

program
  .command("start")
  .description("构建前端（如需）、迁移数据库，空库时载入演示数据，然后启动服务")
  .action(() => serve({ demo: true, buildWeb: true }));

program
  .command("serve")
  .description("迁移数据库并启动服务（不载入演示数据）")
  .option("--workers <n>", "工作进程数（仅 PostgreSQL；每个 CPU 核一个为宜）", "1")
  .action((o: { workers: string }) => {
    const workers = Number(o.workers);
    if (!Number.isInteger(workers) || workers < 1 || workers > 64)
      throw new Error("--workers 须为 1–64 的整数");
    return serve({ demo: false, buildWeb: false, workers });
  });

program
  .command("migrate")
  .description("执行数据库迁移")
  .action(async () => {
    const db = await openDatabase(loadConfig());
    await db.close();
    say("数据库迁移完成");
  });

program
  .command("seed")
  .description("生成组织树与模拟居民（确定性：同一 --seed 结果相同）")
  .option("--scale <scale>", "community | street | district", "street")
  .option("--seed <n>", "随机种子", "1")
  .option("--demo-accounts", "同时创建演示账号", false)
  .option("--orders <n>", "同时生成工单（流转至今的各状态）", "0")
  .option("--order-days <n>", "工单分布的天数", "365")
  .action(
    async (o: { scale: string; seed: string; demoAccounts: boolean; orders: string; orderDays: string }) => {
      const scope = SCALES[o.scale];
      if (!scope) throw new Error(`--scale 须为 community、street 或 district`);
      const seed = Number(o.seed);
      if (!Number.isInteger(seed)) throw new Error("--seed 须为整数");
      const config = loadConfig();
      const [{ loadDemo }, { seedOrgTree }, { seedCategories }, { seedPeople }, { seedOrders }] =
        await Promise.all([
          demo(),
          import("../seed/orgTree.ts"),
          import("../server/modules/workOrders/index.ts"),
          import("../seed/people.ts"),
          import("../seed/orders.ts"),
        ]);
      const db = await openDatabase(config);
      const crypto = new FieldCrypto(loadSecret(config.secret, config.dataDir));
      const t0 = Date.now();
      try {
        const [{ n }] = await db.query<{ n: number }>("select count(*)::int as n from residents");
        if (n > 0) throw new Error(`数据库中已有 ${n} 位居民；请在空库上生成`);
        const orders = Number(o.orders);
        const orderDays = Number(o.orderDays);
        if (!Number.isInteger(orders) || orders < 0 || !Number.isInteger(orderDays) || orderDays < 1) {
          throw new Error("--orders 与 --order-days 须为非负整数");
        }
        if (o.demoAccounts) {
          await loadDemo(db, crypto, { scope, seed, orders, orderDays, log: say, dataDir: config.dataDir });
        } else {
          await seedOrgTree(db);
          await seedCategories(db);
          await seedPeople(db, crypto, scope, seed, (d, t, r) =>
            say(`生成居民 ${d}/${t} 个社区，共 ${r} 人`),
          );
          if (orders > 0) {
            const r = await seedOrders(db, crypto, scope, {
              count: orders,
              days: orderDays,
              seed,
              onProgress: (n) => say(`生成工单 ${n}/${orders}`),
            });
            say(`生成工单 ${r.orders} 件，流转记录 ${r.events} 条`);
          }
        }
        say(`完成，用时 ${((Date.now() - t0) / 1000).toFixed(1)} 秒`);
      } finally {
        await db.close();
      }
    },
  );

const user = program.command("user").description("账号管理");
user
  .command("add")
  .description("创建账号")
  .requiredOption("--username <name>")
  .requiredOption(
    "--role <role>",
    "sysadmin | commander | community_admin | grid_head | grid_worker | doctor | police | agent | volunteer | resident",
  )
  .requiredOption("--org <code>", "管辖范围的组织代码，例如 320613 或 320613019010-G01")
  .option("--name <displayName>", "显示名")
  .option("--password <password>", "密码（省略时从环境变量 GRIDKEEPER_PASSWORD 读取）")
  .action(async (o: { username: string; role: string; org: string; name?: string; password?: string }) => {
    const password = o.password ?? process.env.GRIDKEEPER_PASSWORD;
    if (!password) throw new Error("请用 --password 或 GRIDKEEPER_PASSWORD 提供密码");
    const { addAccount } = await import("../server/modules/accounts/index.ts");
    const db = await openDatabase(loadConfig());
    try {
      const id = await addAccount(db, {
        username: o.username,
        displayName: o.name ?? o.username,
        role: o.role,
        org: o.org,
        password,
      });
      say(`账号已创建：${o.username} (id ${id})`);
    } finally {
      await db.close();
    }
  });

program
  .command("rates")
  .description("统计数据维护")
  .command("rebuild")
  .description(
    "按工单和工单事件重算每日统计（rate_counts_daily、order_flow_daily、order_mix_daily），用于修复或核对",
  )
  .action(async () => {
    const db = await openDatabase(loadConfig());
    try {
      const started = Date.now();
      const [{ n }] = await db.query<{ n: string }>("select rate_counts_rebuild() as n");
      const [{ m }] = await db.query<{ m: string }>("select order_figures_rebuild() as m");
      say(`每日统计已重算：${n} 行，受理与办结日统计 ${m} 行，用时 ${Date.now() - started} ms`);
    } finally {
      await db.close();
    }
  });

program
  .command("upstream")
  .description("上级交办（12345 平台）同步")
  .command("sync")
  .description("对每个上级对接：按时间窗拉取新交办（游标存于数据库），回传办理进展与答复，然后退出")
  .option("--timeout <ms>", "单次请求上级平台的超时（毫秒）", "10000")
  .action(async (o: { timeout: string }) => {
    const [{ createContext }, { syncUpstream }] = await Promise.all([
      boot(),
      import("../server/modules/open311/index.ts"),
    ]);
    const ctx = await createContext(loadConfig());
    try {
      const r = await syncUpstream(ctx, { timeoutMs: Number(o.timeout) || 10_000 });
      for (const p of r.polls)
        say(
          p.error
            ? `对接 ${p.linkId}：拉取失败（${p.error}），游标未移动，下次重试`
            : `对接 ${p.linkId}：新建工单 ${p.created} 件，重复投递 ${p.duplicates} 件`,
        );
      say(`回传：新排队 ${r.queued} 条，已送达 ${r.sent} 条，失败待重试 ${r.failed} 条`);
      if (r.polls.some((p) => p.error) || r.failed) process.exitCode = 1;
    } finally {
      await ctx.database.close();
    }
  });

program
  .command("volunteers")
  .description("志愿服务积分账本")
  .command("check")
  .description(
    "核对积分账本：每笔交易借贷相等、每个账户余额等于其分录之和、个人余额不为负、月度和季度汇总等于分录",
  )
  .action(async () => {
    const volunteers = await import("../server/modules/volunteers/index.ts");
    const db = await openDatabase(loadConfig());
    try {
      const r = await volunteers.checkLedger(db);
      say(
        `积分账本：账户 ${r.accounts} 个，交易 ${r.transactions} 笔，分录 ${r.entries} 条，用时 ${r.ms} ms`,
      );
      for (const m of r.mismatched) say(`  账户 ${m.accountId}：余额 ${m.balance}，分录合计 ${m.sum}`);
      for (const u of r.unbalanced) say(`  交易 ${u.transactionId}：借贷不平（合计 ${u.sum}）`);
      for (const n of r.negative) say(`  账户 ${n.accountId}：个人余额为负`);
      for (const x of r.rollups)
        say(
          `  账户 ${x.accountId} ${x.period}：汇总 ${JSON.stringify(x.rollup)}，分录 ${JSON.stringify(x.entries)}`,
        );
      say(r.ok ? "核对通过：分录合计等于全部余额，月度、季度汇总等于分录" : "核对未通过");
      if (!r.ok) process.exitCode = 1;
    } finally {
      await db.close();
    }
  });

program
  .command("backup")
  .description("备份数据库到文件（内嵌数据库需先停止服务；PostgreSQL 用 pg_dump，可在运行中备份）")
  .argument("<file>", "备份文件")
  .action(async (file: string) => {
    const started = Date.now();
    const h = await backup(loadConfig(), file);
    say(
      `备份完成：${file}（${h.kind}，居民 ${h.counts.residents}，工单 ${h.counts.work_orders}，密钥指纹 ${h.keyFingerprint}，用时 ${Date.now() - started} ms）`,
    );
  });

program
  .command("restore")
  .description("从备份文件恢复数据库（须用备份时的加密密钥；目标须为空库，覆盖时加 --force）")
  .argument("<file>", "备份文件")
  .option("--force", "替换目标中已有的数据", false)
  .action(async (file: string, o: { force: boolean }) => {
    const started = Date.now();
    const r = await restore(loadConfig(), file, { force: o.force });
    say(
      `恢复完成：居民 ${r.counts.residents}，工单 ${r.counts.work_orders}，账号 ${r.counts.accounts}，与备份（${r.header.createdAt}）一致，用时 ${Date.now() - started} ms`,
    );
  });

program
  .command("upgrade-check")
  .description("打开旧版本留下的数据目录或数据库：报告已有的迁移、行数和密钥，执行待办迁移并核对行数不变")
  .option("--dry-run", "只报告，不迁移", false)
  .option("--json", "以 JSON 输出报告", false)
  .action(async (o: { dryRun: boolean; json: boolean }) => {
    const r = await upgradeCheck(loadConfig(), { dryRun: o.dryRun });
    if (o.json) say(JSON.stringify(r));
    else for (const line of describeUpgrade(r, o.dryRun)) say(line);
  });

// A city of districts (logical replication): the district publishes, the city subscribes. Each step is
// idempotent, so an operator may run it again after any change or failure.
const cityCommand = program
  .command("city")
  .description("市级汇总库：各区发布统计汇总，市库订阅（PostgreSQL 逻辑复制）");
const cityUrl = (o: { city?: string }) => {
  const url = o.city ?? loadConfig().cityDatabaseUrl;
  if (!url) throw new city.CityError("请设置 CITY_DATABASE_URL 或给出 --city <url>");
  return url;
};
const cityAction =
  <A extends unknown[]>(f: (...a: A) => Promise<void>) =>
  async (...a: A) => {
    try {
      await f(...a);
    } catch (e) {
      if (!(e instanceof city.CityError)) throw e;
      process.stderr.write(`错误：${e.message}\n`);
      process.exitCode = 1;
    }
  };
cityCommand
  .command("publish")
  .description("在本区库（DATABASE_URL）上建立或更新发布 gridkeeper_city（需 wal_level = logical）")
  .option("--district <url>", "区库连接串（默认 DATABASE_URL）")
  .action(
    cityAction(async (o: { district?: string }) => {
      const url = o.district ?? loadConfig().databaseUrl;
      if (!url)
        throw new city.CityError("逻辑复制需要 PostgreSQL：请设置 DATABASE_URL 或给出 --district <url>");
      const r = await city.publishDistrict(url);
      say(
        `${r.created ? "已建立" : "已更新"}发布 ${city.PUBLICATION}：${r.district.code} ${r.district.name}，表 ${r.tables.join("、")}`,
      );
    }),
  );
cityCommand
  .command("init")
  .description("在市库上建表（各区汇总表与区名单），可重复运行")
  .option("--city <url>", "市库连接串（默认 CITY_DATABASE_URL）")
  .action(
    cityAction(async (o: { city?: string }) => {
      await city.initCity(cityUrl(o));
      say("市库表已就绪");
    }),
  );
cityCommand
  .command("subscribe")
  .description("市库订阅一个区（该区须已 publish）；重复运行时刷新表清单并重新启用")
  .argument("<district-url>", "区库连接串（供市库连接：须可从市库所在服务器访问，用户须有 REPLICATION 权限）")
  .option("--city <url>", "市库连接串（默认 CITY_DATABASE_URL）")
  .action(
    cityAction(async (districtUrl: string, o: { city?: string }) => {
      const r = await city.subscribeDistrict(cityUrl(o), districtUrl);
      say(
        `${r.created ? "已订阅" : "订阅已在，已刷新"}：${r.district.code} ${r.district.name}（${r.subscription}）`,
      );
    }),
  );
cityCommand
  .command("unsubscribe")
  .description("市库退订一个区，并删除市库中该区的行")
  .argument("<code>", "区代码，如 320613")
  .option("--city <url>", "市库连接串（默认 CITY_DATABASE_URL）")
  .action(
    cityAction(async (code: string, o: { city?: string }) => {
      const r = await city.unsubscribeDistrict(cityUrl(o), code);
      say(`${r.dropped ? "已退订" : "无此订阅"}：${code}，删除市库中该区 ${r.rows} 行`);
    }),
  );
cityCommand
  .command("status")
  .description("市库中各区的订阅状态与最近收到数据的时间")
  .option("--city <url>", "市库连接串（默认 CITY_DATABASE_URL）")
  .action(
    cityAction(async (o: { city?: string }) => {
      for (const d of await city.cityStatus(cityUrl(o)))
        say(
          `${d.code} ${d.name}：${d.enabled ? "启用" : d.enabled === false ? "停用" : "无订阅"}，表 ${d.tables_ready}/${d.tables} 已同步，最近收到 ${d.received_at?.toISOString() ?? "—"}`,
        );
    }),
  );

// A database error's message holds the query's parameters: the terminal gets the safe summary of it.
const fail = (e: unknown) => {
  process.stderr.write(
    `错误：${e instanceof BackupError || e instanceof UpgradeError ? e.message : safeMessage(e)}\n`,
  );
  process.exit(1);
};
process.on("uncaughtException", fail);
process.on("unhandledRejection", fail);
program.parseAsync(process.argv).catch(fail);
