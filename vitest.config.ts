import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Two files at a time. Vitest's default on a 2-core machine is one (cores − 1), and a project with file
    // parallelism off runs after all the others in a group of its own: the whole suite ran one file after
    // another, while a file waits on PostgreSQL, Chromium and its own server as well as computing. Browser
    // files share the group with the rest and overlap them (each has its own server and browser context).
    // Three at a time was faster for the integration files (258 s against 278 s for the 42 files of 2ee76ed)
    // but slowed the browser files that share the run's Chromium two- to fourfold (command 106 → 532 s) until
    // walks hit their 120 s timeout: two it is.
    maxWorkers: 2,
    // Each worker process keeps its module cache from one file to the next (isolate: false below): a file no
    // longer imports the server, Playwright and the parsers afresh and starts on warm code. The 36 integration
    // files of 2ee76ed: 190 s → 142 s (import 44 s → 12 s). In exchange a file must leave no process-wide state
    // behind that another file's assertions see (the spreadsheet's warm reader and exceljs's UTF-8 fix did).
    projects: [
      // First: Vitest runs the projects' global setups in this order, one after another, and the browser
      // project's starts building the web and Chromium as it is imported, while the demo templates it shares
      // with the integration project are seeded (~9 s off the start of a run with browser files).
      {
        test: {
          name: "browser",
          isolate: false,
          include: ["test/browser/**/*.test.ts"],
          globalSetup: ["test/helpers/templates.ts", "test/browser/globalSetup.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // Pages load in a real browser on a 2-core machine: give polled assertions room to settle.
          expect: { poll: { timeout: 10_000 } },
        },
      },
      {
        test: {
          name: "unit",
          isolate: false,
          include: ["src/domain/**/*.test.ts", "test/static/**/*.test.ts"],
          // Property tests run thousands of cases: a busy machine (two files at once, or a developer's build
          // beside them) took one to 10 s against the default 5 s.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "integration",
          isolate: false,
          include: ["src/server/**/*.test.ts", "src/cli/**/*.test.ts", "test/integration/**/*.test.ts"],
          // Seeds the demo once per run; each file's createTestApp starts from a copy.
          globalSetup: ["test/helpers/templates.ts"],
          // A hang fails either way; a PGlite backup and restore of the demo took 61–66 s at load 13.
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
