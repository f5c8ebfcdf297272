import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDisconnectLog, isClientDisconnect } from './disconnects';

test('a flood of disconnects is logged as one line a second, naming how many were folded in', () => {
  const lines: string[] = [];
  let now = 0;
  const log = createDisconnectLog((line) => lines.push(line), 1_000, () => now);
  log('/a');
  for (let i = 0; i < 3_000; i += 1) log('/b');
  now = 1_000;
  log('/c');
  assert.deepEqual(lines, [
    '[standby] a client went away before its request was complete: /a',
    '[standby] a client went away before its request was complete: /c (and 3000 more since the last such line)',
  ]);
});

test('resets and premature closes are client disconnects; other errors are not', () => {
  assert.equal(isClientDisconnect(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })), true);
  assert.equal(isClientDisconnect(Object.assign(new Error('closed'), { code: 'ERR_STREAM_PREMATURE_CLOSE' })), true);
  assert.equal(isClientDisconnect(new TypeError('x is undefined')), false);
});
