export * from "./flow.ts";
export * from "./routing.ts";
export * from "./states.ts";
export * from "./transitions.ts";
export * from "./workOrder.ts";
