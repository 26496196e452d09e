import { describe, expect, it } from "vitest";
import { classifyQuery } from "./query.ts";

describe("resident search query", () => {
  it("reads what people type", () => {
    expect(classifyQuery("5678")).toEqual({ kind: "tail", value: "5678" });
    expect(classifyQuery("123x")).toEqual({ kind: "tail", value: "123X" });
    expect(classifyQuery("138 1234 5678")).toEqual({ kind: "phone", value: "13812345678" });
    expect(classifyQuery("110105491231002")).toEqual({ kind: "id_number", value: "11010519491231002X" });
    expect(classifyQuery("ZS")).toEqual({ kind: "initials", value: "zs" });
    expect(classifyQuery(" 张三 ")).toEqual({ kind: "text", value: "张三" });
    expect(classifyQuery("苏阳社区  12幢")).toEqual({ kind: "text", value: "苏阳社区 12幢" });
    expect(classifyQuery("   ")).toBeNull();
  });
  it("treats SQL text as plain text", () => {
    expect(classifyQuery("' OR 1=1 --")).toEqual({ kind: "text", value: "' OR 1=1 --" });
  });
});
