// Failed statements are named in logs by what they are, never by their parameters (server/platform/logSafe.ts).

/** A short name for a statement from its text: verb and main table ("insert into residents"). */
export function statementLabel(sql: string): string {
  const s = sql
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/\s+/g, " ")
    .trim()
    .toLowerCase();
  const verb =
    /^(with|select|insert into|update|delete from|copy|call|create|alter|drop|set|begin|commit|rollback)\b/.exec(
      s,
    )?.[1] ?? "sql";
  const table = /\b(?:insert into|update|delete from|copy|from)\s+("?[\w.]+"?)/
    .exec(s)?.[1]
    ?.replaceAll('"', "");
  if (!table) return verb;
  return verb === "select" || verb === "with" ? `${verb} … from ${table}` : `${verb} ${table}`;
}

/**
 * Names a failed statement on its error (its given name, or verb and table), so that the log can say which
 * statement failed without its parameters.
 */
export function nameFailure(text: string, name: string | undefined) {
  return (e: unknown): never => {
    if (e instanceof Error && !("statement" in e))
      (e as Error & { statement?: string }).statement = name ?? statementLabel(text);
    throw e;
  };
}
