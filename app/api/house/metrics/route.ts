import { ingestBatch } from "@/lib/server/compat/swanlab/house";
import { swanlabSessionRoute } from "@/lib/server/compat/swanlab/route";

/** SwanLab: a batch of scalars, media or console lines; refused records are noted on the run, never a 4xx. */
export const POST = swanlabSessionRoute(async (writer, body) => {
  await ingestBatch(writer, body);
  return { status: 201 };
});
