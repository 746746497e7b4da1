/** MLflow tracking endpoints that start_run, the log_ functions, set_tag and end_run call, by path after /api/2.0/mlflow/. */
import { notFound } from "@/lib/server/http/errors";
import { readJson } from "@/lib/server/http/responses";
import type { Writer } from "../writer";
import { createExperiment, getExperiment, getExperimentByName } from "./experiments";
import { createMlflowRun, getMlflowRun, logBatch, logMetric, logParam, setTag, updateMlflowRun } from "./runs";

type Endpoint = (writer: Writer, req: Request) => Promise<unknown>;
const query = (req: Request) => new URL(req.url).searchParams;

const GET: Record<string, Endpoint> = {
  "runs/get": (w, req) => getMlflowRun(w, query(req)),
  "experiments/get": (_w, req) => getExperiment(query(req)),
  "experiments/get-by-name": (_w, req) => getExperimentByName(query(req)),
};

const POST: Record<string, Endpoint> = {
  "runs/create": async (w, req) => createMlflowRun(w, await readJson(req)),
  "runs/update": async (w, req) => updateMlflowRun(w, await readJson(req)),
  "runs/log-metric": async (w, req) => logMetric(w, await readJson(req)),
  "runs/log-parameter": async (w, req) => logParam(w, await readJson(req)),
  "runs/log-batch": async (w, req) => logBatch(w, await readJson(req)),
  "runs/set-tag": async (w, req) => setTag(w, await readJson(req)),
  "experiments/create": async (_w, req) => createExperiment(await readJson(req)),
};

export function mlflowEndpoint(method: "GET" | "POST", path: string[]): Endpoint {
  const endpoint = (method === "GET" ? GET : POST)[path.join("/")];
  if (!endpoint) {
    return async () => {
      throw notFound(`${method} /api/2.0/mlflow/${path.join("/")} is not supported by Inkstone`);
    };
  }
  return endpoint;
}
