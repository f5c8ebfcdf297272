// A stand-in for a ServerResponse when nobody is on the other end of a
// socket, so that the routing code has one output path whatever the caller:
// the retry queue's replay runs a request through the same handler in process
// and keeps the answer.
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';

type Chunk = string | Uint8Array;
const text = (chunk: Chunk) => (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));

/** The part of ServerResponse the gateway uses, kept in memory. */
export class BufferedResponse extends EventEmitter {
  statusCode = 200;
  headersSent = false;
  writableEnded = false;
  private readonly headers = new Map<string, string>();
  private readonly chunks: string[] = [];

  setHeader(name: string, value: string | number | readonly string[]): this {
    this.headers.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : String(value));
    return this;
  }

  getHeader(name: string): string | undefined {
    return this.headers.get(name.toLowerCase());
  }

  /** Headers as an object, or as Node also takes them: one flat list of names and values (sendJson's). */
  writeHead(status: number, headers: Record<string, string | number> | readonly string[] = {}): this {
    this.statusCode = status;
    if (Array.isArray(headers)) for (let i = 0; i + 1 < headers.length; i += 2) this.setHeader(headers[i], headers[i + 1]);
    else for (const [name, value] of Object.entries(headers)) this.setHeader(name, value);
    this.headersSent = true;
    return this;
  }

  write(chunk: Chunk): boolean {
    if (!this.headersSent) this.writeHead(this.statusCode);
    this.chunks.push(text(chunk));
    return true;
  }

  end(chunk?: Chunk | (() => void)): this {
    if (chunk !== undefined && typeof chunk !== 'function') this.write(chunk);
    else if (!this.headersSent) this.writeHead(this.statusCode);
    this.writableEnded = true;
    this.emit('finish');
    this.emit('close');
    return this;
  }

  body(): string {
    return this.chunks.join('');
  }

  /** Every header set or written, lower-cased. */
  allHeaders(): Record<string, string> {
    return Object.fromEntries(this.headers);
  }

  /** For code typed against node:http: only the members above are ever used. */
  asServerResponse(): ServerResponse {
    return this as unknown as ServerResponse;
  }
}
