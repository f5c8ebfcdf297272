import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cameThroughTrustedProxy, clientAddress, parseTrustedProxies, type TrustedProxies } from './client-address';

const trusted = (value: string): TrustedProxies => {
  const parsed = parseTrustedProxies(value);
  assert.ok(parsed.ok, value);
  return parsed.trusted;
};

test('by default the socket is the client, whatever X-Forwarded-For says', () => {
  assert.equal(clientAddress('203.0.113.9', '198.51.100.1', trusted('')), '203.0.113.9');
  assert.equal(clientAddress('::ffff:203.0.113.9', undefined, trusted('')), '203.0.113.9');
  assert.equal(cameThroughTrustedProxy('203.0.113.9', trusted('')), false);
});

test('with one trusted hop, the address that proxy appended is the client; what the client wrote before it is ignored', () => {
  const oneHop = trusted('1');
  assert.equal(clientAddress('10.0.0.2', '198.51.100.66, 203.0.113.9', oneHop), '203.0.113.9');
  assert.equal(clientAddress('10.0.0.2', '203.0.113.9', oneHop), '203.0.113.9');
  assert.equal(clientAddress('10.0.0.2', '203.0.113.9:5123', oneHop), '203.0.113.9');
  assert.equal(clientAddress('10.0.0.2', undefined, oneHop), '10.0.0.2', 'no header: the peer');
  assert.equal(clientAddress('10.0.0.3', 'spoof, 203.0.113.9, 10.0.0.2', trusted('2')), '203.0.113.9');
});

test('with trusted networks, addresses inside them are skipped from the right, and a peer outside them is believed alone', () => {
  const networks = trusted('10.0.0.0/8, fd00::/8');
  assert.equal(clientAddress('10.0.0.2', '198.51.100.66, 203.0.113.9, 10.1.1.1', networks), '203.0.113.9');
  assert.equal(clientAddress('203.0.113.50', '198.51.100.66', networks), '203.0.113.50');
  assert.equal(clientAddress('fd00::1', '[2001:db8::7]:443', networks), '2001:db8::7');
  assert.equal(clientAddress('10.0.0.2', 'not-an-address', networks), '10.0.0.2', 'garbage: the peer');
  assert.equal(cameThroughTrustedProxy('10.0.0.2', networks), true);
  assert.equal(cameThroughTrustedProxy('203.0.113.50', networks), false);
});

test('a bad setting is refused with a reason', () => {
  assert.equal(parseTrustedProxies('11').ok, false);
  const parsed = parseTrustedProxies('10.0.0.0/40');
  assert.ok(!parsed.ok && /prefix length/.test(parsed.problem));
  assert.equal(parseTrustedProxies('proxy.internal').ok, false);
});
