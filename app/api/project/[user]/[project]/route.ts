import { describeProject } from "@/lib/server/compat/swanlab/projects";
import { swanlabSessionRoute } from "@/lib/server/compat/swanlab/route";
import { swanlabUsername } from "@/lib/server/compat/swanlab/session";

/** SwanLab: a project's cuid, path, owner and run count. */
export const GET = swanlabSessionRoute<{ project: string }>(async (writer, _body, { project }) => ({
  body: await describeProject(await swanlabUsername(writer), project),
}));
