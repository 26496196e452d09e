import fs from "node:fs";
import { expect, it } from "vitest";
import { API_TYPES, apiTypesSource } from "../../scripts/apiTypes.ts";

// The web's API types are generated from the routes' schemas; a route changed without `npm run gen:api`
// leaves the web compiling against answers the server no longer gives.
it("src/web/app/api.gen.ts matches the server's OpenAPI document (run `npm run gen:api`)", async () => {
  expect(fs.readFileSync(API_TYPES, "utf8")).toBe(await apiTypesSource());
}, 60_000);
