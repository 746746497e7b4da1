"use client";
import { signIn } from "next-auth/react";
import { Button } from "@/components/ui/button";
import { ErrorBanner } from "@/components/ui/error-banner";
import { Field } from "@/components/ui/field";
import { useAction } from "@/components/ui/use-action";
import { errorText } from "@/lib/browser/client/api";

export function SignInForm({ next }: { next: string }) {
  const { busy, error, submit } = useAction();

  const signInWith = async (fields: FormData) => {
    const credentials = { email: String(fields.get("email")), password: String(fields.get("password")), redirect: false };
    const res = await signIn("credentials", credentials).catch((err: unknown) => {
      throw new Error(`Could not sign in: ${errorText(err)}`);
    });
    if (!res || res.error) {
      throw new Error(res?.error === "CredentialsSignin" ? "Wrong email or password." : `Could not sign in: ${res?.error ?? "no answer from the server"}`);
    }
    // A full load so the whole page (nav included) renders as the signed-in user.
    window.location.assign(next);
  };

  return (
    <form onSubmit={(e) => void submit(e, signInWith)} noValidate>
      <ErrorBanner error={error} />
      <Field label="Email" type="email" name="email" autoComplete="email" required autoFocus />
      <Field label="Password" type="password" name="password" autoComplete="current-password" required />
      <Button type="submit" variant="primary" busy={busy}>
        Sign in
      </Button>
    </form>
  );
}
