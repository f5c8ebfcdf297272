// A fixed-window request limit per key, kept in memory. Pure apart from the
// clock passed in (rate-window.test.ts). Used for the machine APIs' tokens
// (token-auth.ts): each replica counts its own requests, so N replicas allow
// N times the limit, which bounds what a leaked or runaway token can write.
export type WindowVerdict = { ok: true } | { ok: false; retryAfterMs: number };

export class RateWindow {
  private readonly windows = new Map<string, { startsAt: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    /** Keys kept at most; the oldest windows go first (tokens are few; this only bounds memory). */
    private readonly maxKeys = 10_000,
  ) {}

  take(key: string, now: number): WindowVerdict {
    let window = this.windows.get(key);
    if (!window || now - window.startsAt >= this.windowMs) {
      window = { startsAt: now, count: 0 };
      this.windows.delete(key);
      this.windows.set(key, window);
      if (this.windows.size > this.maxKeys) this.windows.delete(this.windows.keys().next().value!);
    }
    if (window.count >= this.limit) return { ok: false, retryAfterMs: window.startsAt + this.windowMs - now };
    window.count += 1;
    return { ok: true };
  }
}
