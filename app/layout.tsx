import type { ReactNode } from "react";

export const metadata = { title: "Inkstone", description: "Self-hosted experiment tracking" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
