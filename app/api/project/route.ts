import { createProject } from "@/lib/server/compat/swanlab/projects";
import { swanlabSessionRoute } from "@/lib/server/compat/swanlab/route";
import { swanlabUsername } from "@/lib/server/compat/swanlab/session";

/** SwanLab 0.7: creates a project (201) or finds it (200); the SDK reads `username` from the reply. */
export const POST = swanlabSessionRoute(async (writer, body) => {
  const { created, body: project } = await createProject(body, await swanlabUsername(writer));
  return { status: created ? 201 : 200, body: project };
});
