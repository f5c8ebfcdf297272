import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ERROR_CLASSES, describeErrorClass, isErrorClass } from '@/lib/routing/error-classes';
import { MAX_RETRY_AFTER_MS, classifyHttpError, parseRetryAfter } from './classify-error';

const openai = (error: Record<string, unknown>) => ({ error: { type: null, param: null, code: null, ...error } });
const anthropic = (type: string, message: string) => ({ type: 'error', error: { type, message } });

// --- context length ---------------------------------------------------------

test('OpenAI context_length_exceeded is a context-length error', () => {
  const body = openai({
    message: "This model's maximum context length is 8192 tokens. However, your messages resulted in 9012 tokens.",
    type: 'invalid_request_error',
    param: 'messages',
    code: 'context_length_exceeded',
  });
  assert.equal(classifyHttpError(400, body, 'openai_chat'), 'context_length');
});

test('the code alone, or the message alone, is enough to recognise a context-length error', () => {
  assert.equal(classifyHttpError(400, openai({ message: 'Please reduce the length of the messages.', code: 'context_length_exceeded' }), 'openai_chat'), 'context_length');
  assert.equal(classifyHttpError(400, openai({ message: "This model's maximum context length is 4096 tokens." }), 'openai_chat'), 'context_length');
});

test('vLLM reports context overflow at the top level of the body', () => {
  const body = { object: 'error', message: "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens.", type: 'BadRequestError', param: null, code: 400 };
  assert.equal(classifyHttpError(400, body, 'openai_chat'), 'context_length');
});

test('Anthropic "prompt is too long" and "exceed context limit" are context-length errors', () => {
  assert.equal(classifyHttpError(400, anthropic('invalid_request_error', 'prompt is too long: 208310 tokens > 200000 maximum'), 'anthropic_messages'), 'context_length');
  assert.equal(
    classifyHttpError(400, anthropic('invalid_request_error', 'input length and `max_tokens` exceed context limit: 197626 + 8192 > 200000, decrease input length or `max_tokens` and try again'), 'anthropic_messages'),
    'context_length',
  );
});

test('Gemini (array-wrapped body) and TGI (string error) context overflows are recognised', () => {
  const gemini = [{ error: { code: 400, message: 'The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).', status: 'INVALID_ARGUMENT' } }];
  assert.equal(classifyHttpError(400, gemini, 'openai_chat'), 'context_length');
  const tgi = { error: 'Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096. Given: 4000 `inputs` tokens and 200 `max_new_tokens`', error_type: 'validation' };
  assert.equal(classifyHttpError(422, tgi, 'openai_chat'), 'context_length');
});

test('an output limit above what the model supports is a context-length error', () => {
  const body = openai({ message: 'max_tokens is too large: 10000. This model supports at most 4096 completion tokens, whereas you provided 10000.', type: 'invalid_request_error', param: 'max_tokens' });
  assert.equal(classifyHttpError(400, body, 'openai_chat'), 'context_length');
});

test('a body given as raw text, JSON or not, is read too', () => {
  assert.equal(classifyHttpError(400, "This model's maximum context length is 2048 tokens", 'openai_chat'), 'context_length');
  assert.equal(classifyHttpError(400, JSON.stringify(anthropic('invalid_request_error', 'prompt is too long: 5 tokens > 4 maximum')), 'anthropic_messages'), 'context_length');
  assert.equal(classifyHttpError(400, '{not json', 'openai_chat'), 'bad_request');
});

// --- content policy ---------------------------------------------------------

test('OpenAI content policy rejections are recognised by code or message', () => {
  assert.equal(classifyHttpError(400, openai({ message: 'Your request was rejected as a result of our safety system.', code: 'content_policy_violation' }), 'openai_chat'), 'content_policy');
  assert.equal(
    classifyHttpError(400, openai({ message: 'Invalid prompt: your prompt was flagged as potentially violating our usage policy.', type: 'invalid_request_error', code: 'invalid_prompt' }), 'openai_chat'),
    'content_policy',
  );
  assert.equal(classifyHttpError(400, openai({ message: 'Blocked.', code: 'content_filter' }), 'openai_chat'), 'content_policy');
});

