/** The origin a client reached this server at, for absolute URLs it must call back. */
export function requestOrigin(req: Request): string {
  const url = new URL(req.url);
  const first = (v: string | null) => v?.split(",")[0]?.trim() || undefined;
  const proto = first(req.headers.get("x-forwarded-proto")) ?? url.protocol.replace(/:$/, "");
  const host = first(req.headers.get("x-forwarded-host")) ?? req.headers.get("host") ?? url.host;
  return `${proto}://${host}`;
}
