import type { FormInstance } from "antd";
import { ApiError } from "./api.ts";

/**
 * Puts a 400's field errors on the form's fields ("vitals.systolic" → ["vitals", "systolic"]).
 * Returns the messages that have no field in the form, for a general alert.
 */
export function placeFieldErrors<T>(form: FormInstance<T>, e: unknown, known: string[]): string[] {
  if (!(e instanceof ApiError) || !e.fields.length) return [e instanceof Error ? e.message : String(e)];
  const onForm = e.fields.filter((f) => known.includes(f.field));
  form.setFields(
    onForm.map((f) => ({
      name: f.field.split(".") as never,
      errors: [f.message.replace(/^[^:：]{1,12}[:：]\s*/, "")],
    })),
  );
  const rest = e.fields.filter((f) => !known.includes(f.field)).map((f) => f.message);
  return onForm.length ? rest : [e.message];
}
