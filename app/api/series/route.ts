import { readJson, respond } from "@/lib/server/http/responses";
import { requireRunViewer } from "@/lib/server/auth/access";
import { readSeriesBatch } from "@/lib/server/dashboard/series-batch";

/**
 * Several downsampled series in one request, for pages that draw many charts
 * (compare: one series per run and metric). Body: `{requests: [{runId, key,
 * buckets, from?, to?}]}`; the reply holds the series in the same order. Each
 * run is checked like GET /api/runs/:id/metrics (accounts or its share link).
 */
export async function POST(req: Request) {
  return respond(async () =>
    readSeriesBatch(await readJson(req, 256 * 1024), async (runId) => {
      await requireRunViewer(req, runId);
    }),
  );
}
