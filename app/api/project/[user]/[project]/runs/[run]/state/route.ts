import { setExperimentState } from "@/lib/server/compat/swanlab/experiments";
import { refusalsNotedOn, swanlabSessionRoute } from "@/lib/server/compat/swanlab/route";
import { requireWritableRun } from "@/lib/server/compat/writer";

/** SwanLab: the run's state at finish (FINISHED, CRASHED or ABORTED). */
export const PUT = swanlabSessionRoute<{ run: string }>(async (writer, body, { run }) => {
  const { id } = await requireWritableRun(writer, run);
  await refusalsNotedOn(id, "state", () => setExperimentState(id, body));
  return {};
});
