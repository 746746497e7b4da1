"use client";
/**
 * State shared by the panels that list things one can create and revoke (API
 * keys, invites, worker tokens, share links): the list, its loading, errors, a
 * busy flag while a create runs, and revoking (after a confirmation).
 */
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { apiFetch } from "@/lib/browser/client/api";
import { useAction } from "./use-action";

/** `confirmRevoke`: the question a revoke asks first, when it breaks something for someone. */
export function useManagedList<Row>(url: string, opts: { confirmRevoke?: string } = {}) {
  const [rows, setRows] = useState<Row[] | null>(null);
  const { busy, error, setError, run, submit: submitForm } = useAction();

  const load = useCallback(() => {
    apiFetch<Row[]>(url).then(setRows, setError);
  }, [url, setError]);
  useEffect(load, [load]);

  /** Runs a create; the list reloads after, and a failure is shown. Resolves to whether it succeeded. */
  const create = (action: () => Promise<void>): Promise<boolean> => run(async () => {
    await action();
    load();
  });

  /** Submits a create form: `send` gets the form's fields; the form clears and the list reloads when it worked. */
  const submit = (e: FormEvent<HTMLFormElement>, send: (fields: FormData) => Promise<void>): Promise<void> =>
    submitForm(e, async (fields) => {
      await send(fields);
      load();
    });

  async function revoke(id: string) {
    if (opts.confirmRevoke && !window.confirm(opts.confirmRevoke)) return;
    try {
      await apiFetch(`${url}/${encodeURIComponent(id)}`, { method: "DELETE" });
      load();
    } catch (err) {
      setError(err);
    }
  }

  return { rows, error, setError, busy, create, submit, revoke };
}
