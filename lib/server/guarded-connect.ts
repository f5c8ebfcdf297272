// The connector behind every connection the gateway and the health probes open
// to a target: it refuses addresses the endpoint policy does not allow
// (endpoint-policy.ts) before a byte, and so before any credential, is sent.
// Names are resolved here, once, and the connection goes to the address that
// was checked: a name that resolves to a public address when the target is
// saved and to 169.254.169.254 later is refused then.
import { lookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { buildConnector, type Agent } from 'undici';
import { addressProblem, NO_PRIVATE_NETWORKS, type EndpointPolicy } from './endpoint-policy';
import { bareAddress } from './networks';

/** The policy in force in this process: one replica, one Admin → Settings. The routing snapshot sets it on every load. */
let policy: EndpointPolicy = NO_PRIVATE_NETWORKS;
/** Moves on whenever the allowed networks change, so pools know their connections were checked under an older policy. */
let generation = 0;

export function setEndpointPolicy(next: EndpointPolicy): void {
  const key = (p: EndpointPolicy) => p.privateNetworks.networks.map((n) => n.text).join(',');
  if (key(next) !== key(policy)) generation += 1;
  policy = next;
}

/**
 * Connection pools (undici Agents) by key, all dropped when the policy changes: a
 * kept-alive connection was checked when it was opened, and must not outlive a
 * narrower policy.
 */
export function policyBoundAgents<K>(create: (key: K) => Agent) {
  const agents = new Map<K, Agent>();
  let builtUnder = generation;
  const close = () => {
    const closing = [...agents.values()].map((agent) => agent.close().catch(() => {}));
    agents.clear();
    return Promise.all(closing).then(() => {});
  };
  return {
    get(key: K): Agent {
      if (builtUnder !== generation) {
        builtUnder = generation;
        void close();
      }
      let agent = agents.get(key);
      if (!agent) agents.set(key, (agent = create(key)));
      return agent;
    },
    close,
  };
}

export class EndpointRefused extends Error {
  readonly code = 'ESTANDBY_ENDPOINT_REFUSED';
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

function checkedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    for (const { address } of addresses) {
      const problem = addressProblem(address, policy);
      if (problem) return callback(new EndpointRefused(`${hostname} resolves to ${problem}`), []);
    }
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
}

/** An undici connector (Agent's `connect` option) with `timeoutMs` to connect, that checks every address first. */
export function guardedConnector(timeoutMs: number): buildConnector.connector {
  const connect = buildConnector({ timeout: timeoutMs, lookup: checkedLookup });
  return (options, callback) => {
    const host = bareAddress(options.hostname);
    const problem = isIP(host) ? addressProblem(host, policy) : null;
    if (problem) return callback(new EndpointRefused(problem), null);
    return connect(options, callback);
  };
}
