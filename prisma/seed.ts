import 'server-only';
// Every configuration section known to the version writer before any change is made (lib/config-versions/section.ts).
import '@/lib/config-history/sections';
// The demo estate: what `npm run demo` and `npm run db:seed` load. Idempotent:
// it creates what is missing and leaves anything a user changed alone.
// Demo users exist only here; a production start never creates them.
import { recordAudit } from '@/lib/audit/record';
import { hashPassword } from '@/lib/access/passwords';
import { SYSTEM_ACTOR } from '@/lib/server/auth';
import { encryptSecret, secretHint } from '@/lib/server/crypto';
import { PRIVATE_NETWORKS_SETTING } from '@/lib/server/endpoint-policy';
import { launchEnv } from '@/lib/server/env';
import { readAll, type Tx } from '@/lib/server/db';
import { hashToken, tokenPrefixOf } from '@/lib/access/tokens';
import { inTransaction } from '@/lib/server/mutation';
import { seedBackupsDemo } from './seed-backups';
import { seedDrillsDemo } from './seed-drills';
import { seedIncidentsDemo } from './seed-incidents';
import { seedRecoveryDemo } from './seed-recovery';

export const DEMO_PASSWORD = 'standby-demo';

export const DEMO_USERS = [
  { email: 'admin@standby.demo', name: 'Ada Admin', role: 'admin' },
  { email: 'operator@standby.demo', name: 'Oscar Operator', role: 'operator' },
  { email: 'commander@standby.demo', name: 'Cora Commander', role: 'commander' },
  { email: 'viewer@standby.demo', name: 'Victor Viewer', role: 'viewer' },
] as const;

const PROVIDERS = [
  { name: 'openai', kind: 'openai', apiStyle: 'openai_chat', baseUrl: 'https://api.openai.com/v1', failureDomain: 'openai', notes: 'Primary API provider.' },
  { name: 'azure-openai', kind: 'azure_openai', apiStyle: 'openai_chat', baseUrl: null, failureDomain: 'openai', notes: 'Same models as OpenAI: shares its fate.' },
  { name: 'anthropic', kind: 'anthropic', apiStyle: 'anthropic_messages', baseUrl: 'https://api.anthropic.com', failureDomain: 'anthropic', notes: '' },
  { name: 'google', kind: 'google', apiStyle: 'openai_chat', baseUrl: 'https://generativelanguage.googleapis.com/v1beta/openai', failureDomain: 'google', notes: "Gemini through its OpenAI-compatible endpoint." },
  { name: 'vllm-cluster', kind: 'self_hosted', apiStyle: 'openai_chat', baseUrl: null, failureDomain: 'own-gpu', notes: 'Self-hosted vLLM on our GPU pool.' },
] as const;

const REGIONS = [
  { code: 'us-east', name: 'US East', location: 'Virginia, USA' },
  { code: 'us-west', name: 'US West', location: 'Oregon, USA' },
  { code: 'eu-west', name: 'EU West', location: 'Dublin, Ireland' },
  { code: 'on-prem', name: 'On-premises', location: 'Own data centre' },
] as const;

const CREDENTIALS = [
  { name: 'openai-prod-key', provider: 'openai', secret: 'sk-demo-openai-0000000000000000a1b2' },
  { name: 'azure-eu-key', provider: 'azure-openai', secret: 'az-demo-000000000000000000000c3d4' },
  { name: 'anthropic-prod-key', provider: 'anthropic', secret: 'sk-ant-demo-00000000000000000e5f6' },
  { name: 'google-prod-key', provider: 'google', secret: 'AIza-demo-0000000000000000000g7h8' },
  { name: 'vllm-internal-key', provider: 'vllm-cluster', secret: 'vllm-demo-000000000000000000i9j0' },
] as const;

/**
 * Every demo target talks to a simulated upstream served by Standby itself
 * (simulator/), so the demo shows real failover without API keys.
 */
export const SIMULATED_UPSTREAM_NAMES = ['openai-sim-us-east', 'azure-sim-eu-west', 'anthropic-sim-us-west', 'gemini-sim-us-east', 'vllm-sim-on-prem'] as const;

export const simulatedEndpoint = (upstream: string, port = launchEnv().PORT) => `http://127.0.0.1:${port}/simulated/${upstream}/v1`;

