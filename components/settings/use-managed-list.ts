"use client";
/**
 * State shared by the settings panels that list things one can create and
 * revoke (API keys, invites): the list, its loading, errors, and a busy flag
 * while a form submits.
 */
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { fetchJson } from "@/components/ui/fetch-json";

export function useManagedList<Row>(url: string) {
  const [rows, setRows] = useState<Row[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => {
    fetchJson<Row[]>(url).then(setRows, setError);
  }, [url]);
  useEffect(load, [load]);

  /** Submits a create form: `send` gets the form's fields; the list reloads after. */
  async function create(e: FormEvent<HTMLFormElement>, send: (fields: FormData) => Promise<void>) {
    e.preventDefault();
    const form = e.currentTarget;
    setBusy(true);
    setError(null);
    try {
      await send(new FormData(form));
      form.reset();
      load();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function revoke(id: string) {
    try {
      await fetchJson(`${url}/${encodeURIComponent(id)}`, { method: "DELETE" });
      load();
    } catch (err) {
      setError(err);
    }
  }

  return { rows, error, setError, busy, create, revoke };
}
