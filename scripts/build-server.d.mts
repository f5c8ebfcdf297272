// Types of build-server.mjs, for the TypeScript that imports it (bench/harness.ts).
export const ROOT: string;
export function buildServer(entry: string, outfile: string): Promise<string>;
