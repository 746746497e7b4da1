import { swanlabSessionRoute } from "@/lib/server/compat/swanlab/route";
import { requireWritableRun } from "@/lib/server/compat/writer";

/** SwanLab 0.7's chart definitions. Inkstone lays out charts from the data itself, so they are acknowledged only. */
export const POST = swanlabSessionRoute<{ run: string }>(async (writer, _body, { run }) => {
  await requireWritableRun(writer, run);
  return { status: 201 };
});