/** What the demo estate allows under Admin → Settings: loopback, where its simulated upstreams answer. */
export const DEMO_PRIVATE_NETWORKS = ['127.0.0.0/8', '::1/128'];

/** The demo estate's well-known gateway token, like its well-known passwords. Never valid outside the demo. */
export const DEMO_API_TOKEN = 'sbk_demo0000_StandbyDemoTokenForLocalUseOnly0';

const TARGETS = [
  { name: 'openai-gpt-4o-us-east', provider: 'openai', region: 'us-east', model: 'gpt-4o', sim: 'openai-sim-us-east', credential: 'openai-prod-key', rpm: 10_000, tpm: 2_000_000, contextWindow: 128_000, priceIn: 2.5, priceOut: 10, quality: 'frontier' },
  { name: 'openai-gpt-4o-mini-us-east', provider: 'openai', region: 'us-east', model: 'gpt-4o-mini', sim: 'openai-sim-us-east', credential: 'openai-prod-key', rpm: 30_000, tpm: 10_000_000, contextWindow: 128_000, priceIn: 0.15, priceOut: 0.6, quality: 'economy' },
  { name: 'azure-gpt-4o-eu-west', provider: 'azure-openai', region: 'eu-west', model: 'gpt-4o', sim: 'azure-sim-eu-west', credential: 'azure-eu-key', rpm: 6_000, tpm: 1_000_000, contextWindow: 128_000, priceIn: 2.5, priceOut: 10, quality: 'frontier' },
  { name: 'anthropic-sonnet-us-west', provider: 'anthropic', region: 'us-west', model: 'claude-sonnet-4-5', sim: 'anthropic-sim-us-west', credential: 'anthropic-prod-key', rpm: 4_000, tpm: 2_000_000, contextWindow: 200_000, priceIn: 3, priceOut: 15, quality: 'frontier' },
  { name: 'anthropic-haiku-us-west', provider: 'anthropic', region: 'us-west', model: 'claude-haiku-4-5', sim: 'anthropic-sim-us-west', credential: 'anthropic-prod-key', rpm: 8_000, tpm: 4_000_000, contextWindow: 200_000, priceIn: 1, priceOut: 5, quality: 'economy' },
  { name: 'gemini-flash-us-east', provider: 'google', region: 'us-east', model: 'gemini-2.5-flash', sim: 'gemini-sim-us-east', credential: 'google-prod-key', rpm: 2_000, tpm: 4_000_000, contextWindow: 1_000_000, priceIn: 0.3, priceOut: 2.5, quality: 'standard' },
  { name: 'vllm-llama-70b-on-prem', provider: 'vllm-cluster', region: 'on-prem', model: 'meta-llama/Llama-3.3-70B-Instruct', sim: 'vllm-sim-on-prem', credential: 'vllm-internal-key', rpm: 600, tpm: 400_000, contextWindow: 131_072, priceIn: 0, priceOut: 0, quality: 'standard' },
  { name: 'vllm-llama-8b-on-prem', provider: 'vllm-cluster', region: 'on-prem', model: 'meta-llama/Llama-3.1-8B-Instruct', sim: 'vllm-sim-on-prem', credential: 'vllm-internal-key', rpm: 2_400, tpm: 1_200_000, contextWindow: 131_072, priceIn: 0, priceOut: 0, quality: 'economy' },
] as const;

/** Published availability of each demo provider (illustrative), used by the availability maths until targets have history. */
const DECLARED_AVAILABILITY: Record<string, number> = { openai: 0.999, 'azure-openai': 0.999, anthropic: 0.999, google: 0.999, 'vllm-cluster': 0.995 };

const SERVICES = [
  { name: 'support-bot', description: 'Customer support assistant on the help centre.', owner: 'Support Engineering', conversationStore: true, chain: ['openai-gpt-4o-us-east', 'azure-gpt-4o-eu-west', 'anthropic-sonnet-us-west', 'vllm-llama-70b-on-prem'], adaptiveLimitMultiplier: 4 },
  { name: 'code-assistant', description: 'IDE completions and chat for engineers.', owner: 'Developer Productivity', chain: ['anthropic-sonnet-us-west', 'openai-gpt-4o-us-east', 'vllm-llama-70b-on-prem'], adaptiveLimitMultiplier: 4 },
  { name: 'doc-summarizer', description: 'Batch summaries of uploaded documents.', owner: 'Knowledge Platform', chain: ['gemini-flash-us-east', 'openai-gpt-4o-mini-us-east', 'anthropic-haiku-us-west', 'vllm-llama-8b-on-prem'], adaptiveLimitMultiplier: null },
] as const;

