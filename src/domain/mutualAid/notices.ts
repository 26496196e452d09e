// Mass notices 群发: a template with variables filled per recipient, and the pacing of delivery.

export const NOTICE_VARIABLES = ["称呼", "社区", "活动", "时间", "地点"] as const;
export type NoticeVariable = (typeof NOTICE_VARIABLES)[number];

const VAR = /\{([^{}]{1,10})\}/g;

/** Variables a template names that are not known (an empty list: the template is good). */
export function unknownVariables(template: string): string[] {
  const bad = new Set<string>();
  for (const m of template.matchAll(VAR))
    if (!(NOTICE_VARIABLES as readonly string[]).includes(m[1])) bad.add(m[1]);
  return [...bad];
}

/** The template with each {变量} replaced; a variable without a value becomes empty. */
export function renderTemplate(template: string, vars: Partial<Record<NoticeVariable, string>>): string {
  return template.replace(VAR, (_, name: string) => vars[name as NoticeVariable] ?? "");
}

/** How a resident is addressed in a message: surname and 先生/女士, never the full name. */
export function salutation(name: string, gender: string): string {
  const surname = name.slice(0, 1);
  return `${surname}${gender === "female" || gender === "女" ? "女士" : "先生"}`;
}

/** Milliseconds to wait before the next batch so that `sent` messages since `startedMs` stay within `perSecond`. */
export function throttleDelayMs(sent: number, perSecond: number, elapsedMs: number): number {
  if (perSecond <= 0) return 0;
  const due = (sent / perSecond) * 1000;
  return Math.max(0, Math.ceil(due - elapsedMs));
}
