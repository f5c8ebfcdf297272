// A value shared by every copy of a module in this process. Standby's own
// server (scripts/standby.ts, bundled by esbuild) and Next.js (which bundles
// its own copy of lib/ for pages and routes) load the same source twice, so
// module state set by one is not seen by the other. A slot keyed by a global
// symbol is: the one sanctioned bridge between them (docs/architecture.md).
export type ProcessSlot<T> = { get(): T | undefined; set(value: T): void; clear(): void };

export function processSlot<T>(name: string): ProcessSlot<T> {
  const key = Symbol.for(`standby.${name}`);
  const slots = globalThis as unknown as Record<symbol, T | undefined>;
  return {
    get: () => slots[key],
    set: (value) => {
      slots[key] = value;
    },
    clear: () => {
      delete slots[key];
    },
  };
}
