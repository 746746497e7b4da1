import { swanlabSessionRoute } from "@/lib/compat/swanlab/route";
import { requireWritableRun } from "@/lib/compat/writer";
import { heartbeat } from "@/lib/ingest/store";

/** SwanLab: the trainer is alive. */
export const POST = swanlabSessionRoute<{ run: string }>(async (writer, _body, { run }) => {
  await heartbeat((await requireWritableRun(writer, run)).id);
  return { status: 201 };
});
