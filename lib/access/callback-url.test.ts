import { test } from 'node:test';
import assert from 'node:assert/strict';
import { safeCallbackUrl } from './callback-url';

test('a path on Standby is kept, with its query and fragment', () => {
  assert.equal(safeCallbackUrl('/regions'), '/regions');
  assert.equal(safeCallbackUrl('/services/support-bot?range=24h#charts'), '/services/support-bot?range=24h#charts');
  assert.equal(safeCallbackUrl(['/targets', '/admin']), '/targets');
});

test('anything a browser would read as another site goes home instead', () => {
  for (const hostile of ['//evil.example', '/\\evil.example', '/\t/evil.example', '/\n/evil.example', '/\\/evil.example', 'https://evil.example/', 'javascript:alert(1)', 'evil.example', '']) {
    assert.equal(safeCallbackUrl(hostile), '/', JSON.stringify(hostile));
  }
  assert.equal(safeCallbackUrl(undefined), '/');
});

test('what comes back is the normalised path the check saw', () => {
  assert.equal(safeCallbackUrl('/a/../regions'), '/regions');
  // Still encoded (sent twice-encoded): a harmless path on Standby, not a way out.
  assert.equal(safeCallbackUrl('/%5Cevil.example'), '/%5Cevil.example');
});
