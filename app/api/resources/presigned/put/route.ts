import { requestOrigin } from "@/lib/compat/request-origin";
import { swanlabSessionRoute } from "@/lib/compat/swanlab/route";
import { presignUploads } from "@/lib/compat/swanlab/uploads";

/** SwanLab: one absolute, signed upload URL per media file. */
export const POST = swanlabSessionRoute(async (writer, body, _params, req) => ({
  body: await presignUploads(writer, requestOrigin(req), body),
}));
