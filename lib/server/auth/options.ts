/**
 * next-auth (Auth.js 4) configuration: email + password accounts stored on
 * this server, JWT sessions. The origin comes from each request (Next's server
 * sets x-forwarded-host/proto), so NEXTAUTH_URL is optional.
 */
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { checkCredentials } from "./accounts";
import { CLIENT_ADDRESS_HEADER } from "@/lib/server/http/request-guard";
import { newSessionId, revokeSession } from "./revoked-sessions";
import { authSecret } from "./secret";
import { recordSignInFailure, recordSignInSuccess, signInBlocked } from "./sign-in-throttle";
import { readEnv } from "@/lib/config/env";

// next-auth then takes the origin from each request.
if (!readEnv("NEXTAUTH_URL")) process.env.AUTH_TRUST_HOST ??= "true";

export const SESSION_DAYS = 30;

export function authOptions(): NextAuthOptions {
  return {
    secret: authSecret(),
    session: { strategy: "jwt", maxAge: SESSION_DAYS * 86_400 },
    pages: { signIn: "/signin" },
    callbacks: {
      // A session id of its own, kept across refreshes, so signing out can revoke every cookie of the session.
      jwt: ({ token, user }) => (user ? { ...token, sid: newSessionId() } : token),
    },
    events: {
      async signOut({ token }) {
        const sid = typeof token?.sid === "string" ? token.sid : undefined;
        if (sid) await revokeSession(sid, new Date(Date.now() + SESSION_DAYS * 86_400_000));
      },
    },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, req) {
          if (!credentials?.email || !credentials.password) return null;
          const email = credentials.email.trim().toLowerCase();
          const address = headerValue(req.headers, CLIENT_ADDRESS_HEADER) ?? "unknown";
          const blocked = await signInBlocked(email, address);
          // Thrown errors reach the sign-in form as their message.
          if (blocked) throw new Error(blocked);
          const user = await checkCredentials(email, credentials.password);
          if (!user) {
            await recordSignInFailure(email, address);
            return null;
          }
          await recordSignInSuccess(email);
          return { id: user.id, email: user.email, name: user.name };
        },
      }),
    ],
  };
}

/** next-auth hands authorize() the headers as a plain object or as Headers, depending on the router. */
function headerValue(headers: unknown, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = (headers as Record<string, string | string[] | undefined> | undefined)?.[name];
  return Array.isArray(value) ? value[0] : value;
}
