import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatMessage } from '@/lib/gateway/openai-schema';
import { answerMessage, endUserHash, expandMessages, parseConversationKey, percentile } from './history';

const sys = (content: string): ChatMessage => ({ role: 'system', content });
const user = (content: string): ChatMessage => ({ role: 'user', content });
const bot = (content: string): ChatMessage => ({ role: 'assistant', content });

test('a client that sends only its new message gets the whole history upstream', () => {
  const history = [sys('You are support.'), user('My order is late'), bot('Which order?')];
  const expanded = expandMessages(history, [user('Order 42')]);
  assert.deepEqual(expanded.messages, [sys('You are support.'), user('My order is late'), bot('Which order?'), user('Order 42')]);
  assert.deepEqual(expanded.added, [user('Order 42')]);
  assert.equal(expanded.whole, false);
});

test('a client that sends the whole history itself is taken as it is', () => {
  const history = [user('Hi'), bot('Hello')];
  const expanded = expandMessages(history, [user('Hi'), bot('Hello'), user('Bye')]);
  assert.deepEqual(expanded.messages, [user('Hi'), bot('Hello'), user('Bye')]);
  assert.deepEqual(expanded.added, [user('Bye')]);
  assert.equal(expanded.whole, true);
});

test('system messages sent each turn lead once, the request\'s own replacing the stored ones', () => {
  const history = [sys('v1 prompt'), user('a'), bot('b'), sys('v1 prompt'), user('c'), bot('d')];
  assert.deepEqual(expandMessages(history, [sys('v2 prompt'), user('e')]).messages, [sys('v2 prompt'), user('a'), bot('b'), user('c'), bot('d'), user('e')]);
  assert.deepEqual(expandMessages(history, [user('e')]).messages, [sys('v1 prompt'), user('a'), bot('b'), user('c'), bot('d'), user('e')]);
});

test('an empty history sends the request as it is', () => {
  assert.deepEqual(expandMessages([], [sys('s'), user('u')]).messages, [sys('s'), user('u')]);
});

test('conversation names are short and plain; end users are kept as hashes', () => {
  assert.deepEqual(parseConversationKey('session-42:user@example'), { ok: true, key: 'session-42:user@example' });
  assert.equal(parseConversationKey(undefined), null);
  assert.equal(parseConversationKey('has space')?.ok, false);
  assert.equal(parseConversationKey('x'.repeat(129))?.ok, false);
  assert.equal(endUserHash('alice')?.length, 64);
  assert.notEqual(endUserHash('alice'), endUserHash('bob'));
  assert.equal(endUserHash(undefined), null);
});

test('an answer becomes the assistant turn of the history, tool calls included', () => {
  assert.deepEqual(answerMessage({ model: 'm', message: { role: 'assistant', content: 'Done.' }, finish_reason: 'stop' }), bot('Done.'));
  const call = { id: 'c1', type: 'function' as const, function: { name: 'lookup', arguments: '{}' } };
  assert.deepEqual(answerMessage({ model: 'm', message: { role: 'assistant', content: null, tool_calls: [call] }, finish_reason: 'tool_calls' }), { role: 'assistant', content: null, tool_calls: [call] });
});

test('percentiles by nearest rank', () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(values, 0.99), 99);
  assert.equal(percentile(values, 0.5), 50);
  assert.equal(percentile([], 0.99), null);
});
