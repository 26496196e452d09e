export * from "./platform.ts";
export * from "./workOrders.ts";
