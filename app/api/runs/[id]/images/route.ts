import { ingestRoute, runViewerRoute } from "@/lib/server/http/ingest-route";
import { intParam } from "@/lib/server/http/responses";
import { storeImage } from "@/lib/server/ingest/store";
import { listImages } from "@/lib/server/runs/images";
import { badRequest, tooLarge } from "@/lib/server/http/errors";
import { INT4_MAX, LIMITS } from "@/lib/protocol/wire";

/**
 * Ingest, multipart/form-data: `file` (PNG, JPEG or WebP) and `meta`, a JSON
 * object `{key, step, epoch?, index?, caption?}`. For example:
 * curl -H "Authorization: Bearer $TOKEN" -F meta='{"key":"samples","step":1}' -F file=@a.png .../images
 */
export const POST = ingestRoute(async (runId, req) => {
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (declared > LIMITS.imageBytes + 1024 * 1024) throw tooLarge(`body of ${declared} bytes, the image limit is ${LIMITS.imageBytes}`);
  let form: FormData;
  try {
    form = await req.formData();
  } catch {
    throw badRequest("expected multipart/form-data with fields meta and file");
  }
  const file = form.get("file");
  const metaText = form.get("meta");
  if (!(file instanceof Blob)) throw badRequest("file: missing image file field");
  if (typeof metaText !== "string") throw badRequest("meta: missing JSON metadata field");
  let meta: unknown;
  try {
    meta = JSON.parse(metaText);
  } catch {
    throw badRequest("meta: not valid JSON");
  }
  return storeImage(runId, meta, new Uint8Array(await file.arrayBuffer()));
});

export const GET = runViewerRoute(async ({ id }, req) => {
  const url = new URL(req.url);
  const step = url.searchParams.has("step") ? intParam(url, "step", 0, 0, INT4_MAX) : undefined;
  return listImages(id, { key: url.searchParams.get("key") || undefined, step });
});
