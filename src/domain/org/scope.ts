// Org paths look like "/320613/320613019/320613019010/320613019010-G03/"; a subtree is a path prefix.

export function inScope(scopePath: string, recordPath: string): boolean {
  return recordPath.startsWith(scopePath);
}

/** LIKE pattern for "this subtree"; codes hold no % or _, but escape anyway so the rule has no exception. */
export function subtreePattern(scopePath: string): string {
  return `${scopePath.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export const ORG_KINDS = ["district", "street", "community", "grid", "micro_grid"] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

export const ORG_KIND_LABELS: Record<OrgKind, string> = {
  district: "区",
  street: "街道",
  community: "社区",
  grid: "网格",
  micro_grid: "微网格",
};
