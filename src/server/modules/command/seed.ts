import type { Database } from "../../../db/client.ts";

/**
 * The demo's leaders on the daily report's list: each named account receives the report of its own unit
 * (the district commander the district's, the street commander the street's).
 */
export async function seedReportRecipients(database: Database, usernames: string[]) {
  const rows = await database.query<{ id: number }>(
    `insert into daily_report_recipients (org_unit_id, account_id)
     select a.org_unit_id, a.id from accounts a join org_units o on o.id = a.org_unit_id
     where a.username = any($1::text[]) and o.kind in ('district', 'street')
     on conflict do nothing returning id`,
    [usernames],
  );
  return rows.length;
}
