import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, tempTree } from './index.js';

test('tempTree writes nested files and both helpers remove their folder after the test', async (t) => {
  let root = '';
  let dir = '';
  await t.test('inner', (inner) => {
    root = tempTree(inner, { 'application.yml': 'a: 1\n', 'v1/foo.yml': 'b: 2\n' });
    dir = tempDir(inner, 'stratus-testing-');
    assert.equal(readFileSync(join(root, 'v1/foo.yml'), 'utf8'), 'b: 2\n');
    assert.ok(existsSync(dir));
  });
  assert.equal(existsSync(root), false);
  assert.equal(existsSync(dir), false);
});
