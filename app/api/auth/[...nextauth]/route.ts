import NextAuth from "next-auth";
import { authOptions } from "@/lib/server/auth/options";

type Ctx = { params: Promise<{ nextauth: string[] }> };

// Options are built per request so the secret is read (or generated) at first use, not at build time.
function handler(req: Request, ctx: Ctx) {
  return NextAuth(req as never, ctx as never, authOptions());
}

export { handler as GET, handler as POST };
