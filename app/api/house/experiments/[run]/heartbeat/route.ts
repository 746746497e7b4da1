import { swanlabSessionRoute } from "@/lib/server/compat/swanlab/route";
import { requireWritableRun } from "@/lib/server/compat/writer";
import { heartbeat } from "@/lib/server/ingest/store";

/** SwanLab: the trainer is alive. */
export const POST = swanlabSessionRoute<{ run: string }>(async (writer, _body, { run }) => {
  await heartbeat((await requireWritableRun(writer, run)).id);
  return { status: 201 };
});
