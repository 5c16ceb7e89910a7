import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { openLogFile, parseDataSizeBytes } from './index.js';

async function folder(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'stratus-rotation-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const line = (i: number) => `line ${String(i).padStart(5, '0')} ${'x'.repeat(80)}\n`;

/** Archive index from `spring.log.<yyyy-MM-dd>.<i>.gz`. */
const ARCHIVE = /^spring\.log\.\d{4}-\d{2}-\d{2}\.(\d+)\.gz$/;

async function archives(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((name) => ARCHIVE.test(name));
  return names.sort((a, b) => Number(ARCHIVE.exec(a)![1]) - Number(ARCHIVE.exec(b)![1]));
}

async function writeSlowly(file: ReturnType<typeof openLogFile>, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    file.write(line(i));
    // Let each rotation run, as a real process does between log lines.
    if (i % 10 === 9) await new Promise((resolve) => setImmediate(resolve));
  }
}

test('rotates by size into gzipped spring.log.<date>.<i>.gz archives without losing or splitting a line', async (t) => {
  const dir = await folder(t);
  const file = openLogFile({
    file: join(dir, 'spring.log'),
    maxFileSizeBytes: 1024,
    maxHistory: 100,
  });
  await writeSlowly(file, 120);
  await file.close();
  const names = await archives(dir);
  assert.ok(names.length >= 5, `expected several archives, got ${names.join(', ')}`);
  assert.equal(ARCHIVE.exec(names[0]!)![1], '0', "Logback's %i counts from 0");
  const text =
    names.map((name) => gunzipSync(readFileSyncOf(dir, name)).toString('utf8')).join('') +
    (await readFile(join(dir, 'spring.log'), 'utf8'));
  const expected = Array.from({ length: 120 }, (_, i) => line(i)).join('');
  assert.equal(text, expected);
  for (const name of names) {
    const size = gunzipSync(readFileSyncOf(dir, name)).length;
    assert.ok(size <= 1024 + line(0).length, `${name} holds ${size} bytes`);
  }
});

test('keeps only max-history archives, the newest', async (t) => {
  const dir = await folder(t);
  const file = openLogFile({
    file: join(dir, 'spring.log'),
    maxFileSizeBytes: 1024,
    maxHistory: 2,
  });
  await writeSlowly(file, 150);
  await file.close();
  const names = await archives(dir);
  assert.equal(names.length, 2, names.join(', '));
  const kept =
    names.map((name) => gunzipSync(readFileSyncOf(dir, name)).toString('utf8')).join('') +
    (await readFile(join(dir, 'spring.log'), 'utf8'));
  const all = Array.from({ length: 150 }, (_, i) => line(i)).join('');
  assert.ok(kept.length > 1024, 'the archives kept hold more than the active file');
  assert.ok(all.endsWith(kept), 'what is kept is the newest lines, whole and in order');
  assert.ok(kept.startsWith('line '), 'archives start on a line boundary');
});

test('an existing file over the size is archived when opened, and appending continues', async (t) => {
  const dir = await folder(t);
  await writeFile(join(dir, 'spring.log'), 'old\n'.repeat(400));
  const file = openLogFile({ file: join(dir, 'spring.log'), maxFileSizeBytes: 1024 });
  file.write('new\n');
  await file.close();
  const names = await archives(dir);
  assert.equal(names.length, 1);
  assert.equal(gunzipSync(readFileSyncOf(dir, names[0]!)).toString('utf8'), 'old\n'.repeat(400));
  assert.equal(await readFile(join(dir, 'spring.log'), 'utf8'), 'new\n');
});

test('Spring and Logback sizes parse to bytes; anything else is refused', () => {
  assert.equal(parseDataSizeBytes('10MB'), 10 * 1024 * 1024);
  assert.equal(parseDataSizeBytes('512KB'), 512 * 1024);
  assert.equal(parseDataSizeBytes('1 gb'), 1024 ** 3);
  assert.equal(parseDataSizeBytes('100'), 100);
  assert.equal(parseDataSizeBytes('10M'), 10 * 1024 * 1024);
  assert.equal(parseDataSizeBytes(2048), 2048);
  assert.equal(parseDataSizeBytes('ten megabytes'), null);
  assert.equal(parseDataSizeBytes('10XB'), null);
  assert.equal(parseDataSizeBytes('-1MB'), null);
  assert.equal(parseDataSizeBytes(-5), null);
});

function readFileSyncOf(dir: string, name: string): Buffer {
  return readFileSync(join(dir, name));
}
