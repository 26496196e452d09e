// Text as it may be stored: well-formed Unicode (PostgreSQL refuses lone surrogates) without control
// characters other than tab, newline and carriage return (NUL cannot be stored at all).

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

export function cleanText(s: string): string {
  const wf = s.isWellFormed() ? s : s.toWellFormed();
  return CONTROLS.test(wf) ? wf.replace(CONTROLS, "") : wf;
}

/** Whether a single-line value holds a control character (names and codes refuse them). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
export const hasControl = (s: string) => /[\u0000-\u001f\u007f-\u009f]/.test(s);
