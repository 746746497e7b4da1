import Link from "next/link";
import { redirect } from "next/navigation";
import { SignUpForm } from "@/components/auth/sign-up-form";
import { hasAnyUser, readInvite } from "@/lib/server/auth/accounts";
import { pageUser } from "@/lib/server/auth/page-access";

export const metadata = { title: "Sign up · Inkstone" };

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ invite?: string }> }) {
  const { invite } = await searchParams;
  if (await pageUser()) redirect("/");
  const first = !(await hasAnyUser());
  // A used, expired or mistyped link says so now, not after the form is filled in.
  const checked = !first && invite ? await readInvite(invite) : null;
  return (
    <main className="auth-card">
      <h1>{first ? "Create the admin account" : "Join this Inkstone"}</h1>
      {checked?.problem ? (
        <p className="notice" role="alert" data-testid="invite-problem">
          {checked.problem[0].toUpperCase() + checked.problem.slice(1)}.
        </p>
      ) : first || invite ? (
        <SignUpForm invite={invite} first={first} email={checked?.email ?? undefined} />
      ) : (
        <p className="notice">Signing up needs an invite link from the admin of this server (Settings → Invites).</p>
      )}
      <p className="muted small">
        Already have an account? <Link href="/signin">Sign in</Link>
      </p>
    </main>
  );
}
