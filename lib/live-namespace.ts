/**
 * socket.io namespace `/live`: browsers `subscribe` to a run's room (or to
 * "runs" for status changes of every run) and receive what is stored.
 */
import type { Server } from "socket.io";
import { runRoom } from "./live";
import { canViewRun, canViewRunList } from "./access";

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
        if (!(await canViewRun(runId, { cookie: socket.handshake.headers.cookie, shareToken: typeof share === "string" ? share : undefined }))) {
          return reply({ ok: false, error: "not allowed to view this run" });
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
