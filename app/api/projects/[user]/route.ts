import { createProject } from "@/lib/compat/swanlab/projects";
import { swanlabSessionRoute } from "@/lib/compat/swanlab/route";
import { swanlabUsername } from "@/lib/compat/swanlab/session";

/** SwanLab 0.9: creates a project (201) or finds it (200). */
export const POST = swanlabSessionRoute(async (writer, body) => {
  const { created, body: project } = await createProject(body, await swanlabUsername(writer));
  return { status: created ? 201 : 200, body: project };
});