/**
 * Demo degradation policies. The planned capacity is a risk on the page, never
 * a limit: tiers follow the demand really arriving (a few dozen requests per
 * minute from the demo traffic), so the demo steps down only when an operator
 * takes away nearly everything that can serve. The plans are set so the risk
 * line has something to say: support-bot plans 9,000 RPM (20,600 in its chain;
 * without gpt-4o us-east 10,600 are left, 118%), code-assistant 12,000 (14,600;
 * without gpt-4o 4,600, 38%), doc-summarizer 36,000 (42,400; without
 * gpt-4o-mini 12,400, 34%).
 */
const DEMO_DEGRADATION = [
  {
    service: 'support-bot', plannedRpm: 9_000, holdSeconds: 30, degradedTarget: 'openai-gpt-4o-mini-us-east', degradedMaxTokens: 256,
    rules: [
      { match: 'contains', pattern: 'reset password', answer: 'To reset your password, open https://help.example.com/reset and follow the link we email you. It is valid for 24 hours.' },
      { match: 'regex', pattern: '\\b(opening|office|support) hours\\b', answer: 'Our support team answers Monday to Friday, 08:00-18:00 UTC. Urgent issues: https://status.example.com.' },
    ],
  },
  { service: 'code-assistant', plannedRpm: 12_000, holdSeconds: 30, degradedTarget: 'anthropic-haiku-us-west', degradedMaxTokens: 1_024, rules: [] },
  { service: 'doc-summarizer', plannedRpm: 36_000, holdSeconds: 30, degradedTarget: 'vllm-llama-8b-on-prem', degradedMaxTokens: 512, rules: [] },
] as const;

/** What a demo chain step moves on for: every provider-side failure (lib/routing/error-classes.ts). */
const DEMO_FAILOVER_ON = ['rate_limited', 'server_error', 'overloaded', 'connect_failed', 'connection_reset', 'header_timeout', 'first_token_timeout', 'stream_stall', 'stream_cut', 'malformed_response', 'auth_failed', 'not_found', 'context_length'];

function generateDemoToken() {
  return { tokenHash: hashToken(DEMO_API_TOKEN), prefix: tokenPrefixOf(DEMO_API_TOKEN)! };
}

async function countEstate(tx: Tx): Promise<number> {
  const counts = await readAll(tx, [() => tx.user.count(), () => tx.provider.count(), () => tx.region.count(), () => tx.credential.count(), () => tx.target.count(), () => tx.service.count()]);
  return counts.reduce((sum, n) => sum + n, 0);
}

