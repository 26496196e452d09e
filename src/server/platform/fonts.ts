// The CJK font PDFs embed (pdfkit subsets it), so a printed page reads the same on any printer. Debian's
// fonts-noto-cjk by default; GK_CJK_FONT (and GK_CJK_FONT_FAMILY for a .ttc) names another.
import fs from "node:fs";
import { AppError } from "./errors.ts";

const FONT_CANDIDATES: [string, string][] = [
  ["/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular"],
  ["/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular"],
  ["/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", "NotoSerifCJKsc-Regular"],
];

/** [file, family] of the font to embed; 503 naming the package when the server has none. */
export function cjkFont(): [string, string] {
  const fromEnv = process.env.GK_CJK_FONT;
  if (fromEnv && fs.existsSync(fromEnv))
    return [fromEnv, process.env.GK_CJK_FONT_FAMILY ?? "NotoSansCJKsc-Regular"];
  const found = FONT_CANDIDATES.find(([p]) => fs.existsSync(p));
  if (!found) throw new AppError(503, "font_missing", "服务器未安装中文字体（fonts-noto-cjk），无法生成 PDF");
  return found;
}
