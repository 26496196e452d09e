import { AjvCompiler } from "@fastify/ajv-compiler";
import { SerializerSelector } from "@fastify/fast-json-stringify-compiler";
import type { FastifyServerOptions } from "fastify";

/**
 * Fastify's own validator (Ajv) and serializer (fast-json-stringify) compilers, with what they compiled kept for
 * every app this process builds. The test suite builds an app per test file in a process, and each compiled
 * every route's schemas afresh — the same schemas, declared inside the route plugins and so new objects each
 * time: keyed by their JSON text (what Ajv and fast-json-stringify read of them), they compile once. The
 * server itself builds one app and compiles as before.
 */
type Route = { schema: unknown };
type Compile = (route: Route) => unknown;

const compiled = new Map<string, unknown>();

function cached(kind: string, compile: Compile, externalSchemas: unknown, options: unknown): Compile {
  const context = JSON.stringify([kind, externalSchemas, options]);
  return (route) => {
    // A boolean schema or one without JSON text of its own: as Fastify would.
    if (typeof route.schema !== "object" || route.schema === null) return compile(route);
    const key = `${context}\n${JSON.stringify(route.schema)}`;
    if (!compiled.has(key)) compiled.set(key, compile(route));
    return compiled.get(key);
  };
}

const validators = AjvCompiler();
const serializers = SerializerSelector();

export const schemaController: FastifyServerOptions["schemaController"] = {
  compilersFactory: {
    buildValidator: (externalSchemas: never, options: never) =>
      cached("validator", validators(externalSchemas, options) as Compile, externalSchemas, options),
    buildSerializer: (externalSchemas: never, options: never) =>
      cached("serializer", serializers(externalSchemas, options) as Compile, externalSchemas, options),
  } as never,
};
