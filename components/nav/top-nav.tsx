import Link from "next/link";
import type { SessionUser } from "@/lib/server/auth/accounts";
import { NavLinks } from "./nav-links";
import { SignOutButton } from "./sign-out-button";
import { ThemeToggle } from "./theme-toggle";

/** The bar on every page: product, sections, theme, and who is signed in. */
export function TopNav({ user, accountsExist }: { user: SessionUser | null; accountsExist: boolean }) {
  return (
    <header className="topnav">
      <Link href="/" prefetch={false} className="topnav-brand">
        <span className="topnav-logo" aria-hidden />
        Inkstone
      </Link>
      {user || !accountsExist ? <NavLinks /> : null}
      <span className="spacer" />
      <ThemeToggle />
      {user ? (
        <>
          <span className="topnav-user" title={user.email}>
            {user.name}
            {user.role === "admin" ? " · admin" : ""}
          </span>
          <SignOutButton />
        </>
      ) : accountsExist ? (
        <Link href="/signin" prefetch={false} className="btn btn-sm">
          Sign in
        </Link>
      ) : (
        <Link href="/signup" prefetch={false} className="btn btn-primary btn-sm">
          Create the admin account
        </Link>
      )}
    </header>
  );
}
