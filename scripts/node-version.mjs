// The Node.js versions Standby runs on, checked before anything else starts
// (scripts/run.mjs, scripts/test.mjs). The floor comes from the dependencies:
// Prisma's client supports ^20.19 || ^22.12 || >=24, and the lint toolchain
// (typescript-eslint) ^20.19 || ^22.13 || >=24, so odd releases (21, 23) and
// early 22s are out. package.json's "engines" says the same (a unit test keeps
// them equal).
export const SUPPORTED_NODE = '^20.19.0 || ^22.13.0 || >=24.0.0';

/** Whether a version string ("20.20.2" or "v22.12.0") is one Standby supports. */
export function isSupportedNode(version) {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  if (!Number.isInteger(major) || !Number.isInteger(minor)) return false;
  return (major === 20 && minor >= 19) || (major === 22 && minor >= 13) || major >= 24;
}

/** Stops the process with a plain message on an unsupported Node.js, before a dependency fails in a confusing way. */
export function requireSupportedNode(version = process.versions.node) {
  if (isSupportedNode(version)) return;
  console.error(
    `[standby] Node.js ${version} is not supported. Standby needs Node.js 20.19 or later in the 20 line, 22.13 or later in the 22 line, or 24 and later ` +
      `(${SUPPORTED_NODE}). Install one of those (https://nodejs.org) and run the command again.`,
  );
  process.exit(1);
}
