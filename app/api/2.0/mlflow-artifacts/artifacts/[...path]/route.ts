import { receiveArtifact } from "@/lib/server/compat/mlflow/artifacts";
import { mlflowReply } from "@/lib/server/compat/mlflow/route";

/** MLflow's artifact upload; images (log_image) are stored as the run's images. */
export async function PUT(req: Request) {
  return mlflowReply(req, (writer) => receiveArtifact(writer, req));
}
