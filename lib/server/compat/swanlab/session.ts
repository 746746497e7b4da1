/**
 * SwanLab's login: the SDK posts its API key (raw, in `authorization`) to
 * /api/login/api_key and sends the `sid` it gets back as a cookie on every
 * later request. The SDK parses `expiredAt` with "%Y-%m-%dT%H:%M:%S.%fZ" and
 * logs in again when less than 7 days are left, so a session lasts 30 days.
 */
import { parseCookies } from "@/lib/server/auth/session";
import { findUser, hasAnyUser } from "@/lib/server/auth/accounts";
import { isApiKeyActive } from "@/lib/server/auth/api-keys";
import { unauthorized } from "@/lib/server/http/errors";
import { signToken, verifyToken } from "../signed-token";
import { writerForApiKey, type Writer } from "../writer";

const SESSION_DAYS = 30;
/** The workspace name a server without accounts shows to SwanLab. */
const OPEN_SERVER_USERNAME = "inkstone";

export interface SwanlabLogin {
  sid: string;
  /** ISO 8601 with milliseconds and Z, e.g. "2026-12-26T03:00:00.000Z". */
  expiredAt: string;
  userInfo: { username: string; name: string };
}

export async function loginWithApiKey(apiKey: string | null): Promise<SwanlabLogin> {
  const writer = await writerForApiKey(apiKey?.trim() || undefined);
  const expires = new Date(Date.now() + SESSION_DAYS * 86_400_000);
  const username = await swanlabUsername(writer);
  return {
    sid: signToken("swanlab-session", { u: writer.userId, k: writer.keyId }, expires),
    expiredAt: expires.toISOString(),
    userInfo: { username, name: username },
  };
}

/**
 * The writer whose `sid` cookie this request carries. A session ends with its
 * key's revocation, and an open server's sessions with the first account.
 */
export async function sessionWriter(req: Request): Promise<Writer> {
  const session = verifyToken<{ u: string | null; k: string | null }>("swanlab-session", parseCookies(req.headers.get("cookie")).get("sid"));
  const valid = session && (session.k ? await isApiKeyActive(session.k) : !(await hasAnyUser()));
  if (!session || !valid) throw unauthorized("no valid SwanLab session: log in again (swanlab login)");
  return { userId: session.u, keyId: session.k };
}

/** The workspace name SwanLab shows for the account: its email's local part, path-safe. */
export async function swanlabUsername(writer: Writer): Promise<string> {
  if (!writer.userId) return OPEN_SERVER_USERNAME;
  const user = await findUser(writer.userId);
  const local = (user?.email ?? "").split("@")[0].toLowerCase().replace(/[^a-z0-9_-]+/g, "-");
  return local || OPEN_SERVER_USERNAME;
}
