import { mlflowEndpoint } from "@/lib/server/compat/mlflow/api";
import { mlflowReply } from "@/lib/server/compat/mlflow/route";

type Context = { params: Promise<{ method: string[] }> };

/** MLflow's tracking API (MLFLOW_TRACKING_URI = this server, MLFLOW_TRACKING_TOKEN = an API key). */
export async function GET(req: Request, ctx: Context) {
  const endpoint = mlflowEndpoint("GET", (await ctx.params).method);
  return mlflowReply(req, (writer) => endpoint(writer, req));
}

export async function POST(req: Request, ctx: Context) {
  const endpoint = mlflowEndpoint("POST", (await ctx.params).method);
  return mlflowReply(req, (writer) => endpoint(writer, req));
}
