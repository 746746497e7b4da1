import { setExperimentState } from "@/lib/compat/swanlab/experiments";
import { refusalsNotedOn, swanlabSessionRoute } from "@/lib/compat/swanlab/route";
import { requireWritableRun } from "@/lib/compat/writer";

/** SwanLab: the run's state at finish (FINISHED, CRASHED or ABORTED). */
export const PUT = swanlabSessionRoute<{ run: string }>(async (writer, body, { run }) => {
  const { id } = await requireWritableRun(writer, run);
  await refusalsNotedOn(id, "state", () => setExperimentState(id, body));
  return {};
});
