/**
 * What the server does with each ingest operation, shared by the socket.io
 * namespace and the HTTP routes. Every function validates its payload,
 * stores it idempotently and publishes what is new to `/live`.
 */
import crypto from "node:crypto";
import sharp from "sharp";
import { Prisma } from "@/generated/prisma/client";
import { badRequest, conflict, tooLarge } from "@/lib/server/http/errors";
import { publish } from "@/lib/server/live/publish";
import { pool, prisma } from "@/lib/server/db/prisma";
import { fromWireNumber, INT4_MAX, LIMITS, toWireNumber, type BatchResult, type LiveImage } from "@/lib/protocol/wire";
import {
  imageMetaSchema,
  type LiveLogLine,
  logLineSchema,
  logsBatchSchema,
  metricPointSchema,
  metricsBatchSchema,
  runFinishSchema,
  runStartSchema,
} from "@/lib/protocol/schemas";
import { parseEach, parseInput } from "@/lib/server/http/validate";
import { insertPointsWithRollups } from "@/lib/server/metrics/rollup";
import { moveRun } from "@/lib/server/runs/status";
import { sniffImageMime } from "@/lib/protocol/image-format";

function toDate(t: number | string | undefined, now: Date): Date {
  return t === undefined ? now : new Date(t);
}

export async function startRun(runId: string, payload: unknown): Promise<void> {
  const { config, environment, commandLine } = parseInput(runStartSchema, payload ?? {});
  const now = new Date();
  await prisma.$transaction(async (tx) => {
    const run = await tx.run.findUniqueOrThrow({ where: { id: runId }, select: { config: true, startedAt: true } });
    await tx.run.update({
      where: { id: runId },
      data: {
        startedAt: run.startedAt ?? now,
        ...(config ? { config: mergeConfig(run.config, config) } : {}),
        ...(commandLine ? { commandLine } : {}),
      },
    });
    if (environment) {
      await tx.runEnvironment.upsert({
        where: { runId },
        create: { runId, data: environment as Prisma.InputJsonObject },
        update: { data: environment as Prisma.InputJsonObject },
      });
    }
  });
  await moveRun(runId, "running", { data: { lastHeartbeatAt: now }, at: now });
}

/** A config update merged over the stored config, within the size cap. */
function mergeConfig(stored: unknown, update: Record<string, unknown>): Prisma.InputJsonObject {
  const merged = { ...(stored as object), ...update };
  const bytes = Buffer.byteLength(JSON.stringify(merged));
  if (bytes > LIMITS.configBytes) throw tooLarge(`config: ${bytes} bytes as JSON once merged, the limit is ${LIMITS.configBytes}`);
  return merged as Prisma.InputJsonObject;
}

/**
 * Stores a batch of points; a point already stored for (run, key, step) is
 * kept as it was. Bad points are refused one by one (see BatchResult).
 */
export async function storeMetrics(runId: string, payload: unknown): Promise<BatchResult> {
  if (Array.isArray((payload as { points?: unknown })?.points) && (payload as { points: unknown[] }).points.length > LIMITS.metricsPerBatch) {
    throw tooLarge(`a batch holds at most ${LIMITS.metricsPerBatch} points`);
  }
  const batch = parseInput(metricsBatchSchema, payload);
  const { valid, refused } = parseEach(metricPointSchema, batch.points, "points");
  const now = Date.now();
  const stored = await insertPointsWithRollups(
    pool(),
    runId,
    valid.map(({ value: p }) => ({
      key: p.key,
      step: p.step,
      value: fromWireNumber(p.value),
      time: p.time === undefined ? now : typeof p.time === "number" ? p.time : Date.parse(p.time),
    })),
  );
  if (stored.length) {
    publish("metrics", {
      runId,
      points: stored.map((p) => ({ key: p.key, step: p.step, value: toWireNumber(p.value), time: new Date(p.time).toISOString() })),
    });
  }
  return { stored: stored.length, refused };
}

