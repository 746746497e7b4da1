"use client";
import { useState, type FormEvent } from "react";
import { signIn } from "next-auth/react";
import { Button } from "@/components/ui/button";
import { ErrorBanner } from "@/components/ui/error-banner";
import { apiFetch } from "@/lib/browser/client/api";

/** Creates the account, then signs in with it. An invite made for one email fills it in, fixed. */
export function SignUpForm({ invite, first, email: invitedEmail }: { invite?: string; first: boolean; email?: string }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const email = String(form.get("email"));
    const password = String(form.get("password"));
    setBusy(true);
    setError(null);
    try {
      await apiFetch("/api/signup", { method: "POST", json: { email, name: String(form.get("name")), password, invite } });
      const res = await signIn("credentials", { email, password, redirect: false });
      if (!res || res.error) throw new Error(`account created, but signing in failed: ${res?.error ?? "no answer"}`);
      window.location.assign("/");
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate>
      {first ? <p className="notice small">This is the first account on this server: it becomes the admin, who invites teammates.</p> : null}
      <ErrorBanner error={error} />
      <label className="field">
        Name
        <input type="text" name="name" autoComplete="name" required autoFocus />
      </label>
      <label className="field">
        Email
        <input type="email" name="email" autoComplete="email" required defaultValue={invitedEmail} readOnly={invitedEmail !== undefined} />
        {invitedEmail !== undefined ? <span className="field-hint">This invite is for this address.</span> : null}
      </label>
      <label className="field">
        Password
        <input type="password" name="password" autoComplete="new-password" minLength={8} required />
        <span className="field-hint">At least 8 characters.</span>
      </label>
      <Button type="submit" variant="primary" busy={busy}>
        Create account
      </Button>
    </form>
  );
}
