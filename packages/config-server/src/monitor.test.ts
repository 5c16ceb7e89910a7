import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import Fastify from 'fastify';
import {
  extractChangedPaths,
  guessServiceNames,
  registerMonitorRoute,
  type ConfigChangeEvent,
} from './monitor.js';
import type { TestContext } from 'node:test';

test('guesses service names from file names the way Spring does', () => {
  assert.deepEqual(guessServiceNames('foo.yml'), ['foo']);
  assert.deepEqual(guessServiceNames('config/foo-dev.yml'), ['foo:dev', 'foo-dev']);
  assert.deepEqual(guessServiceNames('order-service-dev.properties'), [
    'order:service-dev',
    'order-service:dev',
    'order-service-dev',
  ]);
  assert.deepEqual(guessServiceNames('application.yml'), ['*']);
  assert.deepEqual(guessServiceNames('application-dev.yml'), ['*:dev']);
  assert.deepEqual(guessServiceNames('applicationx.yml'), []);
  assert.deepEqual(guessServiceNames('foo'), ['foo']);
});

test('extracts added, modified and removed paths from GitHub, GitLab and Gitea push payloads', () => {
  const body = JSON.stringify({
    commits: [
      { added: ['a.yml'], modified: ['b.yml'], removed: [] },
      { added: [], modified: ['b.yml'], removed: ['c.properties'] },
    ],
  });
  for (const [header, event, source] of [
    ['x-github-event', 'push', 'github'],
    ['x-gitlab-event', 'Push Hook', 'gitlab'],
    ['x-gitea-event', 'push', 'gitea'],
  ] as const) {
    assert.deepEqual(extractChangedPaths({ [header]: event }, 'application/json', body), {
      source,
      paths: ['a.yml', 'b.yml', 'c.properties'],
    });
  }
  assert.deepEqual(extractChangedPaths({ 'x-github-event': 'ping' }, 'application/json', '{}'), {
    source: 'github',
    paths: [],
  });
});

async function monitorServer(t: TestContext, options: Parameters<typeof registerMonitorRoute>[1]) {
  const app = Fastify();
  await registerMonitorRoute(app, options);
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.after(() => app.close());
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return (headers: Record<string, string>, body: string) =>
    fetch(`http://127.0.0.1:${port}/monitor`, { method: 'POST', headers, body });
}

test('POST /monitor answers the affected applications, forces a refresh and reports the change', async (t) => {
  const events: ConfigChangeEvent[] = [];
  const emitted: ConfigChangeEvent[] = [];
  const emitter = new EventEmitter();
  emitter.on('change', (event: ConfigChangeEvent) => emitted.push(event));
  let refreshes = 0;
  const post = await monitorServer(t, {
    onChange: (event) => events.push(event),
    events: emitter,
    refresh: () => {
      refreshes += 1;
    },
  });
  const github = await post(
    { 'content-type': 'application/json', 'x-github-event': 'push' },
    JSON.stringify({
      commits: [{ added: [], modified: ['orders-dev.yml', 'application.yml'], removed: [] }],
    }),
  );
  assert.equal(github.status, 200);
  assert.deepEqual(await github.json(), ['orders:dev', 'orders-dev', '*']);
  assert.equal(refreshes, 1);
  assert.deepEqual(events, [
    {
      source: 'github',
      paths: ['orders-dev.yml', 'application.yml'],
      applications: ['orders:dev', 'orders-dev', '*'],
    },
  ]);
  assert.deepEqual(emitted, events);

  const form = await post(
    { 'content-type': 'application/x-www-form-urlencoded' },
    'path=users.yml&path=users',
  );
  assert.deepEqual(await form.json(), ['users']);
  assert.equal(refreshes, 2);

  const ping = await post(
    { 'content-type': 'application/json', 'x-github-event': 'ping' },
    '{"zen":"x"}',
  );
  assert.deepEqual(await ping.json(), []);
  assert.equal(refreshes, 2);
});

test('POST /monitor answers 400 problem+json for unreadable payloads and 413 above the body limit', async (t) => {
  const post = await monitorServer(t, { maxBodyBytes: 256 });
  const bad: Array<[Record<string, string>, string]> = [
    [{ 'content-type': 'application/json', 'x-github-event': 'push' }, '{not json'],
    [{ 'content-type': 'application/json', 'x-gitlab-event': 'Push Hook' }, '{"commits":"x"}'],
    [
      { 'content-type': 'application/json', 'x-gitea-event': 'push' },
      '{"commits":[{"added":[1]}]}',
    ],
    [{ 'content-type': 'application/json' }, '{"other":1}'],
    [{ 'content-type': 'application/x-www-form-urlencoded' }, 'nopath=1'],
    [{ 'content-type': 'text/plain' }, 'path=x'],
  ];
  for (const [headers, body] of bad) {
    const response = await post(headers, body);
    assert.equal(response.status, 400, body);
    assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.equal(((await response.json()) as { code: string }).code, 'CFG_ERR_BAD_REQUEST');
  }
  const large = await post(
    { 'content-type': 'application/x-www-form-urlencoded' },
    `path=${'a'.repeat(300)}`,
  );
  assert.equal(large.status, 413);
  assert.equal(((await large.json()) as { code: string }).code, 'CFG_ERR_PAYLOAD_TOO_LARGE');
});

test('POST /monitor publishes one bus refresh per affected application, and still answers 200 when the bus fails', async (t) => {
  const published: string[] = [];
  let isBusUp = true;
  const post = await monitorServer(t, {
    bus: () => ({
      publishRefresh: async (destination: string) => {
        if (!isBusUp) throw new Error('broker down');
        published.push(destination);
      },
    }),
  });
  const hook = { 'content-type': 'application/json', 'x-github-event': 'push' };
  const body = JSON.stringify({ commits: [{ modified: ['orders-dev.yml', 'application.yml'] }] });
  const response = await post(hook, body);
  assert.equal(response.status, 200);
  assert.deepEqual(published.sort(), ['*', 'orders-dev', 'orders:dev']);
  isBusUp = false;
  const down = await post(hook, body);
  assert.equal(down.status, 200);
  assert.deepEqual(await down.json(), ['orders:dev', 'orders-dev', '*']);
});

test('POST /monitor publishes nothing while the bus is not running', async (t) => {
  const post = await monitorServer(t, { bus: () => null });
  const response = await post(
    { 'content-type': 'application/x-www-form-urlencoded' },
    'path=users.yml',
  );
  assert.deepEqual(await response.json(), ['users']);
});
