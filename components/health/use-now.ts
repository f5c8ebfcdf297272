'use client';

import { useSyncExternalStore } from 'react';

// One shared one-second clock for every "N seconds ago" on the page. Only small
// leaf components read it, so a tick never re-renders a table or a chart. The
// server snapshot is null, so server-rendered HTML never holds a time that
// would differ at hydration.
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | null = null;

function subscribe(onTick: () => void) {
  listeners.add(onTick);
  timer ??= setInterval(() => listeners.forEach((listener) => listener()), 1_000);
  return () => {
    listeners.delete(onTick);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
}

const currentSecond = () => Math.floor(Date.now() / 1_000) * 1_000;

/** The current time in ms, to the second, updated every second; null while server rendering and hydrating. */
export function useNow(): number | null {
  return useSyncExternalStore(subscribe, currentSecond, () => null);
}
