// What went wrong with an upstream attempt, as one closed vocabulary shared by
// the gateway's retry policy, the breakers, health samples, chain settings and
// the dashboard. How an upstream's answer is read into one of these is the
// gateway's business (lib/gateway/classify-error.ts).

export const ERROR_CLASSES = [
  'rate_limited',
  'server_error',
  'overloaded',
  'connect_failed',
  'connection_reset',
  'header_timeout',
  'first_token_timeout',
  'stream_stall',
  'stream_cut',
  'malformed_response',
  'context_length',
  'content_policy',
  'auth_failed',
  'bad_request',
  'not_found',
  'total_timeout',
] as const;

export type ErrorClass = (typeof ERROR_CLASSES)[number];

export function isErrorClass(value: unknown): value is ErrorClass {
  return typeof value === 'string' && (ERROR_CLASSES as readonly string[]).includes(value);
}

const DESCRIPTIONS: Record<ErrorClass, string> = {
  rate_limited: 'Rate limited by the provider',
  server_error: 'Provider server error',
  overloaded: 'Provider overloaded',
  connect_failed: 'Could not connect to the endpoint',
  connection_reset: 'Connection reset before a response',
  header_timeout: 'No response within the header timeout',
  first_token_timeout: 'No first token within the time-to-first-token limit',
  stream_stall: 'Stream stalled mid-answer',
  stream_cut: 'Stream ended before the answer was complete',
  malformed_response: 'Malformed response from the provider',
  context_length: "Prompt exceeds the model's context window",
  content_policy: "Refused under the provider's content policy",
  auth_failed: 'Credential rejected or account out of quota',
  bad_request: 'Request rejected as invalid',
  not_found: 'Model or endpoint not found',
  total_timeout: 'Request ran out of its total time budget',
};

export function describeErrorClass(errorClass: ErrorClass): string {
  return DESCRIPTIONS[errorClass];
}
