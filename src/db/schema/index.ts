export * from "./care.ts";
export * from "./command.ts";
export * from "./jobs.ts";
export * from "./mutualAid.ts";
export * from "./platform.ts";
export * from "./verification.ts";
export * from "./volunteers.ts";
export * from "./workOrders.ts";
