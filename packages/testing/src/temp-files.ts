import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';

/** A fresh temporary data folder and its cleanup. */
export function tempDataDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A fresh temporary folder, removed after the test.
 *
 * @example
 * const dataDir = tempDir(t, 'stratus-cfg-data-');
 */
export function tempDir(t: TestContext, prefix = 'stratus-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A temporary folder holding `files` (relative path → text; folders are made), removed after
 * the test.
 *
 * @example
 * const root = tempTree(t, { 'application.yml': 'a: 1\n', 'v1/foo.yml': 'b: 2\n' });
 */
export function tempTree(t: TestContext, files: Record<string, string>): string {
  const root = tempDir(t, 'stratus-tree-');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}
