import crypto from "node:crypto";

/** A random token of `bytes` bytes (default 32, i.e. 256 bits), base64url. */
export function newToken(bytes = 32): string {
  return crypto.randomBytes(bytes).toString("base64url");
}

export function sha256(text: string): string {
  return crypto.createHash("sha256").update(text).digest("hex");
}
