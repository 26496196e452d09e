import { pinyin } from "pinyin-pro";

// Pinyin initials for search ("zs" finds 张三). Surname mode reads 曾/单/仇/缪 as surnames.
const cache = new Map<string, string>();

export function nameInitials(name: string): string {
  let v = cache.get(name);
  if (v === undefined) {
    v = pinyin(name, { pattern: "first", toneType: "none", type: "array", surname: "head" })
      .join("")
      .toLowerCase()
      .replace(/[^a-z]/g, "");
    if (cache.size < 200_000) cache.set(name, v);
  }
  return v;
}