export async function storeImage(runId: string, metaInput: unknown, bytes: Uint8Array | undefined): Promise<{ id: string }> {
  const meta = parseInput(imageMetaSchema, metaInput);
  if (!bytes || !(bytes instanceof Uint8Array) || bytes.length === 0) throw badRequest("image: the payload has no bytes");
  if (bytes.length > LIMITS.imageBytes) throw tooLarge(`image: ${bytes.length} bytes, the limit is ${LIMITS.imageBytes}`);
  const mimeType = sniffImageMime(bytes);
  if (!mimeType) throw badRequest("image: not a PNG, JPEG or WebP file (checked by its magic bytes)");
  let width: number | undefined;
  let height: number | undefined;
  try {
    ({ width, height } = await sharp(bytes).metadata());
  } catch {
    throw badRequest(`image: the ${mimeType} data cannot be decoded`);
  }
  if (!width || !height) throw badRequest("image: could not read its dimensions");
  if (width * height > LIMITS.imagePixels) {
    throw tooLarge(`image: ${width}x${height} pixels, the limit is ${LIMITS.imagePixels} pixels (e.g. 4096x4096)`);
  }
  const where = { runId_key_step_index: { runId, key: meta.key, step: meta.step, index: meta.index } };
  const existing = await prisma.runImage.findUnique({ where, select: { id: true } });
  if (existing) return existing;
  const image = await prisma.runImage
    .create({
      data: {
        runId,
        key: meta.key,
        step: meta.step,
        epoch: meta.epoch,
        index: meta.index,
        caption: meta.caption,
        mimeType,
        width,
        height,
        sha256: crypto.createHash("sha256").update(bytes).digest("hex"),
        bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as Uint8Array<ArrayBuffer>,
        createdAt: toDate(meta.time, new Date()),
      },
    })
    .catch(async (err: unknown) => {
      // Two copies of the same image raced; the first one stored wins.
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
        return prisma.runImage.findUniqueOrThrow({ where });
      }
      throw err;
    });
  publish("image", { runId, image: liveImage(image) });
  return { id: image.id };
}

/** The public description of a stored image; its bytes are served at `url`. */
export function liveImage({ runId, ...meta }: Omit<LiveImage, "url"> & { runId: string }): LiveImage {
  return {
    id: meta.id,
    key: meta.key,
    step: meta.step,
    epoch: meta.epoch,
    index: meta.index,
    caption: meta.caption,
    width: meta.width,
    height: meta.height,
    mimeType: meta.mimeType,
    url: `/api/runs/${runId}/images/${meta.id}`,
  };
}

/** Stores a batch of log lines, once per (run, seq); bad lines are refused one by one (see BatchResult). */
export async function storeLogs(runId: string, payload: unknown): Promise<BatchResult> {
  const batch = parseInput(logsBatchSchema, payload);
  const { valid, refused } = parseEach(logLineSchema, batch.lines, "lines");
  const lines = valid.map((v) => v.value);
  const base = await writerBase(runId, batch.writer);
  const now = new Date();
  const { rows } = await pool().query<Omit<LiveLogLine, "time"> & { time: Date }>(
    `INSERT INTO "LogLine" ("runId", "seq", "stream", "text", "time")
     SELECT $1, u.q, u.s::"LogStream", u.x, u.t FROM unnest($2::int[], $3::text[], $4::text[], $5::timestamptz[]) AS u(q, s, x, t)
     ON CONFLICT ("runId", "seq") DO NOTHING
     RETURNING "seq", "stream", "text", "time"`,
    [
      runId,
      lines.map((l) => base + l.seq),
      lines.map((l) => l.stream),
      lines.map((l) => l.text),
      lines.map((l) => toDate(l.time, now)),
    ],
  );
  if (rows.length) {
    publish("logs", { runId, lines: rows.map((r) => ({ ...r, time: r.time.toISOString() })) });
  }
  return { stored: rows.length, refused };
}

/**
 * The first sequence number of this writer's block in the run (LogWriter):
 * found, or the next free block claimed. Two writers claiming at once collide
 * on a unique key and the loser tries again.
 */
async function writerBase(runId: string, writer: string): Promise<number> {
  const block = LIMITS.logLinesPerWriter;
  for (let attempt = 0; attempt < 5; attempt++) {
    const { rows } = await pool().query<{ base: number }>(
      `WITH found AS (SELECT "base" FROM "LogWriter" WHERE "runId" = $1 AND "writer" = $2),
       claimed AS (
         INSERT INTO "LogWriter" ("runId", "writer", "base")
         SELECT $1, $2, coalesce((SELECT max("base") + $3 FROM "LogWriter" WHERE "runId" = $1), 0)
         WHERE NOT EXISTS (SELECT 1 FROM found)
         ON CONFLICT DO NOTHING
         RETURNING "base"
       )
       SELECT "base" FROM found UNION ALL SELECT "base" FROM claimed`,
      [runId, writer, block],
    );
    if (rows.length) {
      if (rows[0].base > INT4_MAX - block) throw conflict(`writer: this run already has ${Math.floor(INT4_MAX / block)} log writers, the most it can hold`);
      return rows[0].base;
    }
  }
  throw conflict("writer: could not claim a block of log sequence numbers; retry");
}

/** Records that the trainer is alive; a run the monitor had marked crashed is running again. */
export async function heartbeat(runId: string): Promise<void> {
  const now = new Date();
  const revived = await moveRun(runId, "running", { from: ["crashed"], data: { lastHeartbeatAt: now }, at: now });
  if (!revived) await prisma.run.update({ where: { id: runId }, data: { lastHeartbeatAt: now } });
}

/** The trainer's final report; a run that already ended keeps its first end (lib/server/runs/status.ts). */
export async function finishRun(runId: string, payload: unknown): Promise<void> {
  const { status, error } = parseInput(runFinishSchema, payload);
  await moveRun(runId, status, { error });
}
