// How a stored conversation and a client's request become the messages sent
// upstream. Pure (history.test.ts).
//
// A client names a conversation with the header x-standby-conversation and
// may send only its new message: the upstream gets the whole history, so a
// session resumes on whichever target serves it now, across providers. A
// client that sends the whole history itself (it starts with what is
// stored) is taken as it is. System and developer messages are instructions,
// not turns: the request's own replace the stored ones, else the newest
// stored ones lead the history.
import { createHash } from 'node:crypto';
import type { CachedAnswer } from '@/lib/gateway/response-cache';
import type { ChatMessage } from '@/lib/gateway/openai-schema';

export const CONVERSATION_HEADER = 'x-standby-conversation';
const KEY_PATTERN = /^[A-Za-z0-9._:@-]{1,128}$/;

export type ConversationKey = { ok: true; key: string } | { ok: false; message: string };

/** The header's value: 1 to 128 letters, digits and . _ : @ -. */
export function parseConversationKey(value: string | string[] | undefined): ConversationKey | null {
  if (value === undefined) return null;
  const key = Array.isArray(value) ? value[0] : value;
  if (key === undefined || key === '') return null;
  if (!KEY_PATTERN.test(key)) return { ok: false, message: `The ${CONVERSATION_HEADER} header names a conversation with 1 to 128 letters, digits and . _ : @ - (got ${JSON.stringify(key.slice(0, 40))}).` };
  return { ok: true, key };
}

/** The end user (the request's `user` field) is kept only as a hash: enough to export or delete their conversations. */
export const endUserHash = (user: unknown): string | null => (typeof user === 'string' && user.length > 0 ? createHash('sha256').update(`standby-end-user\n${user}`).digest('hex') : null);

const isInstruction = (m: ChatMessage) => m.role === 'system' || m.role === 'developer';
const same = (a: ChatMessage, b: ChatMessage) => JSON.stringify(a) === JSON.stringify(b);

export type Expanded = {
  /** What goes upstream. */
  messages: ChatMessage[];
  /** What the request added to the conversation, to store with the answer. */
  added: ChatMessage[];
  /** The client sent the whole history itself. */
  whole: boolean;
};

/** The newest block of instructions in the history (a turn's system messages come before its other messages). */
function newestInstructions(history: readonly ChatMessage[]): ChatMessage[] {
  let end = -1;
  for (let i = history.length - 1; i >= 0; i -= 1) {
    if (isInstruction(history[i])) {
      end = i;
      break;
    }
  }
  if (end < 0) return [];
  let start = end;
  while (start > 0 && isInstruction(history[start - 1])) start -= 1;
  return history.slice(start, end + 1);
}

export function expandMessages(history: readonly ChatMessage[], incoming: readonly ChatMessage[]): Expanded {
  if (history.length > 0 && incoming.length >= history.length && history.every((m, i) => same(m, incoming[i]))) {
    return { messages: [...incoming], added: incoming.slice(history.length), whole: true };
  }
  const ownInstructions = incoming.filter(isInstruction);
  const instructions = ownInstructions.length ? ownInstructions : newestInstructions(history);
  const turns = [...history.filter((m) => !isInstruction(m)), ...incoming.filter((m) => !isInstruction(m))];
  return { messages: [...instructions, ...turns], added: [...incoming], whole: false };
}

/** The answer as the assistant message the next turn's history holds. */
export function answerMessage(answer: CachedAnswer): ChatMessage {
  const { content, refusal, tool_calls: toolCalls } = answer.message;
  return { role: 'assistant', content: content ?? null, ...(refusal ? { refusal } : {}), ...(toolCalls?.length ? { tool_calls: toolCalls } : {}) } as ChatMessage;
}

/** Percentile (0..1) of numbers, by nearest rank. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}
