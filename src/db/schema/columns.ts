import { customType, timestamp } from "drizzle-orm/pg-core";

/** Every table carries these (house style). A function, so each table gets its own column builders. */
export const timestamps = () => ({
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/** Raw bytes (generated files, photos) kept in the row. */
export const bytea = customType<{ data: Buffer }>({ dataType: () => "bytea" });
