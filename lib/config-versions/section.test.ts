import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

type SectionModule = typeof import('./section');

/** A fresh copy of section.ts (a file of its own, so a module of its own), as Next.js gives each layer of its server (instrumentation, pages, actions) its own. */
const copies = mkdtempSync(path.join(tmpdir(), 'standby-section-'));
function copyOfSectionModule(copy: string): Promise<SectionModule> {
  const file = path.join(copies, `section-${copy}.ts`);
  copyFileSync(path.join(import.meta.dirname, 'section.ts'), file);
  return import(pathToFileURL(file).href);
}

test('a section defined through one copy of the module is found through another: one registry per process', async () => {
  const [instrumentation, action] = [await copyOfSectionModule('instrumentation'), await copyOfSectionModule('action')];
  assert.notEqual(instrumentation, action, 'two module instances');
  const section = instrumentation.defineConfigSection({
    key: 'test-shared-registry', file: 'test.yaml', title: 'Test', order: 99, follows: ['test-routing'],
    read: async () => '', plan: async () => ({ ok: true, changes: [], impact: [] }), apply: async () => ({ ok: true, changes: [], impact: [] }),
  });
  assert.equal(action.registeredSection('test-shared-registry'), section);
  assert.deepEqual(action.sectionsFollowing('test-routing'), [section]);
  assert.throws(() => action.registeredSection('never-defined'), /is not loaded in this process/);
});
