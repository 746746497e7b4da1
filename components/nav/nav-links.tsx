"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";

const LINKS = [
  { href: "/", label: "Runs", match: (p: string) => p === "/" || (p.startsWith("/runs/") && p !== "/runs/new") },
  { href: "/compare", label: "Compare", match: (p: string) => p.startsWith("/compare") },
  { href: "/runs/new", label: "New run", match: (p: string) => p === "/runs/new" },
  { href: "/workers", label: "Workers", match: (p: string) => p.startsWith("/workers") },
  { href: "/settings", label: "Settings", match: (p: string) => p.startsWith("/settings") },
];

// Every page is dynamic: a prefetch is a server render competing with the page being loaded.
export function NavLinks() {
  const path = usePathname() ?? "/";
  return (
    <nav className="topnav-links" aria-label="Main">
      {LINKS.map((l) => (
        <Link key={l.href} href={l.href} prefetch={false} className="topnav-link" aria-current={l.match(path) ? "page" : undefined}>
          {l.label}
        </Link>
      ))}
    </nav>
  );
}
