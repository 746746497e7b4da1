import { experimentSummary } from "@/lib/server/compat/swanlab/experiments";
import { swanlabSessionRoute } from "@/lib/server/compat/swanlab/route";
import { requireWritableRun } from "@/lib/server/compat/writer";

/** SwanLab: where a resumed run's counters stand. */
export const GET = swanlabSessionRoute<{ run: string }>(async (writer, _body, { run }) => ({
  body: await experimentSummary((await requireWritableRun(writer, run)).id),
}));
