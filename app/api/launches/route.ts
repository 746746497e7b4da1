import { json, readJson, respond } from "@/lib/server/http/responses";
import { authorizeRunCreation } from "@/lib/server/auth/access";
import { launchFromForm } from "@/lib/server/launcher/launch-run";
import { FormError } from "@/lib/server/launcher/run-form";

/** The new-run form: validates, creates the run, queues its launch -> 201 {id, url}; 400 {error, fields} names each bad field. */
export async function POST(req: Request) {
  try {
    const owner = await authorizeRunCreation(req, undefined);
    const launched = await launchFromForm(await readJson(req, 65_536), { userId: owner?.userId });
    return json({ ok: true, data: launched }, { status: 201 });
  } catch (err) {
    if (err instanceof FormError) return json({ ok: false, error: err.message, fields: err.fields }, { status: 400 });
    return respond(() => Promise.reject(err));
  }
}
