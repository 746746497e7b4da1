/**
 * Accounts on this server: the first one becomes the admin; every later one
 * needs an invite the admin made. Invite tokens, like every secret here, are
 * stored only as hashes.
 */
import { z } from "zod";
import { nameText } from "@/lib/protocol/schemas";
import { prisma } from "@/lib/server/db/prisma";
import { badRequest, forbidden, notFound } from "@/lib/server/http/errors";
import { newToken, sha256 } from "@/lib/server/tokens";
import { parseInput } from "@/lib/server/http/validate";
import { hashPassword, verifyPassword } from "./passwords";
import { readEnv } from "@/lib/config/env";

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: "admin" | "member";
}

export const INVITE_DAYS = 7;
/** bcrypt hashes at most this many bytes of a password. */
export const BCRYPT_MAX_BYTES = 72;

export const signUpSchema = z.object({
  email: z.string().trim().toLowerCase().email("enter a valid email address").max(254),
  name: nameText(100, "a name").pipe(z.string().trim().min(1, "enter your name")),
  // bcrypt reads only the first 72 bytes: a longer password would not count in full.
  password: z
    .string()
    .min(8, "at least 8 characters")
    .refine((p) => Buffer.byteLength(p) <= BCRYPT_MAX_BYTES, `at most ${BCRYPT_MAX_BYTES} bytes (72 ASCII characters, fewer with accents or emoji)`),
  invite: nameText(200, "invite").optional(),
});

// Once an account exists it stays so (accounts are never all deleted), so a positive
// answer is cached, per database (tests start several on one process).
let usersExistIn: string | undefined;

export async function hasAnyUser(): Promise<boolean> {
  const db = readEnv("DATABASE_URL") ?? "";
  if (usersExistIn === db) return true;
  if ((await prisma.user.count()) === 0) return false;
  usersExistIn = db;
  return true;
}

/** Why an invite cannot be used, or null when it can. */
export function inviteProblem(invite: { usedAt: Date | null; expiresAt: Date } | null, now = new Date()): string | null {
  if (!invite) return "this invite link is not valid: check that it was copied whole, or ask the admin for a new one";
  if (invite.usedAt) return "this invite link was already used; ask the admin for a new one";
  if (invite.expiresAt < now) return `this invite link expired on ${invite.expiresAt.toISOString().slice(0, 10)}; ask the admin for a new one`;
  return null;
}

/** What the sign-up page shows for an invite link before anything is typed: the invited email, or why the link cannot be used. */
export async function readInvite(token: string): Promise<{ email: string | null; problem: null } | { email: null; problem: string }> {
  const invite = await prisma.invite.findUnique({ where: { tokenHash: sha256(token) }, select: { email: true, usedAt: true, expiresAt: true } });
  const problem = inviteProblem(invite);
  return problem ? { email: null, problem } : { email: invite!.email, problem: null };
}

/** Creates an account. The very first one is the admin and needs no invite. */
export async function signUp(payload: unknown): Promise<SessionUser> {
  const input = parseInput(signUpSchema, payload);
  const passwordHash = await hashPassword(input.password);
  const user = await prisma.$transaction(async (tx) => {
    // Serialises sign-ups so two simultaneous first sign-ups cannot both become admin.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(727001)`;
    const first = (await tx.user.count()) === 0;
    let inviteId: string | undefined;
    if (!first) {
      if (!input.invite) throw forbidden("sign-up needs an invite link from the admin");
      const invite = await tx.invite.findUnique({ where: { tokenHash: sha256(input.invite) } });
      const problem = inviteProblem(invite);
      if (problem) throw forbidden(problem);
      if (invite!.email && invite!.email.toLowerCase() !== input.email) throw forbidden(`this invite is for ${invite!.email}`);
      inviteId = invite!.id;
    }
    if (await tx.user.findUnique({ where: { email: input.email } })) throw badRequest("email: an account with this email already exists");
    const created = await tx.user.create({
      data: { email: input.email, name: input.name, passwordHash, role: first ? "admin" : "member" },
    });
    if (inviteId) await tx.invite.update({ where: { id: inviteId }, data: { usedAt: new Date() } });
    return created;
  });
  usersExistIn = readEnv("DATABASE_URL") ?? "";
  return toSessionUser(user);
}

let dummy: Promise<string> | undefined;
/** A hash of nothing anyone knows, at the same cost as real ones. */
function dummyHash(): Promise<string> {
  return (dummy ??= hashPassword(crypto.randomUUID()));
}

/** Checks an email and password; null when either is wrong (the caller does not learn which). */
export async function checkCredentials(email: string, password: string): Promise<SessionUser | null> {
  const user = await prisma.user.findUnique({ where: { email: email.trim().toLowerCase() } });
  // An unknown email costs a bcrypt comparison too, so the answer's timing does not say whether the account exists.
  const matches = await verifyPassword(password, user?.passwordHash ?? (await dummyHash()));
  if (!user || !matches) return null;
  return toSessionUser(user);
}

export async function findUser(id: string): Promise<SessionUser | null> {
  const user = await prisma.user.findUnique({ where: { id } });
  return user ? toSessionUser(user) : null;
}

function toSessionUser(u: { id: string; email: string; name: string; role: "admin" | "member" }): SessionUser {
  return { id: u.id, email: u.email, name: u.name, role: u.role };
}

const createInviteSchema = z.object({
  email: z.union([z.string().trim().toLowerCase().email("enter a valid email address"), z.literal("")]).optional(),
});

/** Creates an invite; the token is returned once (the link), only its hash is stored. */
export async function createInvite(admin: SessionUser, payload: unknown) {
  requireAdmin(admin);
  const input = parseInput(createInviteSchema, payload);
  const token = newToken();
  const invite = await prisma.invite.create({
    data: {
      tokenHash: sha256(token),
      email: input.email || null,
      createdById: admin.id,
      expiresAt: new Date(Date.now() + INVITE_DAYS * 86_400_000),
    },
  });
  return { ...publicInvite(invite), token, path: `/signup?invite=${token}` };
}

export async function listInvites(admin: SessionUser) {
  requireAdmin(admin);
  const invites = await prisma.invite.findMany({ orderBy: { createdAt: "desc" }, take: 200 });
  return invites.map(publicInvite);
}

export async function revokeInvite(admin: SessionUser, id: string): Promise<void> {
  requireAdmin(admin);
  const { count } = await prisma.invite.deleteMany({ where: { id, usedAt: null } });
  if (!count) throw notFound("no such unused invite");
}

export async function listUsers() {
  return prisma.user.findMany({ orderBy: { createdAt: "asc" }, select: { id: true, email: true, name: true, role: true, createdAt: true } });
}

function requireAdmin(user: SessionUser): void {
  if (user.role !== "admin") throw forbidden("only the admin manages invites");
}

function publicInvite(i: { id: string; email: string | null; createdAt: Date; expiresAt: Date; usedAt: Date | null }) {
  return {
    id: i.id,
    email: i.email,
    createdAt: i.createdAt.toISOString(),
    expiresAt: i.expiresAt.toISOString(),
    usedAt: i.usedAt?.toISOString() ?? null,
    state: i.usedAt ? "used" : i.expiresAt < new Date() ? "expired" : "open",
  };
}
