// Text written to a spreadsheet (CSV or xlsx) that a spreadsheet program would take for a formula is
// written as text: a cell starting with = + - @ (or their full-width forms, which Chinese input methods
// type), a tab or a carriage return gets a leading apostrophe, as OWASP advises against CSV injection
// (`=cmd|' /c calc'!A1` in a resident's name). The apostrophe shows; the formula never runs.

const FORMULA_START = /^[=+\-@\t\r＝＋－＠]/;

/** The text as a spreadsheet cell may hold it. Numbers, dates and empty values are not strings: untouched. */
export function safeCell<T>(value: T): T | string {
  return typeof value === "string" && FORMULA_START.test(value) ? `'${value}` : value;
}

/** Every string value of a row (an object of cells) made safe. */
export function safeCells<T extends Record<string, unknown>>(row: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = safeCell(v);
  return out as T;
}

/** One CSV field: made safe, then quoted when it holds a quote, comma or line break (RFC 4180). */
export function csvCell(value: unknown): string {
  const s = String(safeCell(value ?? ""));
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
