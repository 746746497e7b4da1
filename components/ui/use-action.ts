"use client";
/**
 * A user's action that waits on the server (save, create, sign in): busy while
 * it runs, and its error kept to show (never swallowed).
 */
import { useState, type FormEvent } from "react";

export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  /** Runs the action; resolves to whether it succeeded. */
  async function run(action: () => Promise<void>): Promise<boolean> {
    setBusy(true);
    setError(null);
    try {
      await action();
      return true;
    } catch (err) {
      setError(err);
      return false;
    } finally {
      setBusy(false);
    }
  }

  /** Submits a form: `send` gets its fields; the form clears when it worked. */
  async function submit(e: FormEvent<HTMLFormElement>, send: (fields: FormData) => Promise<void>): Promise<void> {
    e.preventDefault();
    const form = e.currentTarget;
    if (await run(() => send(new FormData(form)))) form.reset();
  }

  return { busy, error, setError, run, submit };
}
