import { readJson, respond } from "@/lib/server/http/responses";
import { requireSessionUser, requireViewer } from "@/lib/server/auth/access";
import { createWorker, listWorkers } from "@/lib/server/workers/registry";

export async function GET(req: Request) {
  return respond(async () => {
    await requireViewer(req);
    return listWorkers();
  });
}

/** `{name}` -> the worker and its token, shown this once (admin only). */
export async function POST(req: Request) {
  return respond(async () => createWorker(await requireSessionUser(req), await readJson(req, 16_384)));
}
