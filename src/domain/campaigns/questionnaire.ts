// A campaign's questionnaire and the rules its answers obey. Pure: the server validates a synced record with
// it, the phone shows and checks the same questions offline.

export const QUESTION_KINDS = ["single", "multi", "number", "text", "photo", "yesno"] as const;
export type QuestionKind = (typeof QUESTION_KINDS)[number];

export interface Question {
  /** Stable within the campaign across versions (answers are keyed by it). */
  id: string;
  kind: QuestionKind;
  label: string;
  options?: string[];
  required?: boolean;
  /** Shown (and asked) only when another question — a yes/no above it — has this answer. */
  showIf?: { question: string; equals: string };
  /** An answer that needs help raises a work order of this category ("needs help" → a care order). */
  raisesOrder?: { when: string; categoryCode: string };
  /**
   * An answer that suggests a key-population tag ("独居" seen at the door) proposes it for the care ledger:
   * a proposal a care role confirms or rejects, never a tag written directly.
   */
  proposesTag?: { when: string; tag: KeyTag };
}

import { KEY_TAGS, type KeyTag } from "../people/tags.ts";

export type Answer = string | number | string[] | boolean;
export type Answers = Record<string, Answer>;

export interface AnswerError {
  question: string;
  message: string;
}

/** What a yes/no answer is stored as. */
export const YES = "yes";
export const NO = "no";

/** The question is asked given the answers so far (its condition holds, or it has none). */
export function isShown(q: Question, answers: Answers): boolean {
  if (!q.showIf) return true;
  return String(answers[q.showIf.question] ?? "") === q.showIf.equals;
}

/** Problems with a questionnaire itself: duplicate ids, choices without options, conditions on nothing. */
export function checkQuestionnaire(questions: Question[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [i, q] of questions.entries()) {
    if (seen.has(q.id)) problems.push(`第 ${i + 1} 题：编号 ${q.id} 重复`);
    if ((q.kind === "single" || q.kind === "multi") && !(q.options && q.options.length >= 2))
      problems.push(`第 ${i + 1} 题：选择题至少要有两个选项`);
    if (q.showIf) {
      const target = questions.find((p) => p.id === q.showIf?.question);
      if (!target || !seen.has(target.id)) problems.push(`第 ${i + 1} 题：显示条件须指向前面的题目`);
    }
    if (q.proposesTag && !(KEY_TAGS as readonly string[]).includes(q.proposesTag.tag))
      problems.push(`第 ${i + 1} 题：建议的人群标签不存在`);
    seen.add(q.id);
  }
  return problems;
}

/**
 * Answers in the shape their questions want: a number typed as text ("3") for a number question, a text
 * answer that happens to be digits for a text question (JSON coercion may have turned either around).
 */
export function normaliseAnswers(questions: Question[], answers: Answers): Answers {
  const out: Answers = { ...answers };
  for (const q of questions) {
    const a = out[q.id];
    if (a === undefined) continue;
    if (q.kind === "number" && typeof a === "string" && a.trim() !== "" && Number.isFinite(Number(a)))
      out[q.id] = Number(a);
    if (q.kind !== "number" && q.kind !== "multi" && typeof a === "number") out[q.id] = String(a);
  }
  return out;
}

/**
 * The answers checked against the questions: an answer must fit its kind and options, a required shown
 * question must be answered (only when the visit was done: a closed door has no answers), and an answer
 * to a question that is not shown or does not exist is an error (nothing silently kept).
 */
export function checkAnswers(questions: Question[], answers: Answers, done: boolean): AnswerError[] {
  const errors: AnswerError[] = [];
  const byId = new Map(questions.map((q) => [q.id, q]));
  for (const key of Object.keys(answers))
    if (!byId.has(key)) errors.push({ question: key, message: "问卷中没有这道题" });
  for (const q of questions) {
    const a = answers[q.id];
    const shown = isShown(q, answers);
    if (a === undefined || a === "" || (Array.isArray(a) && a.length === 0)) {
      if (shown && done && q.required) errors.push({ question: q.id, message: `${q.label}：必答` });
      continue;
    }
    if (!shown) {
      errors.push({ question: q.id, message: `${q.label}：条件不成立，不应作答` });
      continue;
    }
    const bad = (message: string) => errors.push({ question: q.id, message: `${q.label}：${message}` });
    switch (q.kind) {
      case "single":
        if (typeof a !== "string" || !q.options?.includes(a)) bad("不是可选的选项");
        break;
      case "multi":
        if (!Array.isArray(a) || a.some((x) => typeof x !== "string" || !q.options?.includes(x)))
          bad("含有不可选的选项");
        else if (new Set(a).size !== a.length) bad("选项重复");
        break;
      case "number":
        if (typeof a !== "number" || !Number.isFinite(a)) bad("应为数字");
        break;
      case "text":
        if (typeof a !== "string" || a.length > 500) bad("应为 500 字以内的文字");
        break;
      case "yesno":
        if (a !== YES && a !== NO) bad("应为是或否");
        break;
      case "photo":
        // The photo travels beside the answers; the answer names it.
        if (a !== `photo:${q.id}`) bad("照片缺失");
        break;
    }
  }
  return errors;
}

/** The questions whose answers ask for a work order, with the answer that did. */
export function ordersRaised(questions: Question[], answers: Answers): Question[] {
  return questions.filter((q) => {
    const r = q.raisesOrder;
    if (!r || !isShown(q, answers)) return false;
    const a = answers[q.id];
    return Array.isArray(a) ? a.includes(r.when) : String(a ?? "") === r.when;
  });
}

/** The questions whose answers propose a care tag for the household. */
export function tagsProposed(questions: Question[], answers: Answers): Question[] {
  return questions.filter((q) => {
    const r = q.proposesTag;
    if (!r || !isShown(q, answers)) return false;
    const a = answers[q.id];
    return Array.isArray(a) ? a.includes(r.when) : String(a ?? "") === r.when;
  });
}

/** An answer as a reader sees it, with the questionnaire version it was given under. */
export function answerText(q: Question | undefined, a: Answer): string {
  if (Array.isArray(a)) return a.join("、");
  if (q?.kind === "yesno") return a === YES ? "是" : a === NO ? "否" : String(a);
  if (q?.kind === "photo") return "[照片]";
  return String(a);
}
