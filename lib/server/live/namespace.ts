/**
 * socket.io namespace `/live`: browsers `subscribe` to a run's room (or to
 * "runs" for status changes of every run) and receive what is stored.
 */
import type { Server } from "socket.io";
import { runRoom, type ShareGrants } from "./publish";
import { sha256 } from "../tokens";
import { canViewRun, canViewRunList } from "../auth/access";

export function attachLiveNamespace(io: Server): void {
  io.of("/live").on("connection", (socket) => {
    socket.on("subscribe", async (req: unknown, ack?: unknown) => {
      const reply = typeof ack === "function" ? (ack as (a: unknown) => void) : () => {};
      const { runId, share } = (req ?? {}) as { runId?: unknown; share?: unknown };
      if (runId === "runs") {
        // Every run's status changes: for accounts only, never a share link.
        if (!(await canViewRunList(socket.handshake.headers.cookie).catch(() => false))) {
          return reply({ ok: false, error: "sign in to follow every run" });
        }
        socket.join("runs");
        return reply({ ok: true });
      }
      if (typeof runId !== "string") return reply({ ok: false, error: "subscribe needs {runId}" });
      try {
        const cookie = socket.handshake.headers.cookie;
        const shareToken = typeof share === "string" ? share : undefined;
        if (!(await canViewRun(runId, { cookie, shareToken }))) {
          return reply({ ok: false, error: "not allowed to view this run" });
        }
        // Remember the link a share viewer came through, so that revoking it cuts this socket off.
        if (shareToken && !(await canViewRunList(cookie))) {
          const grants: ShareGrants = (socket.data.shareGrants ??= new Map());
          grants.set(runId, sha256(shareToken));
        }
        socket.join(runRoom(runId));
        reply({ ok: true });
      } catch {
        reply({ ok: false, error: "could not subscribe" });
      }
    });
    socket.on("unsubscribe", (req: unknown) => {
      const { runId } = (req ?? {}) as { runId?: unknown };
      if (typeof runId === "string") socket.leave(runRoom(runId));
    });
  });
}
