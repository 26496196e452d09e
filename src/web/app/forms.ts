import type { FormInstance } from "antd";
import { useState } from "react";
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

/**
 * The save around a form: busy while it runs; a 400's field errors land on the fields and the rest becomes
 * one message for the form's alert. `handled` may take an error itself (a 409 shown its own way).
 */
export function useFormSubmit<T>(form: FormInstance<T>, fields: string[]) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function run(save: () => Promise<void>, handled?: (e: unknown) => boolean) {
    setBusy(true);
    setError(null);
    try {
      await save();
    } catch (e) {
      if (handled?.(e)) return;
      const rest = placeFieldErrors(form, e, fields);
      setError(rest.length ? rest.join("；") : null);
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, setError, run };
}
