// Plans the grid layer beneath real communities. Counts follow the district's published figures
// (908 grids, 14,277 micro-grids for 182 communities), spread evenly so every community gets 4–5 grids.

export const DISTRICT_GRIDS = 908;
export const DISTRICT_MICRO_GRIDS = 14_277;
export const DISTRICT_COMMUNITIES = 182;

/** Bresenham split: how many of `total` fall to slot i of n; slots differ by at most one and sum to total. */
export function evenShare(total: number, n: number, i: number): number {
  return Math.floor(((i + 1) * total) / n) - Math.floor((i * total) / n);
}

/** "苏阳社区居委会" → "苏阳社区", "西安桥村委会" → "西安桥村". */
export function communityDisplayName(raw: string): string {
  if (raw.endsWith("村委会")) return raw.slice(0, -2);
  if (raw.endsWith("居委会")) return raw.slice(0, -3);
  return raw;
}

export function isVillage(rawName: string): boolean {
  return rawName.endsWith("村委会");
}

export function gridCode(communityCode: string, n: number): string {
  return `${communityCode}-G${String(n).padStart(2, "0")}`;
}

export function microGridCode(gridCode_: string, n: number): string {
  return `${gridCode_}-M${String(n).padStart(2, "0")}`;
}

export const gridName = (n: number) => `第${n}网格`;
export const microGridName = (n: number) => `第${n}微网格`;

export interface GridPlan {
  communityIndex: number;
  grids: { code: string; name: string; micro: { code: string; name: string }[] }[];
}

/**
 * Grids and micro-grids for community `ci` of the district's ordered community list.
 * Micro-grid counts are spread over the district's grids in global order, so the totals are exact.
 */
export function planCommunityGrids(communityCode: string, ci: number, communityCount: number): GridPlan {
  const gridsTotal = Math.round((DISTRICT_GRIDS * communityCount) / DISTRICT_COMMUNITIES);
  const microTotal = Math.round((DISTRICT_MICRO_GRIDS * communityCount) / DISTRICT_COMMUNITIES);
  const nGrids = evenShare(gridsTotal, communityCount, ci);
  const firstGrid = Math.floor((ci * gridsTotal) / communityCount);
  const grids = [];
  for (let g = 0; g < nGrids; g++) {
    const code = gridCode(communityCode, g + 1);
    const nMicro = evenShare(microTotal, gridsTotal, firstGrid + g);
    const micro = [];
    for (let m = 0; m < nMicro; m++)
      micro.push({ code: microGridCode(code, m + 1), name: microGridName(m + 1) });
    grids.push({ code, name: gridName(g + 1), micro });
  }
  return { communityIndex: ci, grids };
}
