import { readJson, respond } from "@/lib/server/http/responses";
import { signUp } from "@/lib/server/auth/accounts";

/** Creates an account: `{email, name, password, invite?}`. The browser then signs in through next-auth. */
export async function POST(req: Request) {
  return respond(async () => {
    const user = await signUp(await readJson(req, 16_384));
    return { id: user.id, email: user.email, name: user.name, role: user.role };
  });
}
