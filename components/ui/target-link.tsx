'use client';

import { LinkAnchor } from './link-anchor';

/** A target's name, in monospace, leading to its page (breaker, probes, traffic, chains, history). */
export function TargetLink({ name, size = 'sm', c }: { name: string; size?: 'xs' | 'sm'; c?: string }) {
  return (
    <LinkAnchor href={`/targets/${encodeURIComponent(name)}`} ff="monospace" size={size} c={c}>
      {name}
    </LinkAnchor>
  );
}
