// How every live panel reads from the server (STYLE.md habit 7): one fetch
// that turns a failure into a LiveDataError with the server's message, and one
// polling policy that stops once a failure is final. Runs in the browser.

/** How often live panels poll: "fresh within two seconds". */
export const LIVE_REFRESH_MS = 2_000;

/** A failed live read, with the server's message when it sent one. */
export class LiveDataError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'LiveDataError';
  }

  /** Polling cannot fix these: signed out, not allowed, or no such service. */
  get isFinal(): boolean {
    return [400, 401, 403, 404].includes(this.status);
  }
}

export async function fetchLive<T>(url: string, signal: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { signal, cache: 'no-store', headers: { accept: 'application/json' } });
  } catch (error) {
    if (signal.aborted) throw error;
    throw new LiveDataError(0, 'Standby could not be reached.');
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const message = (body as { error?: { message?: string } } | null)?.error?.message;
    throw new LiveDataError(response.status, message ?? `Standby answered ${response.status} ${response.statusText}`.trim());
  }
  return body as T;
}

/**
 * How every live view polls: every `everyMs`, through transient failures (the
 * view says it is retrying), and no longer once a failure is final.
 */
export function pollLive(everyMs: number) {
  return {
    refetchInterval: ({ state }: { state: { error: LiveDataError | null } }) => (state.error?.isFinal ? false : everyMs),
    retry: (failures: number, error: LiveDataError) => !error.isFinal && failures < 1,
    retryDelay: Math.min(1_000, everyMs / 4),
    staleTime: everyMs / 2,
  } as const;
}
