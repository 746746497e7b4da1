/**
 * Route handlers for MLflow's REST API. Success is exactly 200 with a JSON
 * body; errors are MLflow's `{error_code, message}`, which its client turns
 * into an MlflowException that names the problem.
 */
import { ClientError } from "@/lib/server/http/errors";
import { bearerToken } from "@/lib/server/http/responses";
import { writerForApiKey, type Writer } from "../writer";

const ERROR_CODES: Record<number, string> = {
  400: "INVALID_PARAMETER_VALUE",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "RESOURCE_DOES_NOT_EXIST",
  409: "RESOURCE_ALREADY_EXISTS",
  413: "INVALID_PARAMETER_VALUE",
};

/** Runs a handler for the writer that `MLFLOW_TRACKING_TOKEN` (an Inkstone API key) names. */
export async function mlflowReply(req: Request, handler: (writer: Writer) => Promise<unknown>): Promise<Response> {
  try {
    const writer = await writerForApiKey(bearerToken(req));
    return Response.json((await handler(writer)) ?? {}, { status: 200 });
  } catch (err) {
    if (err instanceof ClientError) {
      return Response.json({ error_code: ERROR_CODES[err.status] ?? "BAD_REQUEST", message: err.message }, { status: err.status });
    }
    console.error("inkstone: MLflow route failed:", err);
    return Response.json({ error_code: "TEMPORARILY_UNAVAILABLE", message: "temporarily unavailable (see the server log)" }, { status: 503 });
  }
}
