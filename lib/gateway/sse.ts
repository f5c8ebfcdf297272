// Server-Sent Events, pure (sse.test.ts). The parser follows the WHATWG
// "event stream interpretation" rules so that any upstream's framing reads the
// same: LF, CRLF or CR line endings, a CRLF split across two chunks, comments,
// multi-line data, and UTF-8 characters cut between chunks (a StringDecoder
// holds the partial bytes until the rest arrives; it does the same work as a
// streaming TextDecoder at a fraction of the cost per piece).

import { StringDecoder } from 'node:string_decoder';

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
  return new EventStreamParser();
}

/** One per streamed attempt: the bytes of an unfinished line and event, kept between pushes. */
class EventStreamParser implements SseParser {
  private readonly decoder = new StringDecoder('utf8');
  private pending = ''; // the current, unterminated line (never holds CR or LF)
  private skipLeadingLf = false; // the last piece ended with CR: an LF that follows belongs to it
  private atStart = true;
  private ended = false;

  private data: string[] = [];
  private hasData = false;
  private eventType: string | undefined;
  private lastEventId: string | undefined;

  push(chunk: string | Uint8Array): SseEvent[] {
    const out: SseEvent[] = [];
    if (this.ended) return out;
    if (typeof chunk === 'string') {
      // Bytes held for a character cut short cannot be completed by text: flush them as U+FFFD.
      this.feed(this.decoder.end() + chunk, out);
    } else {
      this.feed(this.decoder.write(chunk instanceof Buffer ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)), out);
    }
    return out;
  }

  end(): SseEvent[] {
    const out: SseEvent[] = [];
    if (this.ended) return out;
    this.ended = true;
    this.feed(this.decoder.end(), out);
    // Departs from the spec on purpose: a body that stops after a complete
    // `data:` line but before the blank line still delivers that event (an
    // upstream cut just before its final usage chunk or [DONE]). A line that
    // was never terminated may be cut mid-way, so it is dropped, as the spec says.
    this.pending = '';
    this.dispatch(out);
    return out;
  }

  private dispatch(out: SseEvent[]) {
    if (this.hasData) {
      const event: SseEvent = { data: this.data.join('\n') };
      if (this.eventType !== undefined && this.eventType !== '') event.event = this.eventType;
      if (this.lastEventId !== undefined && this.lastEventId !== '') event.id = this.lastEventId;
      out.push(event);
    }
    this.data = [];
    this.hasData = false;
    this.eventType = undefined;
  }

  private processLine(line: string, out: SseEvent[]) {
    if (line === '') return this.dispatch(out);
    if (line.charCodeAt(0) === 58 /* ':' */) return; // a comment, often a keep-alive
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32 /* ' ' */) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data.push(value);
        this.hasData = true;
        break;
      case 'event':
        this.eventType = value;
        break;
      case 'id':
        // The spec ignores ids holding NULL; the id then carries over to later events.
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      default:
        break; // 'retry' and unknown fields mean nothing to a proxy
    }
  }

  private feed(text: string, out: SseEvent[]) {
    if (text === '') return;
    if (this.atStart) {
      this.atStart = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let start = 0;
    if (this.skipLeadingLf) {
      this.skipLeadingLf = false;
      if (text.charCodeAt(0) === LF) start = 1;
    }
    // Only the new text is scanned: `pending` is known to hold no line ending.
    if (text.indexOf('\r', start) === -1) {
      // LF endings only, as most upstreams send: the native search finds them several times faster.
      for (let i = text.indexOf('\n', start); i !== -1; i = text.indexOf('\n', start)) {
        this.processLine(this.pending + text.slice(start, i), out);
        this.pending = '';
        start = i + 1;
      }
    } else {
      for (let i = start; i < text.length; i++) {
        const code = text.charCodeAt(i);
        if (code !== LF && code !== CR) continue;
        this.processLine(this.pending + text.slice(start, i), out);
        this.pending = '';
        if (code === CR) {
          if (i + 1 === text.length) this.skipLeadingLf = true;
          else if (text.charCodeAt(i + 1) === LF) i++;
        }
        start = i + 1;
      }
    }
    if (start < text.length) this.pending += text.slice(start);
  }
}

/** One event in SSE framing; multi-line data becomes several `data:` lines. */
export function encodeSse(data: string, event?: string): string {
  if (event !== undefined && /[\r\n]/.test(event)) throw new TypeError('An SSE event name cannot contain a line break.');
  const lines = data.split(/\r\n|\r|\n/).map((line) => `data: ${line}\n`);
  return `${event ? `event: ${event}\n` : ''}${lines.join('')}\n`;
}
