import { ingestRoute } from "@/lib/server/http/ingest-route";
import { heartbeat } from "@/lib/server/ingest/store";

export const POST = ingestRoute(async (runId) => heartbeat(runId));
