// Writing a workbook built in memory (exports, report sheets, outcome sheets) to the bytes of an xlsx.
//
// exceljs 4.4 hands each part's XML to JSZip as a JavaScript string, and JSZip encodes a string 16 K code
// units at a time: a character outside the BMP (a 生僻字 of CJK Extension B such as 𠮷, common in real names,
// or an emoji) whose surrogate pair falls across a piece boundary is written as two U+FFFD. Handing JSZip
// the UTF-8 bytes instead encodes each part in one piece. The streaming WorkbookWriter (archiver) is not
// affected. Every in-memory export goes through `workbookBuffer`, and importing this module installs the fix;
// write.test.ts fails if an exceljs upgrade moves the class or changes the behaviour.
import { createRequire } from "node:module";
import type ExcelJS from "exceljs";

type Append = (data: unknown, options: { name: string; base64?: boolean }) => void;

const { ZipWriter } = createRequire(import.meta.url)("exceljs/lib/utils/zip-stream.js") as {
  ZipWriter: { prototype: { append: Append } };
};
const exceljsAppend = ZipWriter.prototype.append;
const utf8Append: Append = function (this: unknown, data, options) {
  const bytes = typeof data === "string" && !options.base64 ? Buffer.from(data, "utf8") : data;
  return exceljsAppend.call(this, bytes, options);
};
ZipWriter.prototype.append = utf8Append;

/**
 * For write.test.ts, which shows why the fix exists: `fn` runs with exceljs's own append. The fix is
 * process-wide, and a test file may share its process with files that exported before it.
 */
export async function withoutUtf8Fix<T>(fn: () => Promise<T>): Promise<T> {
  ZipWriter.prototype.append = exceljsAppend;
  try {
    return await fn();
  } finally {
    ZipWriter.prototype.append = utf8Append;
  }
}

/** The workbook as xlsx bytes, every character as it was given. */
export async function workbookBuffer(wb: ExcelJS.Workbook): Promise<Buffer> {
  return Buffer.from(await wb.xlsx.writeBuffer());
}
