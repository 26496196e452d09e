import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      { test: { name: "unit", include: ["src/domain/**/*.test.ts", "test/static/**/*.test.ts"] } },
      {
        test: {
          name: "integration",
          include: ["src/server/**/*.test.ts", "src/cli/**/*.test.ts", "test/integration/**/*.test.ts"],
          // Seeds the demo once per run; each file's createTestApp starts from a copy.
          globalSetup: ["test/helpers/templates.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          globalSetup: ["test/helpers/templates.ts", "test/browser/globalSetup.ts"],
          testTimeout: 60_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          // Pages load in a real browser on a 2-core machine: give polled assertions room to settle.
          expect: { poll: { timeout: 10_000 } },
        },
      },
    ],
  },
});
