import { createOrResumeExperiment } from "@/lib/server/compat/swanlab/experiments";
import { swanlabSessionRoute } from "@/lib/server/compat/swanlab/route";

/** SwanLab: a new run answers 201, resuming an existing one (its id as `cuid`) 200. */
export const POST = swanlabSessionRoute<{ project: string }>(async (writer, body, { project }) => {
  const { created, body: experiment } = await createOrResumeExperiment(writer, project, body);
  return { status: created ? 201 : 200, body: experiment };
});
