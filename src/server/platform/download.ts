import { create as contentDisposition } from "content-disposition";
import type { FastifyReply } from "fastify";
import { XLSX_MIME } from "./spreadsheet/upload.ts";

// Every file the app hands out (exports, reports, cards, flagged rows) leaves through here: one content type
// per kind, and a Content-Disposition built by the `content-disposition` package — a Chinese name such as
// 崇川区信息日报 goes in filename* (RFC 6266/8187) beside an ASCII fallback, which hand-written headers got
// right in some modules and not in others.

export const MIME = {
  xlsx: XLSX_MIME,
  pdf: "application/pdf",
  csv: "text/csv; charset=utf-8",
} as const;

export interface Download {
  kind: keyof typeof MIME;
  /** What the user's browser saves it as; may be Chinese. */
  filename: string;
  /** The ASCII name for clients without filename* (default: non-ASCII characters replaced). */
  fallback?: string;
  /** Shown in the browser (a PDF card) rather than saved. */
  inline?: boolean;
  body: unknown;
}

export function sendDownload(reply: FastifyReply, file: Download) {
  return reply
    .type(MIME[file.kind])
    .header(
      "content-disposition",
      contentDisposition(file.filename, {
        type: file.inline ? "inline" : "attachment",
        fallback: file.fallback ?? true,
      }),
    )
    .send(file.body);
}
