// The simulated upstreams of the demo estate: local fake providers served by
// simulator/server.ts under /simulated/<name>/v1. Pure, shared by the
// server, the seed and the UI.

export type SimulatedProtocol = 'openai_chat' | 'anthropic_messages';

export type SimulatedUpstream = {
  name: string;
  protocol: SimulatedProtocol;
  /** What GET /v1/models lists; any model name is accepted and echoed. */
  models: readonly string[];
};

export const SIMULATED_UPSTREAMS = [
  { name: 'openai-sim-us-east', protocol: 'openai_chat', models: ['gpt-4o', 'gpt-4o-mini'] },
  { name: 'azure-sim-eu-west', protocol: 'openai_chat', models: ['gpt-4o'] },
  { name: 'anthropic-sim-us-west', protocol: 'anthropic_messages', models: ['claude-sonnet-4-5', 'claude-haiku-4-5'] },
  // Gemini's OpenAI-compatible endpoint, which is what the gateway speaks to Google.
  { name: 'gemini-sim-us-east', protocol: 'openai_chat', models: ['gemini-2.5-flash'] },
  { name: 'vllm-sim-on-prem', protocol: 'openai_chat', models: ['meta-llama/Llama-3.3-70B-Instruct', 'meta-llama/Llama-3.1-8B-Instruct'] },
] as const satisfies readonly SimulatedUpstream[];

export type SimulatedUpstreamName = (typeof SIMULATED_UPSTREAMS)[number]['name'];

/** Names are URL path segments: the same rule as other names in Standby. */
export const SIMULATED_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{1,63}$/;

export function findSimulatedUpstream(name: string): SimulatedUpstream | undefined {
  return (SIMULATED_UPSTREAMS as readonly SimulatedUpstream[]).find((upstream) => upstream.name === name);
}

export const PROTOCOL_LABELS: Record<SimulatedProtocol, string> = {
  openai_chat: 'OpenAI Chat Completions',
  anthropic_messages: 'Anthropic Messages',
};

/** The base URL a target uses to reach a simulated upstream served by the Standby at `origin`. */
export function simulatedBaseUrl(origin: string, name: string): string {
  return `${origin.replace(/\/+$/, '')}/simulated/${name}/v1`;
}

/** Where the demo's webhook receiver (simulator/webhook-sink.ts) listens: the demo's notify steps post to it. */
export const DEMO_WEBHOOK_PATH = '/simulated/webhooks/';

export const demoWebhookUrl = (port: number, name = 'incidents') => `http://127.0.0.1:${port}${DEMO_WEBHOOK_PATH}${name}`;
