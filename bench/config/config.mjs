#!/usr/bin/env node
// Config server (bench/README.md): requests/s and p50/p99 of GET /{app}/{profile} on the native
// backend, side by side (interleaved rounds, one run) with a direct file-read baseline — a tiny
// HTTP server in this process that reads and parses the same YAML files on every request — and,
// when the git backend starts, the git backend plus the time from a commit to the new value
// being served. Loopback only, bounded requests.
// Usage: node bench/config/config.mjs [--requests=4000] [--connections=16] [--rounds=2]
import { cp, mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { createSilentLogger } from '@stratus/core';
import { createConfigServer } from '@stratus/config-server';
import { runLoad } from '../load.mjs';

const arg = (name, fallback) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const requests = arg('requests', 4000);
const connections = arg('connections', 16);
const rounds = arg('rounds', 2);
const APP = 'user-service';
const PATH = `/${APP}/default`;
const REPO_SOURCE = fileURLToPath(new URL('../../config-repo/', import.meta.url));

const work = await mkdtemp(join(tmpdir(), 'stratus-bench-config-'));
const repo = join(work, 'repo');
await cp(REPO_SOURCE, repo, { recursive: true });
const closers = [];

async function startConfigServer(flags) {
  const app = await createConfigServer({
    argv: [
      '--server.port=0',
      '--server.address=127.0.0.1',
      '--eureka.client.enabled=false',
      '--spring.config.import=',
      `--stratus.data-dir=${join(work, 'data')}`,
      ...flags,
    ],
    env: {},
    logger: createSilentLogger(),
  });
  await app.start();
  closers.push(() => app.close());
  return `http://127.0.0.1:${app.port}`;
}

/** Flat keys as Spring serves them (`a.b`, `list[0]`). */
function flatten(value, prefix, out) {
  if (Array.isArray(value)) value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  else out[prefix] = value;
  return out;
}

/** The baseline: read and parse `<app>.yml` and `application.yml` on every request. */
async function startFileReadBaseline() {
  const server = createServer(async (req, res) => {
    const [, app, profile] = (req.url ?? '').split('/');
    const propertySources = [];
    for (const file of [`${app}.yml`, 'application.yml']) {
      let text;
      try {
        text = await readFile(join(repo, file), 'utf8');
      } catch {
        continue;
      }
      for (const doc of parseAllDocuments(text))
        propertySources.push({
          name: `file:${join(repo, file)}`,
          source: flatten(doc.toJS(), '', {}),
        });
    }
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        name: app,
        profiles: [profile],
        label: null,
        version: null,
        state: null,
        propertySources,
      }),
    );
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${server.address().port}`;
}

const git = (cwd, ...args) =>
  execFileSync('git', args, {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'bench',
      GIT_AUTHOR_EMAIL: 'b@x',
      GIT_COMMITTER_NAME: 'bench',
      GIT_COMMITTER_EMAIL: 'b@x',
    },
  }).toString();

async function startGitBackend() {
  const gitRepo = join(work, 'git-repo');
  await cp(REPO_SOURCE, gitRepo, { recursive: true });
  git(gitRepo, 'init', '-q', '-b', 'main');
  git(gitRepo, 'add', '-A');
  git(gitRepo, 'commit', '-q', '-m', 'initial');
  const base = await startConfigServer([
    '--spring.profiles.active=git',
    `--spring.cloud.config.server.git.uri=file://${gitRepo}`,
    `--spring.cloud.config.server.git.basedir=${join(work, 'clone')}`,
    '--spring.cloud.config.server.git.refresh-rate=0',
  ]);
  const probe = await fetch(`${base}${PATH}`);
  const body = await probe.json();
  if (probe.status !== 200 || !body.version)
    throw new Error(`git backend answered ${probe.status}`);
  return { base, gitRepo };
}

/** Commit a new value; poll until the server serves it. */
async function commitToServedMs(base, gitRepo) {
  const file = join(gitRepo, `${APP}.yml`);
  const marker = `bench-${Date.now()}`;
  // Replace the previous marker: a repeated YAML key would make the file invalid.
  const text = (await readFile(file, 'utf8')).replace(/\nbench\.marker: .*\n/g, '\n');
  await writeFile(file, `${text}\nbench.marker: ${marker}\n`);
  git(gitRepo, 'commit', '-q', '-am', marker);
  const started = performance.now();
  while (performance.now() - started < 10_000) {
    const text = await (await fetch(`${base}${PATH}`)).text();
    if (text.includes(marker)) return performance.now() - started;
    await new Promise((r) => setTimeout(r, 10));
  }
  return null;
}

try {
  const targets = {
    'file-read baseline': `${await startFileReadBaseline()}${PATH}`,
    'native backend': `${await startConfigServer(['--spring.profiles.active=native', `--spring.cloud.config.server.native.search-locations=file:${repo}`])}${PATH}`,
  };
  let gitNote = null;
  let commitMs = [];
  try {
    const { base, gitRepo } = await startGitBackend();
    targets['git backend'] = `${base}${PATH}`;
    for (let i = 0; i < 3; i++) commitMs.push(await commitToServedMs(base, gitRepo));
  } catch (error) {
    gitNote = `git backend not measured: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }
  for (const url of Object.values(targets))
    await runLoad(url, { requests: 300, connections, maxDurationMs: 10_000 }); // warm-up
  const results = Object.fromEntries(Object.keys(targets).map((k) => [k, []]));
  for (let round = 0; round < rounds; round++) {
    const order = Object.keys(targets);
    if (round % 2 === 1) order.reverse();
    for (const name of order)
      results[name].push(
        await runLoad(targets[name], { requests, connections, maxDurationMs: 30_000 }),
      );
  }
  const summary = (runs) => ({
    rps: runs.reduce((a, r) => a + r.rps, 0) / runs.length,
    p50Ms: runs.reduce((a, r) => a + r.p50Ms, 0) / runs.length,
    p99Ms: runs.reduce((a, r) => a + r.p99Ms, 0) / runs.length,
    errors: runs.reduce((a, r) => a + r.errors, 0),
  });
  const summaries = Object.fromEntries(
    Object.entries(results).map(([k, runs]) => [k, summary(runs)]),
  );
  console.log(`\nGET ${PATH}, ${requests} requests × ${rounds} rounds, ${connections} connections`);
  console.log('  target                 req/s     p50 ms   p99 ms   errors');
  for (const [name, s] of Object.entries(summaries))
    console.log(
      `  ${name.padEnd(20)} ${s.rps.toFixed(0).padStart(7)}  ${s.p50Ms.toFixed(2).padStart(8)} ${s.p99Ms.toFixed(2).padStart(8)}   ${s.errors}`,
    );
  if (gitNote) console.log(`\n${gitNote}`);
  else
    console.log(
      `\ngit commit → new value served: ${commitMs.map((ms) => (ms === null ? 'timeout' : `${ms.toFixed(0)} ms`)).join(', ')}`,
    );
  await mkdir(new URL('../results/', import.meta.url), { recursive: true });
  await writeFile(
    new URL('../results/config.json', import.meta.url),
    JSON.stringify(
      {
        when: new Date().toISOString(),
        node: process.version,
        path: PATH,
        requests,
        connections,
        rounds,
        summaries,
        commitToServedMs: gitNote ? null : commitMs,
        gitNote,
        runs: results,
      },
      null,
      2,
    ),
  );
} finally {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  await rm(work, { recursive: true, force: true });
}
