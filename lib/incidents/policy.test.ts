import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canAddNote, canEditRunbooks, canManageWebhooks, canRunActionStep, canRunIncident } from './policy';

test('a viewer reads incidents and acts on nothing', () => {
  assert.equal(canRunIncident('viewer'), false);
  assert.equal(canAddNote('viewer'), false);
  assert.equal(canRunActionStep('viewer', 'force_failover'), false);
  assert.equal(canEditRunbooks('viewer'), false);
});

test('a commander runs the incident and its steering steps, but applies no configuration', () => {
  assert.equal(canRunIncident('commander'), true);
  assert.equal(canRunActionStep('commander', 'force_failover'), true);
  assert.equal(canRunActionStep('commander', 'retire_model'), true);
  assert.equal(canRunActionStep('commander', 'apply_config_version'), false);
  assert.equal(canManageWebhooks('commander'), false);
});

test('an operator runs the steering steps it could take from the service page, and notes; not the incident itself', () => {
  assert.equal(canRunIncident('operator'), false);
  assert.equal(canRunActionStep('operator', 'drain'), true);
  assert.equal(canAddNote('operator'), true);
  assert.equal(canEditRunbooks('operator'), true);
});

test('an admin does everything, configuration versions and webhooks included', () => {
  assert.equal(canRunActionStep('admin', 'apply_config_version'), true);
  assert.equal(canManageWebhooks('admin'), true);
});
