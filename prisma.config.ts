import { defineConfig } from "prisma/config";
import { readEnv } from "./lib/config/env";

// The CLI is only used to generate the client; migrations run through the
// WebAssembly schema engine (lib/server/db/migrations.ts), which works offline.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: readEnv("DATABASE_URL") ?? "postgresql://localhost/inkstone" },
});
