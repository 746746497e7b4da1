import { swanlabRoute } from "@/lib/server/compat/swanlab/route";
import { loginWithApiKey } from "@/lib/server/compat/swanlab/session";

/** SwanLab's login: the raw API key in `authorization` -> `{sid, expiredAt, userInfo}` and the `sid` cookie. */
export const POST = swanlabRoute(async (req) => {
  const login = await loginWithApiKey(req.headers.get("authorization"));
  const maxAge = Math.floor((Date.parse(login.expiredAt) - Date.now()) / 1000);
  return { body: login, headers: { "set-cookie": `sid=${login.sid}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax` } };
});
