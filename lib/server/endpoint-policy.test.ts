import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressProblem, endpointHostProblem, endpointPolicyOf, NO_PRIVATE_NETWORKS, readPrivateNetworks } from './endpoint-policy';
import { nonPublicRange, parseNetwork } from './networks';

test('public addresses and names pass; names are resolved and checked when Standby connects', () => {
  for (const url of ['https://api.openai.com/v1', 'https://8.8.8.8/v1', 'http://[2606:4700::1111]/v1', 'https://ollama.internal.example/v1']) {
    assert.equal(endpointHostProblem(url, NO_PRIVATE_NETWORKS), null, url);
  }
});

test('metadata, loopback, private and other non-public hosts are refused in every spelling', () => {
  const refused = [
    'http://169.254.169.254/latest/meta-data', 'http://[::ffff:169.254.169.254]/', 'http://0xa9fea9fe/', 'http://2852039166/', 'http://[fd00:ec2::254]/',
    'http://127.1:8000/', 'http://localhost/', 'http://a.localhost/', 'http://LOCALHOST./', 'http://metadata.google.internal/', 'http://10.0.0.1/',
    'http://172.16.5.4/', 'http://192.168.1.1/', 'http://100.100.100.200/', 'http://0.0.0.0/', 'http://[::]/', 'http://[::1]/', 'http://[fe80::1]/',
    'http://224.0.0.1/', 'http://[64:ff9b::a9fe:a9fe]/', 'http://[2002:a9fe:a9fe::1]/',
  ];
  for (const url of refused) assert.match(endpointHostProblem(url, NO_PRIVATE_NETWORKS) ?? '', /Admin → Settings/, url);
  assert.match(addressProblem('169.254.169.254', NO_PRIVATE_NETWORKS) ?? '', /link-local \(where cloud metadata services answer\)/);
});

test('networks an admin allows are reachable; the rest stay refused', () => {
  const policy = endpointPolicyOf(['10.20.0.0/16', '127.0.0.1', 'fd12:3456::/48']);
  assert.equal(endpointHostProblem('http://10.20.1.2:8000/v1', policy), null);
  assert.equal(endpointHostProblem('http://localhost:11434/v1', policy), null);
  assert.equal(endpointHostProblem('http://[fd12:3456::9]/v1', policy), null);
  assert.match(endpointHostProblem('http://10.21.0.1/v1', policy) ?? '', /private/);
  assert.match(endpointHostProblem('http://127.0.0.2/v1', policy) ?? '', /loopback/);
});

test('the stored setting is read leniently; networks parse strictly', () => {
  assert.deepEqual(readPrivateNetworks({ networks: ['10.0.0.0/8', 'junk', 7] }), ['10.0.0.0/8']);
  assert.deepEqual(readPrivateNetworks(null), []);
  assert.deepEqual(parseNetwork('10.0.0.1'), { ok: true, network: { text: '10.0.0.1/32', address: '10.0.0.1', prefix: 32, family: 'ipv4' } });
  assert.equal(parseNetwork('10.0.0.0/8/1').ok, false);
  assert.equal(parseNetwork('fd00::/129').ok, false);
  assert.equal(nonPublicRange('8.8.8.8'), null);
});
