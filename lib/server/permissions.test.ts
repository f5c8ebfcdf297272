import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canEditInventory, canManageCredentials, canManageUsers, hasPermission, PERMISSIONS, ROLE_PERMISSIONS, ROLES } from './permissions';

test('a viewer reads everything and changes nothing', () => {
  assert.equal(hasPermission('viewer', 'estate.read'), true);
  assert.equal(hasPermission('viewer', 'audit.read'), true);
  for (const permission of PERMISSIONS.filter((p) => !p.endsWith('.read'))) {
    assert.equal(hasPermission('viewer', permission), false, `viewer must not have ${permission}`);
  }
});

test('operators edit inventory and flip failover but manage no users or credentials', () => {
  assert.equal(canEditInventory('operator'), true);
  assert.equal(hasPermission('operator', 'failover.write'), true);
  assert.equal(canManageUsers('operator'), false);
  assert.equal(canManageCredentials('operator'), false);
});

test('commanders run incidents but do not edit inventory', () => {
  assert.equal(hasPermission('commander', 'incidents.write'), true);
  assert.equal(canEditInventory('commander'), false);
});

test('admins hold every permission', () => {
  for (const permission of PERMISSIONS) assert.equal(hasPermission('admin', permission), true);
});

test('no session means no permission', () => {
  assert.equal(hasPermission(null, 'estate.read'), false);
  assert.equal(hasPermission(undefined, 'estate.read'), false);
});

test('every role reads the estate', () => {
  for (const role of ROLES) assert.ok(ROLE_PERMISSIONS[role].has('estate.read'));
});
