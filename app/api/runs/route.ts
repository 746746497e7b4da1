import { bearerToken, readJson, respond } from "@/lib/server/http/responses";
import { createRun } from "@/lib/server/runs/create-run";
import { listRuns, parseRunListQuery } from "@/lib/server/runs/queries";
import { authorizeRunCreation, requireViewer } from "@/lib/server/auth/access";

/** Creates a run: `{project, name, config, tags, notes}` -> `{id, token, url}`. */
export async function POST(req: Request) {
  return respond(async () => {
    const owner = await authorizeRunCreation(req, bearerToken(req));
    return createRun(await readJson(req), { createdById: owner?.userId });
  }).then(unwrap);
}

export async function GET(req: Request) {
  return respond(async () => {
    await requireViewer(req);
    return listRuns(parseRunListQuery(new URL(req.url).searchParams));
  });
}

/** POST /api/runs answers `{id, token, url}` at the top level, as documented. */
async function unwrap(res: Response): Promise<Response> {
  if (!res.ok) return res;
  const body = (await res.json()) as { data: unknown };
  return Response.json(body.data, { status: 201 });
}
