// The demo estate's webhook receiver: a Slack-compatible incoming webhook served
// by Standby itself under /simulated/webhooks/<name>, so the demo's notify steps
// are delivered (and shown on the timeline) without a Slack workspace. Demo only
// (startSimulator mounts it beside the simulated upstreams); it keeps the last
// messages in memory and logs one line per message.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEMO_WEBHOOK_PATH as PREFIX } from '@/lib/simulator/upstreams';

const MAX_BODY = 64 * 1024;
const KEEP = 50;

export type SunkMessage = { name: string; at: string; text: string };

export function createWebhookSink(options: { log?: (line: string) => void } = {}) {
  const messages: SunkMessage[] = [];
  const handle = (req: IncomingMessage, res: ServerResponse, pathname: string): boolean => {
    if (!pathname.startsWith(PREFIX)) return false;
    const name = pathname.slice(PREFIX.length);
    if (req.method !== 'POST' || !/^[a-z0-9-]{1,60}$/.test(name)) {
      res.writeHead(req.method !== 'POST' ? 405 : 404, { 'content-type': 'text/plain' }).end(req.method !== 'POST' ? 'POST only' : 'no_such_webhook');
      return true;
    }
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY) return void res.writeHead(413, { 'content-type': 'text/plain' }).end('too_large');
      let text = '';
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text?: unknown };
        text = typeof body.text === 'string' ? body.text : '';
      } catch {
        return void res.writeHead(400, { 'content-type': 'text/plain' }).end('invalid_payload');
      }
      messages.push({ name, at: new Date().toISOString(), text });
      if (messages.length > KEEP) messages.shift();
      options.log?.(`demo webhook #${name}: ${text.slice(0, 200)}`);
      // Slack answers a plain "ok".
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
    return true;
  };
  return { handle, messages: () => [...messages] };
}
