import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The house's module rule, enforced: another module is reached through its face (`modules/<m>/index.ts`),
// never through its internals. Reaching into a module's service or presenter makes coupling no import graph
// shows; this test reads every import in src/ and test/ and names each one that does.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const MODULES = path.join(root, "src/server/modules");

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : files(p);
    return /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

const moduleOf = (file: string) => {
  const rel = path.relative(MODULES, file);
  return rel.startsWith("..") ? null : rel.split(path.sep)[0];
};

function imports(file: string): string[] {
  const src = fs.readFileSync(file, "utf8");
  return [
    ...src.matchAll(/(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g),
  ]
    .map((m) => m[1] ?? m[2])
    .filter((s) => s.startsWith("."));
}

describe("module boundaries", () => {
  it("every module has a face", () => {
    for (const m of fs.readdirSync(MODULES)) {
      expect(fs.existsSync(path.join(MODULES, m, "index.ts")), `modules/${m}/index.ts`).toBe(true);
    }
  });

  it("no file imports another module's internals", () => {
    const offences: string[] = [];
    for (const file of [...files(path.join(root, "src")), ...files(path.join(root, "test"))]) {
      const from = moduleOf(file);
      for (const spec of imports(file)) {
        const target = path.resolve(path.dirname(file), spec);
        const to = moduleOf(target);
        if (!to || to === from) continue;
        if (path.relative(path.join(MODULES, to), target) !== "index.ts")
          offences.push(`${path.relative(root, file)} → ${path.relative(root, target)}`);
      }
    }
    expect(offences).toEqual([]);
  });
});
