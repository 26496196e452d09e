// Times shown to people are Asia/Shanghai wall-clock times, whatever the browser's own zone (the
// service's calendars and deadlines are Shanghai days). sv-SE gives the ISO-like "2026-11-24 11:26".

const zone = "Asia/Shanghai";
const TIME = new Intl.DateTimeFormat("sv-SE", {
  timeZone: zone,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
});
const DATE = new Intl.DateTimeFormat("sv-SE", {
  timeZone: zone,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});

/** 2026-11-24 11:26 */
export const formatTime = (iso: string | null | undefined) => (iso ? TIME.format(new Date(iso)) : "—");
/** 2026-11-24 */
export const formatDate = (iso: string | null | undefined) => (iso ? DATE.format(new Date(iso)) : "—");
/** 2026-11 */
export const formatMonth = (d: Date) => DATE.format(d).slice(0, 7);
