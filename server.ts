/** `npm start`: the tracker on PORT (default 3000) and HOST (default 127.0.0.1). */
import { startServer } from "@/lib/server/start-server";

const port = Number(process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, got "${process.env.PORT}"`);
  process.exit(2);
}

const server = await startServer({ port, host: process.env.HOST ?? "127.0.0.1", dev: process.argv.includes("--dev") });

let closing = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
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
