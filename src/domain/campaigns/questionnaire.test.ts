import { describe, expect, it } from "vitest";
import {
  checkAnswers,
  checkQuestionnaire,
  isShown,
  normaliseAnswers,
  ordersRaised,
  type Question,
} from "./questionnaire.ts";

const QS: Question[] = [
  { id: "present", kind: "number", label: "常住人数", required: true },
  { id: "elderly", kind: "yesno", label: "有老人", required: true },
  {
    id: "help",
    kind: "single",
    label: "老人情况",
    options: ["良好", "需要上门探访"],
    showIf: { question: "elderly", equals: "yes" },
    raisesOrder: { when: "需要上门探访", categoryCode: "elderly_visit" },
  },
  { id: "needs", kind: "multi", label: "需要", options: ["配药", "维修"] },
  { id: "sign", kind: "photo", label: "签字" },
];

describe("questionnaire answers", () => {
  it("accepts a full answer and asks nothing of a closed door", () => {
    expect(checkAnswers(QS, { present: 2, elderly: "no" }, true)).toEqual([]);
    expect(checkAnswers(QS, {}, false)).toEqual([]);
  });

  it("refuses a missing required answer, a wrong option, an answer to a hidden or unknown question", () => {
    expect(checkAnswers(QS, { elderly: "no" }, true).map((e) => e.question)).toEqual(["present"]);
    expect(checkAnswers(QS, { present: 1, elderly: "yes", help: "不知道" }, true)[0].question).toBe("help");
    expect(checkAnswers(QS, { present: 1, elderly: "no", help: "良好" }, true)[0].question).toBe("help");
    expect(checkAnswers(QS, { present: 1, elderly: "no", x: 1 }, true)[0].question).toBe("x");
    expect(checkAnswers(QS, { present: 1, elderly: "no", needs: ["配药", "配药"] }, true)[0].question).toBe(
      "needs",
    );
    expect(checkAnswers(QS, { present: 1, elderly: "no", sign: "x" }, true)[0].question).toBe("sign");
  });

  it("shows a follow-up only after yes, and raises an order only for the answer that needs help", () => {
    expect(isShown(QS[2], { elderly: "yes" })).toBe(true);
    expect(isShown(QS[2], { elderly: "no" })).toBe(false);
    expect(ordersRaised(QS, { elderly: "yes", help: "需要上门探访" }).map((q) => q.id)).toEqual(["help"]);
    expect(ordersRaised(QS, { elderly: "yes", help: "良好" })).toEqual([]);
  });

  it("normalises numbers typed as text and text that looks like a number", () => {
    expect(normaliseAnswers(QS, { present: "3", elderly: "no" })).toEqual({ present: 3, elderly: "no" });
    const t: Question[] = [{ id: "note", kind: "text", label: "备注" }];
    expect(normaliseAnswers(t, { note: 12 })).toEqual({ note: "12" });
  });

  it("finds problems in a questionnaire", () => {
    expect(checkQuestionnaire(QS)).toEqual([]);
    expect(checkQuestionnaire([...QS, QS[0]]).length).toBe(1);
    expect(checkQuestionnaire([{ id: "a", kind: "single", label: "a", options: ["x"] }]).length).toBe(1);
    expect(
      checkQuestionnaire([{ id: "a", kind: "text", label: "a", showIf: { question: "b", equals: "yes" } }])
        .length,
    ).toBe(1);
  });
});
