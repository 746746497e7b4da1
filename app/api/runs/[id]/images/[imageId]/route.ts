import { respond } from "@/lib/server/http/responses";
import { readImageBytes } from "@/lib/server/runs/images";
import { requireRunViewer } from "@/lib/server/auth/access";

/** The image bytes. They never change once stored, so clients may cache them for good. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string; imageId: string }> }) {
  return respond(async () => {
    const { id, imageId } = await ctx.params;
    await requireRunViewer(req, id);
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
}
