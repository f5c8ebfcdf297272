import 'server-only';
// Builds the routing snapshot from PostgreSQL and keeps it fresh: a NOTIFY on
// channel standby_routing (sent by triggers on every routing table) reloads it
// within milliseconds, and a slow periodic reload covers notifications lost
// while disconnected. If the database is unreachable the last snapshot stays
// in use (static stability) and `status()` says the control plane is degraded.
import { decryptSecret } from '@/lib/server/crypto';
import { endpointPolicyOf, PRIVATE_NETWORKS_SETTING, readPrivateNetworks } from '@/lib/server/endpoint-policy';
import { setEndpointPolicy } from '@/lib/server/guarded-connect';
import { db } from '@/lib/server/db';
import { listen, type Listener } from '@/lib/server/notify';
import { servedShare } from '@/lib/degradation/capacity';
import { DEFAULT_TIER_POLICY } from '@/lib/routing/defaults';
import { TARGET_SELECT, toBreakerMap, toSnapshotChainEntry, toSnapshotFault, toSnapshotOverride, toSnapshotTarget } from '@/lib/routing/rows';
import type { RoutingSnapshot, SnapshotDegradation, SnapshotService, SnapshotTarget, TierRule } from '@/lib/routing/model';
import { faultsByTarget } from './inject-fault';

function readRules(value: unknown): TierRule[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (r): r is TierRule =>
      typeof r === 'object' && r !== null && (r.match === 'contains' || r.match === 'regex') && typeof r.pattern === 'string' && typeof r.answer === 'string',
  );
}

export async function loadSnapshot(now = Date.now()): Promise<RoutingSnapshot> {
  const [targets, services, overrides, breakers, tokens, privateNetworks, faults] = await Promise.all([
    db().target.findMany({ select: { ...TARGET_SELECT, credential: { select: { ciphertext: true } } } }),
    db().service.findMany({
      select: {
        id: true, name: true, enabled: true, routingVersion: true, conversationStore: true, conversationRetentionDays: true, chain: { orderBy: { position: 'asc' } },
        degradationPolicy: {
          select: {
            degradedTargetId: true, degradedMaxTokens: true, cacheTtlSeconds: true, rules: true, retryAfterSeconds: true, maintenanceMessage: true, queueEnabled: true, queueTtlSeconds: true,
          },
        },
        tierState: { select: { automaticTier: true, level: true, overrideTier: true, overrideReason: true, overrideBy: true, overrideAt: true, overrideExpiresAt: true } },
      },
    }),
    db().routingOverride.findMany({ where: { clearedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date(now) } }] } }),
    db().targetBreaker.findMany(),
    db().apiToken.findMany({ where: { revokedAt: null, scopes: { has: 'gateway' } }, select: { id: true, name: true, tokenHash: true, services: true, expiresAt: true } }),
    db().setting.findUnique({ where: { key: PRIVATE_NETWORKS_SETTING }, select: { value: true } }),
    // Leases not ended and not past their deadline; the gateway checks the deadline again at every use.
    db().drillFault.findMany({ where: { endedAt: null, expiresAt: { gt: new Date(now) } }, select: { id: true, runId: true, kind: true, targetIds: true, share: true, drillOnly: true, startsAt: true, expiresAt: true, params: true } }),
  ]);

  const targetMap = new Map<string, SnapshotTarget>();
  for (const t of targets) {
    let apiKey: string | null = null;
    if (t.credential) {
      try {
        apiKey = decryptSecret(t.credential.ciphertext);
      } catch {
        console.error(`[standby] credential of target ${t.name} cannot be decrypted (wrong STANDBY_ENCRYPTION_KEY?)`);
      }
    }
    targetMap.set(t.id, toSnapshotTarget(t, apiKey));
  }

  const serviceMap = new Map<string, SnapshotService>();
  for (const s of services) {
    const policy = s.degradationPolicy;
    const state = s.tierState;
    const degradation: SnapshotDegradation = {
      policy: policy ? { ...policy, rules: readRules(policy.rules) } : DEFAULT_TIER_POLICY,
      automaticTier: state?.automaticTier ?? 'full',
      override:
        state?.overrideTier && state.overrideAt
          ? { tier: state.overrideTier, reason: state.overrideReason ?? '', by: state.overrideBy ?? '', at: state.overrideAt.getTime(), expiresAt: state.overrideExpiresAt?.getTime() ?? null }
          : null,
      servedShare: servedShare(state?.level ?? null),
    };
    serviceMap.set(s.name, {
      id: s.id, name: s.name, enabled: s.enabled, routingVersion: s.routingVersion, degradation,
      chain: s.chain.map(toSnapshotChainEntry),
      conversations: { store: s.conversationStore, retentionDays: s.conversationRetentionDays },
    });
  }

  return {
    loadedAt: now,
    services: serviceMap,
    targets: targetMap,
    overrides: overrides.map(toSnapshotOverride),
    breakers: toBreakerMap(breakers),
    tokens: new Map(tokens.map((t) => [t.tokenHash, { id: t.id, name: t.name, services: t.services, expiresAt: t.expiresAt?.getTime() ?? null }])),
    privateNetworks: readPrivateNetworks(privateNetworks?.value),
    faults: faultsByTarget(faults.map((f) => ({ fault: toSnapshotFault(f), targetIds: f.targetIds }))),
  };
}

export type SnapshotStatus = { fresh: boolean; loadedAt: number | null; listening: boolean; lastError: string | null };

export class SnapshotSource {
  private current: RoutingSnapshot | null = null;
  private listener: Listener | null = null;
  private reloadTimer: NodeJS.Timeout | null = null;
  private periodic: NodeJS.Timeout | null = null;
  private loading: Promise<void> | null = null;
  private again = false;
  private lastError: string | null = null;
  private readonly subscribers = new Set<(snapshot: RoutingSnapshot) => void>();

  constructor(private readonly load: () => Promise<RoutingSnapshot> = loadSnapshot) {}

  async start(): Promise<this> {
    await this.reload();
    this.listener = listen('standby_routing', {
      onNotify: () => this.scheduleReload(),
      onConnected: () => this.scheduleReload(),
      onDisconnected: (error) => {
        this.lastError = error instanceof Error ? error.message : String(error);
      },
    });
    this.periodic = setInterval(() => void this.reload(), 30_000);
    this.periodic.unref();
    return this;
  }

  get(): RoutingSnapshot | null {
    return this.current;
  }

  onChange(subscriber: (snapshot: RoutingSnapshot) => void): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  status(): SnapshotStatus {
    return { fresh: this.lastError === null && (this.listener?.connected() ?? false), loadedAt: this.current?.loadedAt ?? null, listening: this.listener?.connected() ?? false, lastError: this.lastError };
  }

  /** Coalesces a burst of notifications (one transaction touching many tables) into one reload. */
  private scheduleReload(): void {
    if (this.reloadTimer) return;
    this.reloadTimer = setTimeout(() => {
      this.reloadTimer = null;
      void this.reload();
    }, 10);
  }

  async reload(): Promise<void> {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = (async () => {
      do {
        this.again = false;
        try {
          const snapshot = await this.load();
          this.current = snapshot;
          this.lastError = null;
          setEndpointPolicy(endpointPolicyOf(snapshot.privateNetworks ?? []));
          for (const subscriber of this.subscribers) subscriber(snapshot);
        } catch (error) {
          this.lastError = error instanceof Error ? error.message.split('\n').at(-1) ?? 'reload failed' : String(error);
        }
      } while (this.again);
    })().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  async close(): Promise<void> {
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    if (this.periodic) clearInterval(this.periodic);
    await this.listener?.close();
  }
}
