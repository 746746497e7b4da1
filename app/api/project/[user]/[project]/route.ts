import { describeProject } from "@/lib/compat/swanlab/projects";
import { swanlabSessionRoute } from "@/lib/compat/swanlab/route";
import { swanlabUsername } from "@/lib/compat/swanlab/session";

/** SwanLab: a project's cuid, path, owner and run count. */
export const GET = swanlabSessionRoute<{ project: string }>(async (writer, _body, { project }) => ({
  body: await describeProject(await swanlabUsername(writer), project),
}));
