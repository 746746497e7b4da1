/**
 * MLflow's artifact upload: `PUT /api/2.0/mlflow-artifacts/artifacts/{experiment}/{run}/artifacts/{path}`.
 * `log_image(image, key=..., step=...)` uploads "images/{key}%step%{step}%timestamp%{ms}%{uuid}.png"
 * and a "%compressed.webp" companion ('/' in the key written as '#'); both name
 * the same image, so the first stored wins. MLflow images have no caption, so
 * a key ending in "{i}: {prompt}" ("validation/0: a red fox") is image i of
 * "validation" captioned "0: a red fox": the prompt x epoch grid's form, as
 * SwanLab's captions give it. An image logged by file name
 * ("val/sample0.png") is stored under that name without extension, at step 0.
 * Other artifacts are not kept: the run's log says so.
 */
import { ClientError, badRequest } from "@/lib/server/http/errors";
import { storeImage } from "@/lib/server/ingest/store";
import { sniffImageMime } from "@/lib/protocol/image-format";
import { LIMITS } from "@/lib/protocol/wire";
import { recordRefusal } from "../run-writes";
import { requireWritableRun, type Writer } from "../writer";

const CLIENT = "MLflow";
const ARTIFACTS_ROUTE = "/api/2.0/mlflow-artifacts/artifacts/";
const STEPPED_IMAGE = /^images\/(.+)%step%(\d+)%timestamp%(\d+)%[^/%]+(?:%compressed)?\.(?:png|webp|jpe?g)$/;

/** {run id, path inside the run's artifacts} from the raw request path, each segment decoded once. */
function parseArtifactPath(pathname: string): { runId: string; path: string } {
  const rest = pathname.startsWith(ARTIFACTS_ROUTE) ? pathname.slice(ARTIFACTS_ROUTE.length) : "";
  let segments: string[];
  try {
    segments = rest.split("/").map(decodeURIComponent);
  } catch {
    throw badRequest("path: not valid percent-encoding");
  }
  const [, runId, artifacts, ...path] = segments;
  if (!runId || artifacts !== "artifacts" || !path.length || path.some((s) => !s || s === "..")) {
    throw badRequest("path: expected {experiment_id}/{run_id}/artifacts/{file}");
  }
  return { runId, path: path.join("/") };
}

export async function receiveArtifact(writer: Writer, req: Request): Promise<void> {
  const { runId, path } = parseArtifactPath(new URL(req.url).pathname);
  const run = await requireWritableRun(writer, runId);
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (declared > LIMITS.imageBytes) return recordRefusal(run.id, CLIENT, `artifact ${path}: ${declared} bytes, over the ${LIMITS.imageBytes}-byte image limit; not kept`);
  const bytes = new Uint8Array(await req.arrayBuffer());
  if (!sniffImageMime(bytes)) return recordRefusal(run.id, CLIENT, `artifact ${path}: Inkstone keeps images only; not kept`);
  const stepped = STEPPED_IMAGE.exec(path);
  const meta = stepped
    ? { ...gridPlace(stepped[1].replaceAll("#", "/")), step: Number(stepped[2]), time: Number(stepped[3]) }
    : { key: path.replace(/\.[A-Za-z0-9]+$/, ""), step: 0 };
  try {
    await storeImage(run.id, meta, bytes);
  } catch (err) {
    if (!(err instanceof ClientError)) throw err;
    await recordRefusal(run.id, CLIENT, `artifact ${path}: ${err.message}`);
    throw err;
  }
}

/** "validation/0: a red fox" -> image 0 of "validation", captioned "0: a red fox"; other keys stay whole. */
function gridPlace(key: string): { key: string; index?: number; caption?: string } {
  const m = /^(.+)\/((\d{1,4}):\s*.*)$/s.exec(key);
  return m ? { key: m[1], index: Number(m[3]), caption: m[2] } : { key };
}
