import { json, readJson, respond } from "@/lib/server/http/responses";
import type { RouteContext } from "@/lib/server/http/ingest-route";
import { requireRunEditor, requireRunViewer } from "@/lib/server/auth/access";
import { sampleJob, startSample } from "@/lib/server/runs/samples";

/** The run's latest sampling job on this server (null when none ran since it started). */
export async function GET(req: Request, ctx: RouteContext) {
  return respond(async () => {
    const { id } = await ctx.params;
    await requireRunViewer(req, id);
    return sampleJob(id);
  });
}

/** Starts sampling from the final model: 202 {ok, data: job}; 409 without a final model or while one runs. */
export async function POST(req: Request, ctx: RouteContext) {
  return respond(async () => {
    const { id } = await ctx.params;
    await requireRunEditor(req, id);
    const job = await startSample(id, await readJson(req));
    return json({ ok: true, data: job }, { status: 202 });
  });
}
