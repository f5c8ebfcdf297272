// Which addresses a target's endpoint may point at. Pure (endpoint-policy.test.ts).
// Public addresses always; loopback, private, link-local (cloud metadata), and
// other non-public ranges only inside the networks an admin allowed under
// Admin → Settings (self-hosted models on a private network are legitimate).
// Checked when a target is saved (its host as written) and again by the
// gateway and the health probes when they connect (every address the name
// resolves to then), so a name that later resolves elsewhere gains nothing.
import { isIP } from 'node:net';
import { bareAddress, NetworkSet, nonPublicRange, parseNetwork } from './networks';

export type EndpointPolicy = { privateNetworks: NetworkSet };

export const NO_PRIVATE_NETWORKS: EndpointPolicy = { privateNetworks: new NetworkSet([]) };

export function endpointPolicyOf(networks: readonly string[]): EndpointPolicy {
  return { privateNetworks: NetworkSet.parse(networks) };
}

/** The key of Admin → Settings' private networks in the Setting table ({ networks: string[] }). */
export const PRIVATE_NETWORKS_SETTING = 'endpoints.privateNetworks';

/** The setting's networks; anything unreadable is left out (the form never stores it). */
export function readPrivateNetworks(value: unknown): string[] {
  const networks = (value as { networks?: unknown } | null)?.networks;
  return Array.isArray(networks) ? networks.filter((entry): entry is string => typeof entry === 'string' && parseNetwork(entry).ok) : [];
}

/** Why Standby must not connect to `address`, or null. */
export function addressProblem(address: string, policy: EndpointPolicy): string | null {
  const range = nonPublicRange(address);
  if (range === null || policy.privateNetworks.contains(address)) return null;
  return `${bareAddress(address)} is ${range}. Standby connects to such addresses only in networks an admin allows under Admin → Settings.`;
}

/** Names that always mean this machine or a cloud's metadata service, whatever DNS says. */
const SPECIAL_NAMES: Record<string, string> = {
  localhost: '127.0.0.1',
  'metadata.google.internal': '169.254.169.254',
  'metadata.goog': '169.254.169.254',
  metadata: '169.254.169.254',
  'instance-data': '169.254.169.254',
  'instance-data.ec2.internal': '169.254.169.254',
};

/** Why an endpoint URL's host is refused as written (before any name is resolved), or null. */
export function endpointHostProblem(endpointUrl: string, policy: EndpointPolicy): string | null {
  let host: string;
  try {
    host = new URL(endpointUrl).hostname.toLowerCase().replace(/\.$/, '');
  } catch {
    return null; // the URL's own validation says what is wrong with it
  }
  const bare = bareAddress(host);
  if (isIP(bare)) return addressProblem(bare, policy);
  const special = SPECIAL_NAMES[host] ?? (host.endsWith('.localhost') ? '127.0.0.1' : undefined);
  if (special === undefined) return null;
  const problem = addressProblem(special, policy);
  return problem && `${host} means ${special}: ${problem}`;
}
