// IP networks written as CIDR (10.0.0.0/8, fd00::/8, or a single address), and the
// address ranges that are not the public internet. Pure (tested through
// client-address.test.ts and endpoint-policy.test.ts): used by the trust in
// forwarded headers (client-address.ts) and by the endpoint policy
// (endpoint-policy.ts), which decides what a target may point at.
import { BlockList, isIP } from 'node:net';

export type Network = { text: string; address: string; prefix: number; family: 'ipv4' | 'ipv6' };

/** Strips the brackets of an IPv6 host ([::1]) and a zone (fe80::1%eth0). */
export function bareAddress(host: string): string {
  const unbracketed = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const zone = unbracketed.indexOf('%');
  return zone === -1 ? unbracketed : unbracketed.slice(0, zone);
}

/** One CIDR, or null with why it is not one. */
export function parseNetwork(raw: string): { ok: true; network: Network } | { ok: false; problem: string } {
  const text = raw.trim();
  const [address, prefixText, extra] = text.split('/');
  const version = isIP(address ?? '');
  if (!version || extra !== undefined) return { ok: false, problem: `'${text}' is not a network: write it as an address with a prefix length, such as 10.0.0.0/8 or fd00::/8.` };
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText ?? String(max)) || prefix > max) return { ok: false, problem: `'${text}': the prefix length must be a whole number from 0 to ${max}.` };
  return { ok: true, network: { text: prefixText === undefined ? `${address}/${max}` : text, address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' } };
}

/** A set of networks that answers "does it contain this address?" (IPv4-mapped IPv6 addresses match IPv4 networks). */
export class NetworkSet {
  private readonly list = new BlockList();

  constructor(readonly networks: readonly Network[]) {
    for (const network of networks) this.list.addSubnet(network.address, network.prefix, network.family);
  }

  static parse(entries: readonly string[]): NetworkSet {
    return new NetworkSet(
      entries.map((entry) => {
        const parsed = parseNetwork(entry);
        if (!parsed.ok) throw new Error(parsed.problem);
        return parsed.network;
      }),
    );
  }

  contains(address: string): boolean {
    const bare = bareAddress(address);
    const version = isIP(bare);
    if (!version || this.networks.length === 0) return false;
    return this.list.check(bare, version === 4 ? 'ipv4' : 'ipv6');
  }
}

/**
 * Ranges that are not the public internet (IANA special-purpose registries), each
 * with the words an error message uses. The first match names the range.
 */
const SPECIAL_RANGES: readonly (readonly [string, string])[] = [
  ['169.254.0.0/16', 'link-local (where cloud metadata services answer)'],
  ['fe80::/10', 'link-local'],
  ['fd00:ec2::254/128', 'a cloud metadata address'],
  ['127.0.0.0/8', 'loopback (this machine)'],
  ['::1/128', 'loopback (this machine)'],
  ['0.0.0.0/8', 'unspecified ("this network")'],
  ['::/128', 'unspecified'],
  ['10.0.0.0/8', 'private (RFC 1918)'],
  ['172.16.0.0/12', 'private (RFC 1918)'],
  ['192.168.0.0/16', 'private (RFC 1918)'],
  ['100.64.0.0/10', 'shared address space (carrier-grade NAT; some clouds put metadata there)'],
  ['fc00::/7', 'unique local (private IPv6)'],
  ['192.0.0.0/24', 'reserved for protocol assignments'],
  ['192.0.2.0/24', 'reserved for documentation'],
  ['198.51.100.0/24', 'reserved for documentation'],
  ['203.0.113.0/24', 'reserved for documentation'],
  ['2001:db8::/32', 'reserved for documentation'],
  ['198.18.0.0/15', 'reserved for benchmarking'],
  ['224.0.0.0/4', 'multicast'],
  ['ff00::/8', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
  ['100::/64', 'a discard prefix'],
  // Translation prefixes can carry any IPv4 address, the ones above included.
  ['64:ff9b::/96', 'NAT64 (may reach private IPv4 addresses)'],
  ['64:ff9b:1::/48', 'NAT64 (may reach private IPv4 addresses)'],
  ['2002::/16', '6to4 (may reach private IPv4 addresses)'],
  ['2001::/32', 'Teredo (may reach private IPv4 addresses)'],
];

const specialSets = SPECIAL_RANGES.map(([cidr, label]) => ({ set: NetworkSet.parse([cidr]), label }));

/** What kind of non-public address this is, or null for a public one (or for something that is not an address). */
export function nonPublicRange(address: string): string | null {
  for (const { set, label } of specialSets) if (set.contains(address)) return label;
  return null;
}
