/** An error whose message is safe to show to the client, with the HTTP status it maps to. */
export class ClientError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ClientError";
  }
}

export const badRequest = (m: string) => new ClientError(400, m);
export const unauthorized = (m = "missing or invalid token") => new ClientError(401, m);
export const forbidden = (m = "not allowed") => new ClientError(403, m);
export const notFound = (m = "not found") => new ClientError(404, m);
export const conflict = (m: string) => new ClientError(409, m);
export const tooLarge = (m: string) => new ClientError(413, m);

/** The message for a client; anything unexpected is logged and hidden. */
export function publicMessage(err: unknown): { status: number; error: string } {
  if (err instanceof ClientError) return { status: err.status, error: err.message };
  console.error("inkstone: unexpected error:", err);
  return { status: 500, error: "internal error (see the server log)" };
}
