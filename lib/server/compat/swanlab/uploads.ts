/**
 * SwanLab's media upload: the SDK asks `/api/resources/presigned/put` for one
 * URL per file, PUTs the bytes there without its cookie, then sends the media
 * record (key, step, captions) that names the files by the same paths. The
 * URLs are absolute (the SDK loops on a relative one) and carry a signed
 * token for one run and path; the bytes wait in PendingUpload until the record.
 */
import { z } from "zod";
import { tooLarge, unauthorized } from "@/lib/server/http/errors";
import { prisma } from "@/lib/server/db/prisma";
import { LIMITS } from "@/lib/protocol/wire";
import { parseInput } from "@/lib/server/http/validate";
import { signToken, verifyToken } from "../signed-token";
import { requireWritableRun, type Writer } from "../writer";

/** A URL is good for a day: the SDK uses it at once, and retries within minutes. */
const URL_TTL_MS = 86_400_000;
/** Uploads never claimed by a record are dropped after a day. */
const PENDING_TTL_MS = 86_400_000;
export const UPLOAD_ROUTE = "/api/resources/uploads";

const presignSchema = z.object({
  experimentId: z.string().min(1).max(64),
  paths: z.array(z.string().min(1).max(1024)).max(10_000),
});

export async function presignUploads(writer: Writer, origin: string, payload: unknown): Promise<{ urls: string[] }> {
  const { experimentId, paths } = parseInput(presignSchema, payload);
  const run = await requireWritableRun(writer, experimentId);
  const expires = new Date(Date.now() + URL_TTL_MS);
  return { urls: paths.map((p) => `${origin}${UPLOAD_ROUTE}/${signToken("swanlab-upload", { r: run.id, p }, expires)}`) };
}

/** Keeps the bytes PUT to a presigned URL until the media record claims them. */
export async function receiveUpload(token: string, bytes: Uint8Array): Promise<void> {
  const grant = verifyToken<{ r: string; p: string }>("swanlab-upload", token);
  if (!grant) throw unauthorized("this upload URL is invalid or has expired");
  if (bytes.length > LIMITS.imageBytes) throw tooLarge(`${grant.p}: ${bytes.length} bytes, the limit is ${LIMITS.imageBytes}`);
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as Uint8Array<ArrayBuffer>;
  await prisma.pendingUpload.upsert({
    where: { runId_path: { runId: grant.r, path: grant.p } },
    create: { runId: grant.r, path: grant.p, bytes: data },
    update: { bytes: data, createdAt: new Date() },
  });
  await prisma.pendingUpload.deleteMany({ where: { createdAt: { lt: new Date(Date.now() - PENDING_TTL_MS) } } });
}

/** The uploaded bytes of these paths, by path; claimed uploads are removed. */
export async function claimUploads(runId: string, paths: string[]): Promise<Map<string, Uint8Array>> {
  if (!paths.length) return new Map();
  const rows = await prisma.pendingUpload.findMany({ where: { runId, path: { in: paths } }, select: { path: true, bytes: true } });
  await prisma.pendingUpload.deleteMany({ where: { runId, path: { in: rows.map((r) => r.path) } } });
  return new Map(rows.map((r) => [r.path, new Uint8Array(r.bytes)]));
}
