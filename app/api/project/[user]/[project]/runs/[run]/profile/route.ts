import { updateProfile } from "@/lib/server/compat/swanlab/experiments";
import { refusalsNotedOn, swanlabSessionRoute } from "@/lib/server/compat/swanlab/route";
import { requireWritableRun } from "@/lib/server/compat/writer";

/** SwanLab: one part of the run's profile (config, metadata, requirements or conda). */
export const PUT = swanlabSessionRoute<{ run: string }>(async (writer, body, { run }) => {
  const { id } = await requireWritableRun(writer, run);
  await refusalsNotedOn(id, "profile", () => updateProfile(id, body));
  return {};
});
