/** `npm start`: the tracker on PORT (default 3000) and HOST (default 127.0.0.1). */
import { checkEnvOrExit, readEnv } from "@/lib/config/env";

checkEnvOrExit("server", "inkstone: cannot start");
const port = readEnv("PORT");
// Imported once the environment is known good: its modules read their settings as they load.
const { startServer } = await import("@/lib/server/start-server");

const server = await startServer({ port, host: readEnv("HOST"), dev: process.argv.includes("--dev") }).catch((err: unknown) => {
  console.error(`inkstone: cannot start: ${startFailure(err, port)}`);
  process.exit(1);
});

/** One line naming the cause of a failed start and its fix; never "undefined". */
function startFailure(err: unknown, port: number): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === "EADDRINUSE") return `port ${port} is in use; stop what uses it or set PORT to a free port`;
  if (code === "EACCES") return `not allowed to listen on port ${port}; set PORT to a port above 1023`;
  if (code === "ECONNREFUSED") return `the database at DATABASE_URL refuses connections (${(err as Error).message}); start it or fix DATABASE_URL`;
  if (err instanceof Error) return err.message;
  return `an unexpected ${err === undefined ? "empty" : typeof err} error (${String(err)}); see the lines above`;
}

let closing = false;
// The server stops the embedded PostgreSQL itself, after closing its connections (lib/server/db/embedded-postgres.ts).
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    console.log(`inkstone: ${signal}, shutting down`);
    server.close().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
}
