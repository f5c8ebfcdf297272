import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenHasScope } from './scopes';

test('a token may do only what its scopes name', () => {
  assert.equal(tokenHasScope({ scopes: ['gateway'] }, 'gateway'), true);
  assert.equal(tokenHasScope({ scopes: ['gateway'] }, 'recovery:evidence'), false);
  assert.equal(tokenHasScope({ scopes: ['recovery:evidence'] }, 'gateway'), false);
  assert.equal(tokenHasScope({ scopes: ['gateway', 'recovery:evidence'] }, 'recovery:evidence'), true);
  assert.equal(tokenHasScope({ scopes: [] }, 'gateway'), false);
  assert.equal(tokenHasScope({ scopes: null }, 'gateway'), false);
});
