import { respond } from "@/lib/server/http/responses";
import { requireRunViewer } from "@/lib/server/auth/access";
import { readInitialSeriesFor } from "@/lib/server/dashboard/initial-series";

/**
 * The first charts' series of one or more runs (`?runs=a,b`), keyed by metric
 * and run: what the run and compare pages preload. Each run is checked like
 * GET /api/runs/:id/metrics (accounts or its share link).
 */
export async function GET(req: Request) {
  return respond(async () =>
    readInitialSeriesFor(new URL(req.url).searchParams.get("runs"), async (runId) => {
      await requireRunViewer(req, runId);
    }),
  );
}
