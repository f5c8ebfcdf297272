// Server-Sent Events, pure (sse.test.ts). The parser follows the WHATWG
// "event stream interpretation" rules so that any upstream's framing reads the
// same: LF, CRLF or CR line endings, a CRLF split across two chunks, comments,
// multi-line data, and UTF-8 characters cut between chunks (a streaming
// TextDecoder holds the partial bytes until the rest arrives).

export type SseEvent = { event?: string; data: string; id?: string };

export type SseParser = {
  /** Feeds the next piece of the body; returns every event it completed. */
  push(chunk: string | Uint8Array): SseEvent[];
  /** The body has ended; returns what the final piece completed. */
  end(): SseEvent[];
};

const LF = 10;
const CR = 13;

export function createSseParser(): SseParser {
  const decoder = new TextDecoder('utf-8');
  let pending = ''; // the current, unterminated line (never holds CR or LF)
  let skipLeadingLf = false; // the last piece ended with CR: an LF that follows belongs to it
  let atStart = true;
  let ended = false;

  let data: string[] = [];
  let hasData = false;
  let eventType: string | undefined;
  let lastEventId: string | undefined;

  function dispatch(out: SseEvent[]) {
    if (hasData) {
      const event: SseEvent = { data: data.join('\n') };
      if (eventType !== undefined && eventType !== '') event.event = eventType;
      if (lastEventId !== undefined && lastEventId !== '') event.id = lastEventId;
      out.push(event);
    }
    data = [];
    hasData = false;
    eventType = undefined;
  }

  function processLine(line: string, out: SseEvent[]) {
    if (line === '') return dispatch(out);
    if (line.charCodeAt(0) === 58 /* ':' */) return; // a comment, often a keep-alive
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32 /* ' ' */) value = value.slice(1);
    switch (field) {
      case 'data':
        data.push(value);
        hasData = true;
        break;
      case 'event':
        eventType = value;
        break;
      case 'id':
        // The spec ignores ids holding NULL; the id then carries over to later events.
        if (!value.includes('\0')) lastEventId = value;
        break;
      default:
        break; // 'retry' and unknown fields mean nothing to a proxy
    }
  }

  function feed(text: string, out: SseEvent[]) {
    if (text === '') return;
    if (atStart) {
      atStart = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let start = 0;
    if (skipLeadingLf) {
      skipLeadingLf = false;
      if (text.charCodeAt(0) === LF) start = 1;
    }
    // Only the new text is scanned: `pending` is known to hold no line ending.
    for (let i = start; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code !== LF && code !== CR) continue;
      processLine(pending + text.slice(start, i), out);
      pending = '';
      if (code === CR) {
        if (i + 1 === text.length) skipLeadingLf = true;
        else if (text.charCodeAt(i + 1) === LF) i++;
      }
      start = i + 1;
    }
    if (start < text.length) pending += text.slice(start);
  }

  return {
    push(chunk) {
      const out: SseEvent[] = [];
      if (ended) return out;
      if (typeof chunk === 'string') {
        // Bytes held for a character cut short cannot be completed by text: flush them as U+FFFD.
        feed(decoder.decode() + chunk, out);
      } else {
        // The decoder strips a leading BOM itself; `atStart` then only guards string input.
        feed(decoder.decode(chunk, { stream: true }), out);
      }
      return out;
    },
    end() {
      const out: SseEvent[] = [];
      if (ended) return out;
      ended = true;
      feed(decoder.decode(), out);
      // Departs from the spec on purpose: a body that stops after a complete
      // `data:` line but before the blank line still delivers that event (an
      // upstream cut just before its final usage chunk or [DONE]). A line that
      // was never terminated may be cut mid-way, so it is dropped, as the spec says.
      pending = '';
      dispatch(out);
      return out;
    },
  };
}

/** One event in SSE framing; multi-line data becomes several `data:` lines. */
export function encodeSse(data: string, event?: string): string {
  if (event !== undefined && /[\r\n]/.test(event)) throw new TypeError('An SSE event name cannot contain a line break.');
  const lines = data.split(/\r\n|\r|\n/).map((line) => `data: ${line}\n`);
  return `${event ? `event: ${event}\n` : ''}${lines.join('')}\n`;
}