export async function seedDemoEstate(): Promise<{ users: { email: string; role: string; password: string }[]; apiToken: string; created: number }> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const seeded = await inTransaction(async (tx) => {
    const rowsBefore = await countEstate(tx);
    for (const user of DEMO_USERS) {
      await tx.user.upsert({ where: { email: user.email }, create: { ...user, passwordHash }, update: {}, select: { id: true } });
    }
    const providerIds = new Map<string, string>();
    for (const provider of PROVIDERS) {
      const row = await tx.provider.upsert({ where: { name: provider.name }, create: provider, update: {}, select: { id: true } });
      providerIds.set(provider.name, row.id);
    }
    const regionIds = new Map<string, string>();
    for (const region of REGIONS) {
      const row = await tx.region.upsert({ where: { code: region.code }, create: region, update: {}, select: { id: true } });
      regionIds.set(region.code, row.id);
    }
    const credentialIds = new Map<string, string>();
    for (const credential of CREDENTIALS) {
      const row = await tx.credential.upsert({
        where: { name: credential.name },
        create: { name: credential.name, providerId: providerIds.get(credential.provider)!, ciphertext: encryptSecret(credential.secret), hint: secretHint(credential.secret) },
        update: {},
        select: { id: true },
      });
      credentialIds.set(credential.name, row.id);
    }
    const targetIds = new Map<string, string>();
    for (const target of TARGETS) {
      const data = {
        name: target.name, providerId: providerIds.get(target.provider)!, regionId: regionIds.get(target.region)!, model: target.model, endpointUrl: simulatedEndpoint(target.sim),
        credentialId: target.credential ? credentialIds.get(target.credential)! : null, rpm: target.rpm, tpm: target.tpm, contextWindow: target.contextWindow,
        priceInPerMTok: target.priceIn, priceOutPerMTok: target.priceOut, qualityClass: target.quality, declaredAvailability: DECLARED_AVAILABILITY[target.provider] ?? null,
      };
      // A simulated endpoint follows the port Standby runs on now; anything else a user changed stays.
      const existing = await tx.target.findUnique({ where: { name: target.name }, select: { endpointUrl: true } });
      const row = existing?.endpointUrl.includes('/simulated/')
        ? await tx.target.update({ where: { name: target.name }, data: { endpointUrl: data.endpointUrl }, select: { id: true } })
        : await tx.target.upsert({ where: { name: target.name }, create: data, update: {}, select: { id: true } });
      targetIds.set(target.name, row.id);
    }
    // The interactive services' first-token and header limits follow each target's measured latency; the batch one keeps fixed limits.
    for (const { chain, adaptiveLimitMultiplier, ...service } of SERVICES) {
      const row = await tx.service.upsert({ where: { name: service.name }, create: service, update: {}, select: { id: true, _count: { select: { chain: true } } } });
      if (row._count.chain === 0) {
        await tx.chainEntry.createMany({
          data: chain.map((name, index) => ({ serviceId: row.id, targetId: targetIds.get(name)!, position: index + 1, failoverOn: DEMO_FAILOVER_ON, adaptiveLimitMultiplier })),
        });
      }
    }
    for (const { service: name, degradedTarget, rules, ...policy } of DEMO_DEGRADATION) {
      const service = await tx.service.findUniqueOrThrow({ where: { name }, select: { id: true } });
      await tx.degradationPolicy.upsert({
        where: { serviceId: service.id },
        create: { serviceId: service.id, ...policy, degradedTargetId: targetIds.get(degradedTarget)!, rules: rules.map((rule) => ({ ...rule })) },
        update: {},
      });
    }
    for (const name of SIMULATED_UPSTREAM_NAMES) {
      await tx.simulatedUpstream.upsert({ where: { name }, create: { name }, update: {} });
    }
    const demoToken = generateDemoToken();
    await tx.apiToken.upsert({
      where: { tokenHash: demoToken.tokenHash },
      create: { name: 'demo-traffic', prefix: demoToken.prefix, tokenHash: demoToken.tokenHash, services: [], createdBy: 'system' },
      update: {},
    });
    // The simulated upstreams are served by Standby itself, on this machine's loopback address.
    await tx.setting.upsert({ where: { key: PRIVATE_NETWORKS_SETTING }, create: { key: PRIVATE_NETWORKS_SETTING, value: { networks: DEMO_PRIVATE_NETWORKS } }, update: {} });
    const trafficDefault = launchEnv().STANDBY_DEMO_TRAFFIC_RPS;
    await tx.setting.upsert({
      where: { key: 'demo.traffic' },
      create: { key: 'demo.traffic', value: { requestsPerSecond: trafficDefault, services: SERVICES.map((x) => x.name), stream: true } },
      update: {},
    });
    const created = (await countEstate(tx)) - rowsBefore;
    if (created > 0) {
      await recordAudit(tx, SYSTEM_ACTOR, { action: 'demo.seed', entityType: 'estate', entityName: 'demo estate', after: { created }, reason: 'demo estate loaded' });
    }
    return { users: DEMO_USERS.map((user) => ({ email: user.email, role: user.role, password: DEMO_PASSWORD })), apiToken: DEMO_API_TOKEN, created };
  });
  await seedRecoveryDemo();
  await seedBackupsDemo();
  await seedIncidentsDemo();
  // After the runbooks: the drills follow them.
  await seedDrillsDemo();
  return seeded;
}
