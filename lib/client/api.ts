/**
 * API calls from the run and compare views. They go through the shared
 * fetchJson (errors carry the server's message); views opened through a share
 * link pass its token on every request.
 */
import { fetchJson } from "@/components/ui/fetch-json";
import { withShare } from "@/lib/share/with-share";

export function apiFetch<T>(path: string, init: RequestInit & { json?: unknown; share?: string | null } = {}): Promise<T> {
  const { share, ...rest } = init;
  return fetchJson<T>(withShare(path, share), rest);
}

export { errorText as errorMessage } from "@/components/ui/error-banner";
