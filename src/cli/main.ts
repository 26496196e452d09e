import { Command } from "commander";
import { loadConfig } from "../config.ts";
import { openDatabase } from "../db/open.ts";
import { DEMO_ACCOUNTS, isEmpty, loadDemo } from "../seed/demo.ts";
import { seedOrders } from "../seed/orders.ts";
import { DISTRICT_CODE, seedOrgTree } from "../seed/orgTree.ts";
import { seedPeople } from "../seed/people.ts";
import { buildApp } from "../server/app.ts";
import { startBackground } from "../server/background.ts";
import { createContext } from "../server/boot.ts";
import { addAccount } from "../server/modules/accounts/service.ts";
import { seedCategories } from "../server/modules/workOrders/categories.ts";
import { FieldCrypto, loadSecret } from "../server/platform/crypto.ts";
import { VERSION } from "../version.ts";
import { ensureWebBuilt } from "./webBuild.ts";

const say = (m: string) => process.stdout.write(`${m}\n`);

async function serve(opts: { demo: boolean; buildWeb: boolean }) {
  const config = loadConfig();
  if (opts.buildWeb) await ensureWebBuilt(say);
  const started = Date.now();
  const ctx = await createContext(config);
  if (opts.demo && (await isEmpty(ctx.database))) {
    say("空数据库：正在载入演示数据（崇川区组织树 + 秦灶街道居民）…");
    await loadDemo(ctx.database, ctx.crypto, { log: say, orders: 8000, orderDays: 120 });
    say("\n演示账号（密码均为 Demo@2026）：");
    for (const a of DEMO_ACCOUNTS) say(`  ${a.username.padEnd(16)} ${a.displayName}`);
    say("");
  }
  const app = await buildApp(ctx);
  const stopBackground = startBackground(ctx, app.log);
  const shutdown = async () => {
    stopBackground();
    await app.close();
    await ctx.database.close();
    process.exit(0);
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
  await app.listen({ port: config.port, host: config.host });
  say(
    `网格管家 Gridkeeper ${VERSION} 已启动：http://${config.host}:${config.port}  (数据库: ${ctx.database.kind}，启动用时 ${Date.now() - started} ms)`,
  );
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
  .action(() => serve({ demo: false, buildWeb: false }));

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
          await loadDemo(db, crypto, { scope, seed, orders, orderDays, log: say });
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

program.parseAsync(process.argv).catch((e: Error) => {
  process.stderr.write(`错误：${e.message}\n`);
  process.exit(1);
});
