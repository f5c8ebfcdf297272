// The recorder's writer thread itself (started by writer-thread.ts): writes each
// batch it is handed (sample-writer.ts) and answers with its id, and on `stop`
// closes its database connections once the batches under way are answered.
import { parentPort } from 'node:worker_threads';
import { db } from '@/lib/server/db';
import { decodeBatch } from './batch-codec';
import { writeSamples } from './sample-writer';
import type { WriteReply, WriteRequest } from './writer-thread';

type Message = WriteRequest | { stop: true };

const port = parentPort;
if (!port) throw new Error('writer-thread-entry.ts runs only as the recorder\'s writer thread');
const underWay = new Set<Promise<void>>();

port.on('message', (message: Message) => {
  if ('stop' in message) {
    void Promise.allSettled(underWay)
      .then(() => db().$disconnect())
      .finally(() => port.close());
    return;
  }
  const { samples, requests, tokenUses } = decodeBatch(message.batch);
  const written = writeSamples(samples, requests, tokenUses, message.mark).then(
    () => port.postMessage({ id: message.id, error: null } satisfies WriteReply),
    (error: unknown) => port.postMessage({ id: message.id, error: error instanceof Error ? (error.message.split('\n').at(-1) ?? 'write failed') : String(error) } satisfies WriteReply),
  );
  underWay.add(written);
  void written.finally(() => underWay.delete(written));
});
