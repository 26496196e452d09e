export * from "./platform.ts";
export * from "./workOrders.ts";
export * from "./care.ts";
