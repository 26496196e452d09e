// What reading one uploaded spreadsheet may cost. Every limit is checked inside the worker as the file is
// read (rows and cells as they stream, the zip's sizes before anything is inflated); time and memory are
// also enforced from outside, so a parser that loops or allocates without end is stopped regardless.

export interface SheetLimits {
  /** Sum of the zip entries' sizes once inflated (xlsx), or of the text (csv). */
  decompressedBytes: number;
  /** Rows of the first sheet, blank ones included (a row numbered 2,000,000 counts as 2,000,000 rows). */
  rows: number;
  /** Non-empty cells. */
  cells: number;
  /** Wall time of the whole read, worker start included. */
  ms: number;
  /** Heap of the worker thread (V8 old generation). */
  heapMb: number;
}

export const DEFAULT_LIMITS: SheetLimits = {
  decompressedBytes: 100 * 1024 * 1024,
  rows: 60_000,
  cells: 1_000_000,
  ms: 30_000,
  heapMb: 256,
};

export type LimitName = keyof SheetLimits;

const mb = (n: number) => `${Math.round(n / 1024 / 1024)} MB`;

/** The limit in words, Chinese then English, as the error message carries it. */
export function limitMessage(limit: LimitName, max: number): string {
  switch (limit) {
    case "decompressedBytes":
      return `文件解压后超过 ${mb(max)} 上限，请拆分后再导入 / The file expands beyond the ${mb(max)} decompressed-size limit`;
    case "rows":
      return `表格超过 ${max} 行上限（空行也计入），请删除多余的空行或分批导入 / The sheet exceeds the ${max}-row limit (blank rows count)`;
    case "cells":
      return `表格超过 ${max} 个单元格上限，请只保留需要的列 / The sheet exceeds the ${max}-cell limit`;
    case "ms":
      return `读取表格超过 ${Math.round(max / 1000)} 秒时限，请拆分后再导入 / Reading the sheet exceeded the ${Math.round(max / 1000)} s time limit`;
    case "heapMb":
      return `读取表格超过 ${max} MB 内存上限，请拆分后再导入 / Reading the sheet exceeded the ${max} MB memory limit`;
  }
}

/** Size limits are 413 (the payload is too large once unpacked); the others 422 (it is too much work). */
export const limitStatus = (limit: LimitName) => (limit === "decompressedBytes" ? 413 : 422);
