import { pinyin } from "pinyin-pro";

/** Full pinyin without tones or spaces ("gongshui" for 供水), for typing on a keyboard without an IME. */
export function fullPinyin(text: string): string {
  return pinyin(text, { toneType: "none", type: "array", nonZh: "removed" })
    .join("")
    .toLowerCase()
    .replace(/[^a-z]/g, "");
}
