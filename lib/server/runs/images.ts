import { prisma } from "@/lib/server/db/prisma";
import { liveImage } from "@/lib/server/ingest/store";
import { notFound } from "@/lib/server/http/errors";

/** Image metadata of a run, optionally for one key and step, in (step, index) order. */
export async function listImages(runId: string, opts: { key?: string; step?: number } = {}) {
  const rows = await prisma.runImage.findMany({
    where: { runId, ...(opts.key ? { key: opts.key } : {}), ...(opts.step !== undefined ? { step: opts.step } : {}) },
    orderBy: [{ key: "asc" }, { step: "asc" }, { index: "asc" }],
    select: { id: true, runId: true, key: true, step: true, epoch: true, index: true, caption: true, width: true, height: true, mimeType: true },
  });
  return rows.map(liveImage);
}

export async function readImageBytes(runId: string, imageId: string) {
  const image = await prisma.runImage.findFirst({
    where: { id: imageId, runId },
    select: { bytes: true, mimeType: true, sha256: true },
  });
  if (!image) throw notFound("unknown image");
  return image;
}
