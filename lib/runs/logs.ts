import { prisma } from "@/lib/prisma";

/** Log lines after `afterSeq` (exclusive), oldest first, optionally filtered by a case-insensitive substring. */
export async function readLogs(runId: string, opts: { afterSeq?: number; limit: number; q?: string }) {
  const lines = await prisma.logLine.findMany({
    where: {
      runId,
      ...(opts.afterSeq !== undefined ? { seq: { gt: opts.afterSeq } } : {}),
      ...(opts.q ? { text: { contains: opts.q, mode: "insensitive" as const } } : {}),
    },
    orderBy: { seq: "asc" },
    take: opts.limit,
    select: { seq: true, stream: true, text: true, time: true },
  });
  return {
    lines: lines.map((l) => ({ ...l, time: l.time.toISOString() })),
    nextAfterSeq: lines.length ? lines[lines.length - 1].seq : (opts.afterSeq ?? null),
  };
}
