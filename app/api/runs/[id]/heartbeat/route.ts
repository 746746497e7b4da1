import { ingestRoute } from "@/lib/http/ingest-route";
import { heartbeat } from "@/lib/ingest/store";

export const POST = ingestRoute(async (runId) => heartbeat(runId));
