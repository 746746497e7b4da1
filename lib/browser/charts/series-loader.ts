/**
 * Coalesces the series requests that charts make in the same moment (a page's
 * first render, a zoom on a compare chart) into a few POST /api/series calls.
 * Chunks keep the first charts drawing while later ones are still being read.
 */
import { apiFetch } from "@/lib/browser/client/api";
import type { Series, SeriesRequest } from "@/lib/protocol/schemas";

/** Series per request: small enough to spread over the server's pool, large enough to save round trips. */
const CHUNK = 20;

interface Pending {
  req: SeriesRequest;
  resolve: (s: Series) => void;
  reject: (e: unknown) => void;
}

export class SeriesLoader {
  private queue: Pending[] = [];
  private scheduled = false;

  constructor(private readonly share: string | null) {}

  load(req: SeriesRequest): Promise<Series> {
    return new Promise((resolve, reject) => {
      this.queue.push({ req, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // Charts mount in one commit; a macrotask lets all of them enqueue first.
        setTimeout(() => this.flush(), 0);
      }
    });
  }

  private flush(): void {
    const queue = this.queue;
    this.queue = [];
    this.scheduled = false;
    for (let i = 0; i < queue.length; i += CHUNK) {
      const chunk = queue.slice(i, i + CHUNK);
      apiFetch<Series[]>("/api/series", { method: "POST", json: { requests: chunk.map((p) => p.req) }, share: this.share }).then(
        (series) => chunk.forEach((p, j) => p.resolve(series[j])),
        (err: unknown) => chunk.forEach((p) => p.reject(err)),
      );
    }
  }
}
