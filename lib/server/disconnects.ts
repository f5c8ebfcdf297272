// Clients that go away in the middle of sending a request (a closed tab, a
// timeout on their side, a slowloris test) are not Standby's errors: each is
// counted (standby_client_disconnects_total in /api/metrics) and logged as one
// line, at most one line a second, instead of a stack trace per connection.
import type { IncomingMessage } from 'node:http';

const DISCONNECT_CODES = new Set(['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET']);

export function isClientDisconnect(error: unknown, req?: IncomingMessage): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && DISCONNECT_CODES.has(code)) return true;
  if (error instanceof Error && error.message === 'aborted') return true;
  // Whatever failed, it failed because the request's connection is gone.
  return req !== undefined && (req.destroyed || req.socket?.destroyed === true) && !req.complete;
}

export type DisconnectLog = (where: string) => void;

/** One line per disconnect, but a flood is summarised: at most one line per `everyMs`, naming how many went away meanwhile. */
export function createDisconnectLog(log: (line: string) => void, everyMs = 1_000, now: () => number = Date.now): DisconnectLog {
  let lastAt = -Infinity;
  let suppressed = 0;
  return (where) => {
    const at = now();
    if (at - lastAt < everyMs) {
      suppressed += 1;
      return;
    }
    const others = suppressed > 0 ? ` (and ${suppressed} more since the last such line)` : '';
    suppressed = 0;
    lastAt = at;
    log(`[standby] a client went away before its request was complete: ${where}${others}`);
  };
}

/** Node's error for a request whose client reset the connection mid-body. */
const isAbortedRequestError = (value: unknown) => value instanceof Error && value.message === 'aborted' && (value as { code?: unknown }).code === 'ECONNRESET';

let consoleFiltered = false;

/**
 * Next.js logs a request body that ended in a reset as a stack trace of its own
 * (`Error: aborted`, code ECONNRESET), with no hook to handle it. The front door
 * already counted and reported that disconnect, so the one log call that carries
 * exactly that error is dropped; every other console.error passes untouched.
 */
export function silenceAbortedRequestLogs(): void {
  if (consoleFiltered) return;
  consoleFiltered = true;
  const original = console.error.bind(console);
  console.error = (...args: unknown[]) => {
    if (args.length === 1 && isAbortedRequestError(args[0])) return;
    original(...args);
  };
}
