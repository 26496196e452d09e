import { describe, expect, it } from "vitest";
import { fieldMessage, validationMessage } from "./validation.ts";

describe("validation messages", () => {
  it("says what is wrong in Chinese, with the field's name", () => {
    expect(fieldMessage("q", { keyword: "maxLength", params: { limit: 30 } })).toBe(
      "搜索词: 不能超过 30 个字",
    );
    expect(fieldMessage("id", { keyword: "type", params: { type: "integer" } })).toBe("编号: 应为整数");
    expect(fieldMessage("month", { keyword: "pattern", params: {} })).toMatch(/^月份: 格式不正确/);
    expect(validationMessage({ keyword: "required", params: { missingProperty: "x" } })).toBe("必填");
    expect(validationMessage({ keyword: "enum", params: { allowedValues: ["a", "b"] } })).toBe(
      "应为 a、b 之一",
    );
  });
  it("never falls back to the validator's English", () => {
    for (const keyword of ["maxLength", "minimum", "type", "format", "additionalProperties", "weird"])
      expect(validationMessage({ keyword, params: {}, message: "must NOT have more" })).not.toMatch(
        /[a-z]{4}/,
      );
  });
});
