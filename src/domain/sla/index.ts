export * from "./calendar.ts";
export * from "./deadline.ts";
export * from "./holidays.ts";
export * from "./policy.ts";
export * from "./time.ts";
