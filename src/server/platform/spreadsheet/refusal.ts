// Why a file was refused, as the reader thread throws it (worker.ts posts status, message and limit back).
// Apart from parse.ts so the xlsx reader (xlsx.ts), which parse.ts calls, can throw the same errors.
import { type LimitName, limitMessage, limitStatus } from "./limits.ts";

/** Why a file was refused: a limit (413/422) or a file that is not a spreadsheet (400). */
export class SheetError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly limit?: LimitName,
    readonly max?: number,
  ) {
    super(message);
  }
}

export const overLimit = (limit: LimitName, max: number) =>
  new SheetError(limitStatus(limit), limitMessage(limit, max), limit, max);

export const notSpreadsheet = (why: string) => new SheetError(400, why);
