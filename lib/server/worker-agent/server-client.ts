/** The worker's HTTP client for `/api/worker/*`: JSON in and out, the worker token as Bearer. */
export class ServerError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class ServerClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async post<T>(path: string, body: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}/api/worker/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${this.token}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const reply = (await res.json().catch(() => null)) as { ok?: boolean; data?: T; error?: string } | null;
    if (!res.ok || !reply?.ok) throw new ServerError(res.status, `${path}: ${res.status} ${reply?.error ?? res.statusText}`);
    return reply.data as T;
  }
}
