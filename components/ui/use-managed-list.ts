"use client";
/**
 * State shared by the panels that list things one can create and revoke (API
 * keys, invites, share links): the list, its loading, errors, and a busy flag
 * while a create runs.
 */
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { apiFetch } from "@/lib/browser/client/api";

export function useManagedList<Row>(url: string) {
  const [rows, setRows] = useState<Row[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => {
    apiFetch<Row[]>(url).then(setRows, setError);
  }, [url]);
  useEffect(load, [load]);

  /** Runs a create; the list reloads after, and a failure is shown. Resolves to whether it succeeded. */
  async function create(action: () => Promise<void>): Promise<boolean> {
    setBusy(true);
    setError(null);
    try {
      await action();
      load();
      return true;
    } catch (err) {
      setError(err);
      return false;
    } finally {
      setBusy(false);
    }
  }

  /** Submits a create form: `send` gets the form's fields; the form clears when it worked. */
  async function submit(e: FormEvent<HTMLFormElement>, send: (fields: FormData) => Promise<void>) {
    e.preventDefault();
    const form = e.currentTarget;
    if (await create(() => send(new FormData(form)))) form.reset();
  }

  async function revoke(id: string) {
    try {
      await apiFetch(`${url}/${encodeURIComponent(id)}`, { method: "DELETE" });
      load();
    } catch (err) {
      setError(err);
    }
  }

  return { rows, error, setError, busy, create, submit, revoke };
}
