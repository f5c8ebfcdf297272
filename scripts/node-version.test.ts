import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { isSupportedNode, SUPPORTED_NODE } from './node-version.mjs';

test('the Node.js versions the dependencies support, and package.json says the same', () => {
  const table: [string, boolean][] = [
    ['18.20.0', false], ['20.18.3', false], ['20.19.0', true], ['v20.20.2', true], ['21.7.3', false], ['22.12.0', false], ['22.13.0', true], ['23.11.0', false], ['24.0.0', true], ['26.1.0', true],
  ];
  for (const [version, supported] of table) assert.equal(isSupportedNode(version), supported, version);
  const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { engines: { node: string } };
  assert.equal(pkg.engines.node, SUPPORTED_NODE);
});
