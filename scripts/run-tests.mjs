#!/usr/bin/env node
// Runs every compiled test file with node's built-in runner. Node 20's
// `node --test` neither expands globs nor finds .ts files, so we list the
// compiled files ourselves: each package's unit tests in `dist-test/` (its
// tsconfig.test.json keeps them out of `dist/`), and the integration tests of
// `test/` in `test/dist/`. scripts/test-hooks.mjs lets a unit test's relative
// import of the module under test find it in `dist/`. Extra arguments are passed
// through (for example `--test-name-pattern=gateway`); a path filter can be
// given with STRATUS_TEST_FILTER=<substring>.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const roots = ['packages', 'services', 'test'];

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.name.endsWith('.test.js')) yield path;
  }
}

const files = [];
for (const top of roots) {
  const base = join(root, top);
  const candidates = top === 'test' ? [base] : readdirSync(base).map((name) => join(base, name));
  for (const pkg of candidates) {
    const dist = join(pkg, top === 'test' ? 'dist' : 'dist-test');
    try {
      if (!statSync(dist).isDirectory()) continue;
    } catch {
      continue;
    }
    files.push(...walk(dist));
  }
}
const filter = process.env.STRATUS_TEST_FILTER;
const selected = files.filter((file) => !filter || file.includes(filter)).sort();
if (selected.length === 0) {
  console.error('no test files found (did `tsc -b` run?)');
  process.exit(1);
}
console.log(`running ${selected.length} test files`);
const result = spawnSync(
  process.execPath,
  [
    '--import',
    new URL('./test-hooks.mjs', import.meta.url).href,
    '--test',
    '--test-concurrency=2',
    ...process.argv.slice(2),
    ...selected.map((f) => relative(root, f)),
  ],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
