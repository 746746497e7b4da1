import { runViewerRoute } from "@/lib/server/http/ingest-route";
import { readImageBytes } from "@/lib/server/runs/images";

/** The image bytes. They never change once stored, so clients may cache them for good. */
export const GET = runViewerRoute<{ id: string; imageId: string }>(async ({ id, imageId }, req) => {
  const image = await readImageBytes(id, imageId);
  const etag = `"${image.sha256}"`;
  const headers = {
    "content-type": image.mimeType,
    "cache-control": "private, max-age=31536000, immutable",
    etag,
    "x-content-type-options": "nosniff",
  };
  if (req.headers.get("if-none-match") === etag) return new Response(null, { status: 304, headers });
  return new Response(Buffer.from(image.bytes), { headers });
});
