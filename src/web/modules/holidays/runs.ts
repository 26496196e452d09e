// Consecutive days of one holiday and kind read as one line ("春节 休 8 天"), as the State Council's notice
// does; 调休 workdays stay separate lines.

export interface ArrangedDay {
  day: string;
  kind: "holiday" | "workday";
  name: string;
  source: "builtin" | "entered";
}

export interface HolidayRun {
  name: string;
  kind: "holiday" | "workday";
  from: string;
  to: string;
  days: ArrangedDay[];
}

const nextDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

export function groupArrangement(days: ArrangedDay[]): HolidayRun[] {
  const runs: HolidayRun[] = [];
  for (const d of [...days].sort((a, b) => a.day.localeCompare(b.day))) {
    const last = runs.at(-1);
    if (last && last.name === d.name && last.kind === d.kind && nextDay(last.to) === d.day) {
      last.to = d.day;
      last.days.push(d);
    } else runs.push({ name: d.name, kind: d.kind, from: d.day, to: d.day, days: [d] });
  }
  return runs;
}