test("Azure's content filter is recognised by its code or its inner error", () => {
  const azure = {
    error: {
      message: "The response was filtered due to the prompt triggering Azure OpenAI's content management policy.",
      type: null,
      param: 'prompt',
      code: 'content_filter',
      status: 400,
      innererror: { code: 'ResponsibleAIPolicyViolation', content_filter_result: { hate: { filtered: true, severity: 'high' } } },
    },
  };
  assert.equal(classifyHttpError(400, azure, 'openai_chat'), 'content_policy');
  const innerOnly = { error: { message: 'Request blocked.', code: 'BadRequest', innererror: { code: 'ResponsibleAIPolicyViolation' } } };
  assert.equal(classifyHttpError(400, innerOnly, 'openai_chat'), 'content_policy');
});

test('Anthropic refusals reported as errors are content-policy errors', () => {
  assert.equal(classifyHttpError(400, anthropic('invalid_request_error', 'Output blocked by content filtering policy'), 'anthropic_messages'), 'content_policy');
});

test('a 403 that reports flagged input is a content-policy error, not an auth failure', () => {
  const openrouter = { error: { code: 403, message: 'Your chosen model requires moderation and your input was flagged for "violence".' } };
  assert.equal(classifyHttpError(403, openrouter, 'openai_chat'), 'content_policy');
});

// --- status codes ---------------------------------------------------------------

