import { swanlabRoute } from "@/lib/server/compat/swanlab/route";
import { receiveUpload } from "@/lib/server/compat/swanlab/uploads";
import { tooLarge } from "@/lib/server/http/errors";
import { LIMITS } from "@/lib/protocol/wire";

/** Where SwanLab's SDK PUTs a media file, without its cookie: the token in the URL is the grant. */
export const PUT = swanlabRoute<{ token: string }>(async (req, { token }) => {
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (declared > LIMITS.imageBytes) throw tooLarge(`body of ${declared} bytes, the limit is ${LIMITS.imageBytes}`);
  await receiveUpload(token, new Uint8Array(await req.arrayBuffer()));
  return {};
});
