import Link from "next/link";
import { redirect } from "next/navigation";
import { SignInForm } from "@/components/auth/sign-in-form";
import { safeNext } from "@/components/auth/safe-next";
import { hasAnyUser } from "@/lib/server/auth/accounts";
import { pageUser } from "@/lib/server/auth/page-access";

export const metadata = { title: "Sign in · Inkstone" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string }> }) {
  const next = safeNext((await searchParams).callbackUrl);
  if (await pageUser()) redirect(next);
  if (!(await hasAnyUser())) redirect("/signup");
  return (
    <main className="auth-card">
      <h1>Sign in to Inkstone</h1>
      <SignInForm next={next} />
      <p className="muted small">No account? Ask your admin for an invite link.</p>
      <p className="muted small">
        <Link href="/signup">Have an invite? Sign up</Link>
      </p>
    </main>
  );
}
