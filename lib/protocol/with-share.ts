/** Appends a share token (when viewing through a public link) to an API path or image URL; pages and the server build these alike. */
export function withShare(path: string, share: string | null | undefined): string {
  if (!share) return path;
  return `${path}${path.includes("?") ? "&" : "?"}share=${encodeURIComponent(share)}`;
}
