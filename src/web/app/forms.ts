import type { FormInstance } from "antd";
import { useCallback, useState } from "react";
import { ApiError } from "./api.ts";

/**
 * Puts a 400's field errors on the form's fields ("vitals.systolic" → ["vitals", "systolic"]; a list's
 * index becomes a number, so "attributes.1.values" lands on the second item of a Form.List).
 * Returns the messages that have no field in the form, for a general alert.
 */
export function placeFieldErrors<T>(form: FormInstance<T>, e: unknown, known: string[]): string[] {
  if (!(e instanceof ApiError) || !e.fields.length) return [e instanceof Error ? e.message : String(e)];
  const onForm = e.fields.filter((f) => known.includes(f.field));
  form.setFields(
    onForm.map((f) => ({
      // A list's place is a number on the form ("attributes.0.code" → ["attributes", 0, "code"], as Form.List names it).
      name: f.field.split(".").map((k) => (/^\d+$/.test(k) ? Number(k) : k)) as never,
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

/**
 * Drafts kept in this browser, one per user and form ("gk.draft.<user>.<form>"), so a session that
 * expires while someone fills a visit, a resolution or an intake loses nothing: the form saves as it
 * changes, comes back filled after signing in again, and forgets the draft once it is sent. Keyed by
 * user, so whoever signs in next on a shared computer never sees another's draft; signing out on purpose
 * drops the user's drafts.
 */
const DRAFTS = "gk.draft.";

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export function hasDrafts(userId: number): boolean {
  const s = storage();
  if (!s) return false;
  for (let i = 0; i < s.length; i++) if (s.key(i)?.startsWith(`${DRAFTS}${userId}.`)) return true;
  return false;
}

export function clearDrafts(userId: number): void {
  const s = storage();
  if (!s) return;
  const mine = Object.keys(s).filter((k) => k.startsWith(`${DRAFTS}${userId}.`));
  for (const k of mine) s.removeItem(k);
}

export function useDraft<D>(userId: number, form: string) {
  const key = `${DRAFTS}${userId}.${form}`;
  const [restored] = useState<D | null>(() => {
    try {
      const raw = storage()?.getItem(key);
      return raw ? (JSON.parse(raw) as D) : null;
    } catch {
      return null;
    }
  });
  const save = useCallback(
    (d: D | null) => {
      try {
        if (d === null) storage()?.removeItem(key);
        else storage()?.setItem(key, JSON.stringify(d));
      } catch {
        // A full or disabled storage: the form still works, only without a draft.
      }
    },
    [key],
  );
  const clear = useCallback(() => save(null), [save]);
  return { restored, save, clear };
}

/** The names of this user's drafts that start with `prefix` ("visit." → ["visit.12", …]), oldest key order. */
export function draftsOf(userId: number, prefix: string): string[] {
  const s = storage();
  if (!s) return [];
  const head = `${DRAFTS}${userId}.`;
  return Object.keys(s)
    .filter((k) => k.startsWith(`${head}${prefix}`))
    .map((k) => k.slice(head.length));
}

/** One kept draft, read without a form (a page deciding which form to open again). */
export function readDraft<D>(userId: number, form: string): D | null {
  try {
    const raw = storage()?.getItem(`${DRAFTS}${userId}.${form}`);
    return raw ? (JSON.parse(raw) as D) : null;
  } catch {
    return null;
  }
}
