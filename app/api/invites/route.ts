import { readJson, respond } from "@/lib/server/http/responses";
import { requireSessionUser } from "@/lib/server/auth/access";
import { createInvite, listInvites } from "@/lib/server/auth/accounts";

export async function GET(req: Request) {
  return respond(async () => listInvites(await requireSessionUser(req)));
}

/** `{email?}` -> the invite with its one-time link path. Admin only. */
export async function POST(req: Request) {
  return respond(async () => createInvite(await requireSessionUser(req), await readJson(req, 16_384)));
}
