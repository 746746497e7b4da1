import { prisma } from "@/lib/server/db/prisma";
import { likeLiteral } from "@/lib/server/db/like";
import type { LiveLogLine } from "@/lib/protocol/schemas";

/** Text read per request: under LIMITS.replyBytes with room for the JSON around it. */
const LOG_REPLY_BYTES = 4 * 1024 * 1024;

/** Log lines after `afterSeq` (exclusive), oldest first, optionally filtered by a case-insensitive substring. */
export async function readLogs(runId: string, opts: { afterSeq?: number; limit: number; q?: string }): Promise<{ lines: LiveLogLine[]; nextAfterSeq: number | null }> {
  const lines = await prisma.logLine.findMany({
    where: {
      runId,
      ...(opts.afterSeq !== undefined ? { seq: { gt: opts.afterSeq } } : {}),
      ...(opts.q ? { text: { contains: likeLiteral(opts.q), mode: "insensitive" as const } } : {}),
    },
    orderBy: { seq: "asc" },
    take: opts.limit,
    select: { seq: true, stream: true, text: true, time: true },
  });
  // Long lines could add up past the reply cap: stop early, the caller pages on from nextAfterSeq.
  let bytes = 0;
  const fit = lines.filter((l, i) => (bytes += Buffer.byteLength(JSON.stringify(l.text)) + 80) <= LOG_REPLY_BYTES || i === 0);
  return {
    // The column is text, but every writer stores one of the schema's streams (logLineSchema, appendLogLines).
    lines: fit.map((l) => ({ ...l, stream: l.stream as LiveLogLine["stream"], time: l.time.toISOString() })),
    nextAfterSeq: fit.length ? fit[fit.length - 1].seq : (opts.afterSeq ?? null),
  };
}
