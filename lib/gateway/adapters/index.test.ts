import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChatRequest } from '../openai-schema';
import {
  UnsupportedByTargetError,
  adapterFor,
  buildUpstreamRequest,
  createStreamTranslator,
  parseUpstreamResponse,
  readUpstreamError,
  supportsAssistantPrefill,
  type UpstreamTarget,
} from './index';
import { anthropicAdapter } from './anthropic';
import { openAiCompatibleAdapter } from './openai-compatible';

const target = (apiStyle: UpstreamTarget['apiStyle'], providerKind: UpstreamTarget['providerKind']): UpstreamTarget => ({
  apiStyle,
  providerKind,
  endpointUrl: 'https://upstream.example.com/v1',
  model: 'm',
  apiKey: 'k',
});

const parsed = parseChatRequest({ model: 'support-bot', messages: [{ role: 'user', content: 'Hi' }] });
if (!parsed.ok) throw new Error(parsed.message);
const request = parsed.request;

test('the adapter follows the API the target speaks, not who runs it', () => {
  assert.equal(adapterFor(target('anthropic_messages', 'anthropic')), anthropicAdapter);
  assert.equal(adapterFor(target('openai_chat', 'anthropic')), openAiCompatibleAdapter);
  assert.equal(adapterFor(target('openai_chat', 'google')), openAiCompatibleAdapter);
  assert.equal(buildUpstreamRequest(target('anthropic_messages', 'anthropic'), request, { stream: false }).url, 'https://upstream.example.com/v1/messages');
  assert.equal(buildUpstreamRequest(target('openai_chat', 'openai'), request, { stream: false }).url, 'https://upstream.example.com/v1/chat/completions');
});

test('which targets can continue a partial answer', () => {
  assert.equal(supportsAssistantPrefill(target('anthropic_messages', 'anthropic')), true);
  assert.equal(supportsAssistantPrefill(target('openai_chat', 'self_hosted')), true);
  for (const kind of ['openai', 'azure_openai', 'google', 'anthropic'] as const) {
    assert.equal(supportsAssistantPrefill(target('openai_chat', kind)), false, kind);
    assert.throws(() => buildUpstreamRequest(target('openai_chat', kind), request, { stream: true, assistantPrefill: 'x' }), UnsupportedByTargetError);
  }
});

test('responses and streams are read by the matching adapter', () => {
  const anthropic = target('anthropic_messages', 'anthropic');
  const completion = parseUpstreamResponse(anthropic, 200, { id: 'msg_1', model: 'claude', content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn' });
  assert.equal(completion.choices[0].message.content, 'ok');
  const translator = createStreamTranslator(anthropic, { id: 'c', created: 1 });
  assert.equal(translator.push({ event: 'message_stop', data: '{"type":"message_stop"}' }).done, true);
});

test('readUpstreamError reads both OpenAI and Anthropic error bodies', () => {
  assert.deepEqual(readUpstreamError({ error: { message: 'Bad key', type: 'invalid_request_error', code: 'invalid_api_key', param: null } }), {
    message: 'Bad key',
    type: 'invalid_request_error',
    code: 'invalid_api_key',
  });
  assert.deepEqual(readUpstreamError({ type: 'error', error: { type: 'rate_limit_error', message: 'Slow down' } }), {
    message: 'Slow down',
    type: 'rate_limit_error',
    code: null,
  });
  assert.equal(readUpstreamError('<html>502</html>'), null);
  assert.equal(readUpstreamError(null), null);
});