test('429 is rate limiting, in both API styles', () => {
  assert.equal(classifyHttpError(429, openai({ message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' }), 'openai_chat'), 'rate_limited');
  assert.equal(classifyHttpError(429, anthropic('rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit'), 'anthropic_messages'), 'rate_limited');
  assert.equal(classifyHttpError(429, undefined, 'openai_chat'), 'rate_limited');
});

test('a 429 for an exhausted balance is an account problem, since waiting will not help', () => {
  const body = openai({ message: 'You exceeded your current quota, please check your plan and billing details.', type: 'insufficient_quota', code: 'insufficient_quota' });
  assert.equal(classifyHttpError(429, body, 'openai_chat'), 'auth_failed');
});

test("Anthropic's 529 is overload, even without a body", () => {
  assert.equal(classifyHttpError(529, anthropic('overloaded_error', 'Overloaded'), 'anthropic_messages'), 'overloaded');
  assert.equal(classifyHttpError(529, '', 'anthropic_messages'), 'overloaded');
});

test('for an OpenAI-style target, overload needs the body to say so', () => {
  assert.equal(classifyHttpError(529, '', 'openai_chat'), 'server_error');
  assert.equal(classifyHttpError(529, anthropic('overloaded_error', 'Overloaded'), 'openai_chat'), 'overloaded');
  assert.equal(classifyHttpError(503, openai({ message: 'That model is currently overloaded with other requests.', type: 'server_error' }), 'openai_chat'), 'overloaded');
});

test('other 5xx are server errors, whatever the body says', () => {
  assert.equal(classifyHttpError(500, anthropic('api_error', 'Internal server error'), 'anthropic_messages'), 'server_error');
  assert.equal(classifyHttpError(502, '<html><body>Bad Gateway</body></html>', 'openai_chat'), 'server_error');
  assert.equal(classifyHttpError(503, null, 'openai_chat'), 'server_error');
  // A 5xx says the server failed; a context message in it does not make the request the problem.
  assert.equal(classifyHttpError(500, openai({ message: 'maximum context length handling crashed' }), 'openai_chat'), 'server_error');
});

test('401, 402 and 403 are auth failures; 404 is not found', () => {
  assert.equal(classifyHttpError(401, openai({ message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' }), 'openai_chat'), 'auth_failed');
  assert.equal(classifyHttpError(401, anthropic('authentication_error', 'invalid x-api-key'), 'anthropic_messages'), 'auth_failed');
  assert.equal(classifyHttpError(402, {}, 'openai_chat'), 'auth_failed');
  assert.equal(classifyHttpError(403, anthropic('permission_error', 'Your API key does not have permission to use the specified resource.'), 'anthropic_messages'), 'auth_failed');
  assert.equal(classifyHttpError(404, openai({ message: 'The model `gpt-9` does not exist', code: 'model_not_found' }), 'openai_chat'), 'not_found');
  assert.equal(classifyHttpError(404, anthropic('not_found_error', 'model: claude-0'), 'anthropic_messages'), 'not_found');
});

test('408 is treated as a transient server failure', () => {
  assert.equal(classifyHttpError(408, '', 'openai_chat'), 'server_error');
});

test('other 4xx are the client request at fault', () => {
  assert.equal(classifyHttpError(400, anthropic('invalid_request_error', 'messages: roles must alternate'), 'anthropic_messages'), 'bad_request');
  assert.equal(classifyHttpError(400, openai({ message: "Invalid value for 'temperature'", type: 'invalid_request_error', param: 'temperature' }), 'openai_chat'), 'bad_request');
  assert.equal(classifyHttpError(413, anthropic('request_too_large', 'Request exceeds the maximum allowed number of bytes.'), 'anthropic_messages'), 'bad_request');
  assert.equal(classifyHttpError(422, { detail: 'unprocessable' }, 'openai_chat'), 'bad_request');
  assert.equal(classifyHttpError(400, undefined, 'openai_chat'), 'bad_request');
  assert.equal(classifyHttpError(409, 42, 'openai_chat'), 'bad_request');
});

// --- errors inside a successful response ----------------------------------------

test('an error event inside a 200 stream is classified from its body', () => {
  assert.equal(classifyHttpError(200, anthropic('overloaded_error', 'Overloaded'), 'anthropic_messages'), 'overloaded');
  assert.equal(classifyHttpError(200, anthropic('api_error', 'Internal server error'), 'anthropic_messages'), 'server_error');
  assert.equal(classifyHttpError(200, anthropic('rate_limit_error', 'slow down'), 'anthropic_messages'), 'rate_limited');
  assert.equal(classifyHttpError(200, anthropic('invalid_request_error', 'prompt is too long: 9 tokens > 8 maximum'), 'anthropic_messages'), 'context_length');
  assert.equal(classifyHttpError(200, anthropic('authentication_error', 'invalid x-api-key'), 'anthropic_messages'), 'auth_failed');
  assert.equal(classifyHttpError(200, anthropic('not_found_error', 'no such model'), 'anthropic_messages'), 'not_found');
  assert.equal(classifyHttpError(200, anthropic('invalid_request_error', 'bad field'), 'anthropic_messages'), 'bad_request');
  assert.equal(classifyHttpError(200, openai({ message: 'The server had an error while processing your request.', type: 'server_error' }), 'openai_chat'), 'server_error');
  assert.equal(classifyHttpError(200, openai({ message: 'Something odd', type: 'mystery' }), 'openai_chat'), 'server_error');
});

test('a 200 whose body is not an error object is a malformed response', () => {
  assert.equal(classifyHttpError(200, { id: 'chatcmpl-1', object: 'chat.completion', choices: [] }, 'openai_chat'), 'malformed_response');
  assert.equal(classifyHttpError(200, 'data: {"choices": [', 'openai_chat'), 'malformed_response');
  assert.equal(classifyHttpError(200, null, 'anthropic_messages'), 'malformed_response');
});

// --- vocabulary -------------------------------------------------------------------

test('every error class has its own short description', () => {
  const texts = ERROR_CLASSES.map(describeErrorClass);
  assert.equal(ERROR_CLASSES.length, 16);
  assert.equal(new Set(texts).size, 16);
  for (const text of texts) assert.ok(text.length > 0 && text.length <= 60, text);
  assert.equal(describeErrorClass('context_length'), "Prompt exceeds the model's context window");
});

test('isErrorClass accepts the vocabulary only', () => {
  assert.equal(isErrorClass('stream_cut'), true);
  assert.equal(isErrorClass('timeout'), false);
  assert.equal(isErrorClass(undefined), false);
});

// --- Retry-After ------------------------------------------------------------------

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0); // Thursday 1 January 2026, 12:00:00 UTC

test('Retry-After in seconds, whole or decimal', () => {
  assert.equal(parseRetryAfter({ 'retry-after': '30' }, NOW), 30_000);
  assert.equal(parseRetryAfter({ 'retry-after': '1.5' }, NOW), 1_500);
  assert.equal(parseRetryAfter({ 'retry-after': '0' }, NOW), 0);
  assert.equal(parseRetryAfter({ 'retry-after': ' 7 ' }, NOW), 7_000);
});

test('Retry-After as an HTTP date, relative to now', () => {
  assert.equal(parseRetryAfter({ 'retry-after': 'Thu, 01 Jan 2026 12:00:45 GMT' }, NOW), 45_000);
  assert.equal(parseRetryAfter({ 'retry-after': 'Thu, 01 Jan 2026 12:00:45 GMT' }, NOW + 44_999), 1);
});

test('a date in the past means no wait, never a negative one', () => {
  assert.equal(parseRetryAfter({ 'retry-after': 'Thu, 01 Jan 2026 11:59:00 GMT' }, NOW), 0);
});

test('long waits are capped, by default and on request', () => {
  assert.equal(MAX_RETRY_AFTER_MS, 600_000);
  assert.equal(parseRetryAfter({ 'retry-after': '86400' }, NOW), 600_000);
  assert.equal(parseRetryAfter({ 'retry-after': 'Fri, 01 Jan 2027 12:00:00 GMT' }, NOW), 600_000);
  assert.equal(parseRetryAfter({ 'retry-after': '120' }, NOW, 60_000), 60_000);
});

test('retry-after-ms wins over retry-after and is rounded up', () => {
  assert.equal(parseRetryAfter({ 'retry-after-ms': '1234.5', 'retry-after': '2' }, NOW), 1_235);
  assert.equal(parseRetryAfter({ 'retry-after-ms': 'soon', 'retry-after': '2' }, NOW), 2_000);
});

test('header names are matched in any case, and the first of repeated values is used', () => {
  assert.equal(parseRetryAfter({ 'Retry-After': '3' }, NOW), 3_000);
  assert.equal(parseRetryAfter({ 'retry-after': ['7', '9'] }, NOW), 7_000);
});

test('absent or unreadable values give null', () => {
  assert.equal(parseRetryAfter({}, NOW), null);
  assert.equal(parseRetryAfter({ 'retry-after': undefined }, NOW), null);
  assert.equal(parseRetryAfter({ 'retry-after': '' }, NOW), null);
  assert.equal(parseRetryAfter({ 'retry-after': '-5' }, NOW), null);
  assert.equal(parseRetryAfter({ 'retry-after': 'later' }, NOW), null);
  assert.equal(parseRetryAfter({ 'x-ratelimit-reset-requests': '1m30' }, NOW), null);
});

test("OpenAI's reset durations are read when Retry-After is absent", () => {
  assert.equal(parseRetryAfter({ 'x-ratelimit-reset-requests': '20ms' }, NOW), 20);
  assert.equal(parseRetryAfter({ 'x-ratelimit-reset-requests': '6m0s' }, NOW), 360_000);
  assert.equal(parseRetryAfter({ 'x-ratelimit-reset-tokens': '1h2m3.5s' }, NOW, Infinity), 3_723_500);
});

test('the exhausted limit decides which reset to wait for', () => {
  const headers = {
    'x-ratelimit-remaining-requests': '0',
    'x-ratelimit-reset-requests': '6m0s',
    'x-ratelimit-remaining-tokens': '5000',
    'x-ratelimit-reset-tokens': '20ms',
  };
  assert.equal(parseRetryAfter(headers, NOW), 360_000);
});

test('without remaining counts the soonest reset is used', () => {
  assert.equal(parseRetryAfter({ 'x-ratelimit-reset-requests': '1s', 'x-ratelimit-reset-tokens': '6m0s' }, NOW), 1_000);
});

test("Anthropic's RFC 3339 reset times are read, the exhausted one first", () => {
  const headers = {
    'anthropic-ratelimit-requests-remaining': '10',
    'anthropic-ratelimit-requests-reset': '2026-01-01T12:00:05Z',
    'anthropic-ratelimit-tokens-remaining': '0',
    'anthropic-ratelimit-tokens-reset': '2026-01-01T12:00:20Z',
  };
  assert.equal(parseRetryAfter(headers, NOW), 20_000);
});

test('Retry-After wins over the reset headers', () => {
  assert.equal(parseRetryAfter({ 'retry-after': '2', 'x-ratelimit-reset-requests': '6m0s', 'x-ratelimit-remaining-requests': '0' }, NOW), 2_000);
});
