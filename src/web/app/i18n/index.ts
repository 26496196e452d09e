import i18n from "i18next";
import { initReactI18next } from "react-i18next";
import en from "./en.ts";
import zhCN from "./zh-CN.ts";

export type Lang = "zh-CN" | "en";
const STORAGE_KEY = "gk.lang";

function savedLang(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === "en" ? "en" : "zh-CN";
  } catch {
    return "zh-CN";
  }
}

i18n.use(initReactI18next).init({
  resources: { "zh-CN": { translation: zhCN }, en: { translation: en } },
  lng: savedLang(),
  fallbackLng: "zh-CN",
  interpolation: { escapeValue: false },
});

export function setLang(lang: Lang): void {
  localStorage.setItem(STORAGE_KEY, lang);
  void i18n.changeLanguage(lang);
  document.documentElement.lang = lang;
}

document.documentElement.lang = i18n.language;

export { KEY_TAGS } from "../../../domain/people/tags.ts";

export default i18n;
