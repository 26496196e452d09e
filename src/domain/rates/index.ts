export * from "./ranking.ts";
export * from "./rates.ts";
