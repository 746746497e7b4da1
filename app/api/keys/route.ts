import { readJson, respond } from "@/lib/server/http/responses";
import { requireSessionUser } from "@/lib/server/auth/access";
import { createApiKey, listApiKeys } from "@/lib/server/auth/api-keys";

export async function GET(req: Request) {
  return respond(async () => listApiKeys(await requireSessionUser(req)));
}

/** `{name}` -> the key, shown this once. */
export async function POST(req: Request) {
  return respond(async () => createApiKey(await requireSessionUser(req), await readJson(req, 16_384)));
}
