// Which address a request came from, for the per-address sign-in limit and the
// logs. Pure (client-address.test.ts). X-Forwarded-For is anyone's to write, so
// it is read only as far as STANDBY_TRUSTED_PROXIES says proxies wrote it: a
// hop count (the proxies in front of every replica, each appending the address
// it received from) or the networks the proxies live in. By default nothing is
// trusted and the socket's peer is the client.
import { isIP } from 'node:net';
import { bareAddress, NetworkSet, parseNetwork } from './networks';

export type TrustedProxies = { kind: 'none' } | { kind: 'hops'; hops: number } | { kind: 'networks'; networks: NetworkSet };

/** STANDBY_TRUSTED_PROXIES: empty (none), a whole number of hops, or a comma-separated list of networks. */
export function parseTrustedProxies(value: string | undefined): { ok: true; trusted: TrustedProxies } | { ok: false; problem: string } {
  const text = (value ?? '').trim();
  if (text === '' || text === '0' || text.toLowerCase() === 'none') return { ok: true, trusted: { kind: 'none' } };
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops > 10) return { ok: false, problem: 'a hop count above 10 is surely a mistake: give the number of proxies in front of Standby, or their networks' };
    return { ok: true, trusted: { kind: 'hops', hops } };
  }
  const networks = [];
  for (const entry of text.split(',').map((part) => part.trim()).filter(Boolean)) {
    const parsed = parseNetwork(entry);
    if (!parsed.ok) return { ok: false, problem: parsed.problem };
    networks.push(parsed.network);
  }
  return { ok: true, trusted: { kind: 'networks', networks: new NetworkSet(networks) } };
}

/** The entries of X-Forwarded-For headers, left (client) to right (nearest proxy). */
function forwardedChain(header: string | string[] | undefined): string[] {
  if (header === undefined) return [];
  const text = Array.isArray(header) ? header.join(',') : header;
  return text.split(',').map((entry) => stripPort(entry.trim())).filter(Boolean);
}

/** "203.0.113.7:5123" and "[2001:db8::1]:443" carry a port some proxies add; an address never has one otherwise. */
function stripPort(entry: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(entry);
  if (bracketed) return bracketed[1];
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(entry);
  return v4 ? v4[1] : entry;
}

/** IPv4 peers of a dual-stack socket read as ::ffff:a.b.c.d; the plain form is what people configure and read. */
export function plainAddress(address: string): string {
  const bare = bareAddress(address);
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(bare);
  return mapped ? mapped[1] : bare;
}

export function clientAddress(socketAddress: string | undefined, forwardedFor: string | string[] | undefined, trusted: TrustedProxies): string {
  const peer = plainAddress(socketAddress ?? '') || 'unknown';
  if (trusted.kind === 'none') return peer;
  const chain = forwardedChain(forwardedFor);
  let chosen: string | undefined;
  if (trusted.kind === 'hops') {
    // The nearest `hops` addresses (the peer and what the proxies after the first appended) are proxies.
    const hops = [...chain, peer];
    chosen = hops.length > trusted.hops ? hops[hops.length - 1 - trusted.hops] : undefined;
  } else {
    if (!trusted.networks.contains(peer)) return peer;
    // From the nearest hop outwards, past every trusted proxy; the first other address is the client.
    chosen = chain[0];
    for (let i = chain.length - 1; i >= 0; i -= 1) {
      if (!trusted.networks.contains(chain[i])) {
        chosen = chain[i];
        break;
      }
    }
  }
  return chosen && isIP(chosen) ? plainAddress(chosen) : peer;
}

/** Headers only a trusted proxy may set: removed from requests that did not come through one. */
export const FORWARDED_HEADERS = ['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port', 'x-real-ip', 'forwarded'] as const;

export function cameThroughTrustedProxy(socketAddress: string | undefined, trusted: TrustedProxies): boolean {
  if (trusted.kind === 'none') return false;
  if (trusted.kind === 'hops') return trusted.hops > 0;
  return trusted.networks.contains(plainAddress(socketAddress ?? ''));
}

/** The header the front door writes with the address it decided on; whatever a client sent under that name is replaced. */
export const CLIENT_ADDRESS_HEADER = 'x-standby-client-address';
