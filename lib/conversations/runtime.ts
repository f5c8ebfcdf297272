import 'server-only';
// One replica's conversation store, wired to PostgreSQL: histories read and
// turns written by persistence.ts, the write lag reported as evidence for the
// service's conversation history component, and deletions made anywhere
// heard on channel standby_conversations.
import { recordEvidence } from '@/lib/recovery/evidence';
import { conversationComponentName } from '@/lib/recovery/model';
import { listen } from '@/lib/server/notify';
import { closeConversationPool, loadHistory, writeTurns } from './persistence';
import { CONVERSATION_CHANNEL, ConversationStore, REPLICA, type StoreOptions } from './store';

export type DeletionNotice = { ref?: { serviceId: string; tokenId: string; key: string }; endUserHash?: string; serviceId?: string };

export function startConversationStore(options: StoreOptions = {}) {
  const store = new ConversationStore(
    {
      load: loadHistory,
      write: writeTurns,
      report: async (serviceName, lag) => {
        await recordEvidence(
          [{
            component: conversationComponentName(serviceName), kind: 'conversation_write', ok: true, lagMs: Math.round(lag.maxMs),
            detail: lag.answers ? `${lag.answers} answers in ${Math.round(lag.windowMs / 1000)} s on ${REPLICA}: durable within ${Math.round(lag.p99Ms ?? 0)} ms at the 99th percentile, ${Math.round(lag.maxMs)} ms at worst` : `no answers to write in the last minutes on ${REPLICA}`,
          }],
          'standby',
        );
      },
    },
    options,
  ).start();
  const listener = listen(CONVERSATION_CHANNEL, {
    onNotify: (payload) => {
      try {
        store.forget(JSON.parse(payload) as DeletionNotice);
      } catch {
        /* a notice of another version: the cache entry expires with use */
      }
    },
  });
  return {
    store,
    close: async () => {
      await listener.close();
      await store.close();
      await closeConversationPool();
    },
  };
}
