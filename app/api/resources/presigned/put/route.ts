import { requestOrigin } from "@/lib/server/compat/request-origin";
import { swanlabSessionRoute } from "@/lib/server/compat/swanlab/route";
import { presignUploads } from "@/lib/server/compat/swanlab/uploads";

/** SwanLab: one absolute, signed upload URL per media file. */
export const POST = swanlabSessionRoute(async (writer, body, _params, req) => ({
  body: await presignUploads(writer, requestOrigin(req), body),
}));
