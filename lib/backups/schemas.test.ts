import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyReportInput, partPath } from './schemas';

const SHA = 'a'.repeat(64);
const report = (files: unknown[]) => ({ model: 'm', location: 's3://bucket/copy', region: 'eu-west', manifest: { files } });

describe('what a backup job may report', () => {
  test('a part is a plain path inside the model folder: no way out, and one spelling per file', () => {
    for (const bad of ['../etc/passwd', 'a/../../b', '/etc/passwd', './config.json', 'a//b', 'a/./b', 'dir/', 'a\\b', 'a\0b']) {
      assert.equal(partPath.safeParse(bad).success, false, bad);
    }
    for (const good of ['config.json', 'prompts/system.txt', 'model-00001-of-00030.safetensors', '.hidden/notes.txt']) {
      assert.equal(partPath.safeParse(good).success, true, good);
    }
  });

  test('a file listed twice, however spelt, and sizes no file has are refused with one message each', () => {
    assert.equal(copyReportInput.safeParse(report([{ path: 'config.json', sha256: SHA, sizeBytes: 1 }, { path: './config.json', sha256: SHA, sizeBytes: 1 }])).success, false);
    const twice = copyReportInput.safeParse(report([{ path: 'config.json', sha256: SHA, sizeBytes: 1 }, { path: 'config.json', sha256: SHA, sizeBytes: 2 }]));
    assert.equal(twice.success, false);
    assert.match(twice.error!.issues[0].message, /listed twice/);
    for (const size of [1e300, -5, 1.5, '12']) {
      const parsed = copyReportInput.safeParse(report([{ path: 'config.json', sha256: SHA, sizeBytes: size }]));
      assert.equal(parsed.success, false, String(size));
      assert.equal(parsed.error!.issues.length, 1, `one message for ${size}`);
    }
  });
});
