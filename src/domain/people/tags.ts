// The words of the resident registry: key-population tags (GLOSSARY 重点人群), living arrangements and
// relations to the household head, with their Chinese names. The server, the generator and the web share them.

export const KEY_TAGS = [
  "living_alone",
  "empty_nest",
  "aged_80_plus",
  "disabled_care",
  "severe_disability",
  "chronic_disease",
  "low_income",
  "maternal",
  "left_behind_child",
] as const;
export type KeyTag = (typeof KEY_TAGS)[number];

export const TAG_LABELS: Record<KeyTag, string> = {
  living_alone: "独居",
  empty_nest: "空巢",
  aged_80_plus: "高龄80+",
  disabled_care: "失能",
  severe_disability: "重残",
  chronic_disease: "慢病",
  low_income: "低保",
  maternal: "孕产妇",
  left_behind_child: "留守儿童",
};

export const LIVING_ARRANGEMENTS = ["alone", "with_spouse", "with_family", "with_grandparents"] as const;
export type LivingArrangement = (typeof LIVING_ARRANGEMENTS)[number];
export const LIVING_LABELS: Record<LivingArrangement, string> = {
  alone: "独自居住",
  with_spouse: "与配偶同住",
  with_family: "与家人同住",
  with_grandparents: "随祖辈生活",
};

export const RELATIONS: Record<string, string> = {
  head: "户主",
  spouse: "配偶",
  child: "子女",
  parent: "父母",
  grandchild: "孙子女",
};
