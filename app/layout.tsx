import type { ReactNode } from "react";
import "./globals.css";
import { TopNav } from "@/components/nav/top-nav";
import { themeBootScript } from "@/components/nav/theme";
import { hasAnyUser } from "@/lib/server/auth/accounts";
import { pageUser } from "@/lib/server/auth/page-access";

export const metadata = { title: "Inkstone", description: "Self-hosted experiment tracking" };
export const dynamic = "force-dynamic";

export default async function RootLayout({ children }: { children: ReactNode }) {
  const [user, accountsExist] = await Promise.all([pageUser(), hasAnyUser()]);
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: themeBootScript }} />
      </head>
      <body>
        <TopNav user={user} accountsExist={accountsExist} />
        {children}
      </body>
    </html>
  );
}
