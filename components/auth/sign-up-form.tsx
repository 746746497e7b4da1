"use client";
import { signIn } from "next-auth/react";
import { Button } from "@/components/ui/button";
import { ErrorBanner } from "@/components/ui/error-banner";
import { Field } from "@/components/ui/field";
import { useAction } from "@/components/ui/use-action";
import { apiFetch } from "@/lib/browser/client/api";

/** Creates the account, then signs in with it. An invite made for one email fills it in, fixed. */
export function SignUpForm({ invite, first, email: invitedEmail }: { invite?: string; first: boolean; email?: string }) {
  const { busy, error, submit } = useAction();

  const signUp = async (fields: FormData) => {
    const email = String(fields.get("email"));
    const password = String(fields.get("password"));
    await apiFetch("/api/signup", { method: "POST", json: { email, name: String(fields.get("name")), password, invite } });
    const res = await signIn("credentials", { email, password, redirect: false });
    if (!res || res.error) throw new Error(`account created, but signing in failed: ${res?.error ?? "no answer"}`);
    window.location.assign("/");
  };

  return (
    <form onSubmit={(e) => void submit(e, signUp)} noValidate>
      {first ? <p className="notice small">This is the first account on this server: it becomes the admin, who invites teammates.</p> : null}
      <ErrorBanner error={error} />
      <Field label="Name" type="text" name="name" autoComplete="name" required autoFocus />
      <Field
        label="Email"
        type="email"
        name="email"
        autoComplete="email"
        required
        defaultValue={invitedEmail}
        readOnly={invitedEmail !== undefined}
        hint={invitedEmail !== undefined ? "This invite is for this address." : undefined}
      />
      <Field label="Password" type="password" name="password" autoComplete="new-password" minLength={8} required hint="At least 8 characters." />
      <Button type="submit" variant="primary" busy={busy}>
        Create account
      </Button>
    </form>
  );
}
