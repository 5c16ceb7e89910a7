import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSilentLogger, isStratusError } from '@stratus/core';
import { createApplication, type Application } from '../index.js';

const ADMIN = `Basic ${Buffer.from('admin:s3cret-pw').toString('base64')}`;
const WITH_PASSWORD = [
  '--spring.security.user.name=admin',
  '--spring.security.user.password=s3cret-pw',
];

async function create(t: TestContext, flags: string[], yaml = ''): Promise<Application> {
  const dir = await mkdtemp(join(tmpdir(), 'stratus-exposure-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'application.yml'), yaml);
  const app = await createApplication({
    name: 'demo-service',
    baseDir: dir,
    argv: [
      '--server.port=0',
      '--server.address=127.0.0.1',
      '--eureka.client.enabled=false',
      `--stratus.data-dir=${join(dir, 'data')}`,
      ...flags,
    ],
    env: {},
    logger: createSilentLogger(),
  });
  t.after(() => app.close());
  return app;
}

async function start(t: TestContext, flags: string[], yaml = ''): Promise<string> {
  const app = await create(t, flags, yaml);
  await app.start();
  return `http://127.0.0.1:${app.port}`;
}

async function status(url: string, init: RequestInit = {}): Promise<number> {
  const response = await fetch(url, init);
  await response.arrayBuffer();
  return response.status;
}

async function links(base: string, path = '/actuator'): Promise<string[]> {
  const body = (await (await fetch(`${base}${path}`)).json()) as {
    _links: Record<string, unknown>;
  };
  return Object.keys(body._links).sort();
}

test('only health is exposed by default, as in Spring Boot: the rest is a plain 404 with no link', async (t) => {
  const base = await start(t, WITH_PASSWORD);
  assert.equal(await status(`${base}/actuator/health`), 200);
  assert.equal(await status(`${base}/actuator/health/liveness`), 200);
  const unknown = await fetch(`${base}/actuator/nothing-here`);
  const unknownBody = (await unknown.json()) as Record<string, unknown>;
  for (const path of [
    '/actuator/info',
    '/actuator/env',
    '/actuator/metrics',
    '/actuator/prometheus',
  ]) {
    for (const authorization of [undefined, ADMIN]) {
      const response = await fetch(`${base}${path}`, {
        headers: authorization ? { authorization } : {},
      });
      assert.equal(response.status, 404, `${path} hidden, never 401`);
      const body = (await response.json()) as Record<string, unknown>;
      assert.equal(body.code, unknownBody.code);
      assert.equal(body.detail, unknownBody.detail);
    }
  }
  assert.equal(
    await status(`${base}/actuator/refresh`, { method: 'POST', headers: { authorization: ADMIN } }),
    404,
  );
  assert.deepEqual(await links(base), ['health', 'health-path', 'self']);
});

test("the seed's include list exposes its endpoints; ids Stratus lacks (beans) are ignored", async (t) => {
  const base = await start(t, [
    ...WITH_PASSWORD,
    '--management.endpoints.web.exposure.include=refresh, health, beans, busrefresh, info, metrics, prometheus',
  ]);
  assert.deepEqual(await links(base), [
    'busrefresh',
    'health',
    'health-path',
    'info',
    'metrics',
    'metrics-requiredMetricName',
    'prometheus',
    'refresh',
    'self',
  ]);
  assert.equal(await status(`${base}/actuator/env`, { headers: { authorization: ADMIN } }), 404);
  assert.equal(
    await status(`${base}/actuator/metrics`, { headers: { authorization: ADMIN } }),
    200,
  );
  assert.equal(await status(`${base}/actuator/beans`, { headers: { authorization: ADMIN } }), 404);
});

test('include * exposes every endpoint, exclude wins over include, and exclude * hides them all', async (t) => {
  const some = await start(t, [
    ...WITH_PASSWORD,
    '--management.endpoints.web.exposure.include=*',
    '--management.endpoints.web.exposure.exclude=env, Refresh',
  ]);
  assert.deepEqual(await links(some), [
    'bulkheadevents',
    'bulkheads',
    'busenv',
    'busrefresh',
    'circuitbreakerevents',
    'circuitbreakers',
    'health',
    'health-path',
    'httpexchanges',
    'httptrace',
    'info',
    'metrics',
    'metrics-requiredMetricName',
    'prometheus',
    'ratelimiterevents',
    'ratelimiters',
    'retries',
    'retryevents',
    'self',
    'timelimiterevents',
    'timelimiters',
  ]);
  assert.equal(await status(`${some}/actuator/env`, { headers: { authorization: ADMIN } }), 404);
  const none = await start(t, [
    '--management.endpoints.web.exposure.include=*',
    '--management.endpoints.web.exposure.exclude=*',
  ]);
  assert.deepEqual(await links(none), ['self']);
  assert.equal(await status(`${none}/actuator/health`), 404);
});

test('a YAML list works as Spring binds it', async (t) => {
  const base = await start(
    t,
    [],
    'management:\n  endpoints:\n    web:\n      exposure:\n        include:\n          - health\n          - info\n',
  );
  assert.deepEqual(await links(base), ['health', 'health-path', 'info', 'self']);
});

test('health, info and prometheus are open; other exposed endpoints need the management credentials', async (t) => {
  const base = await start(t, [...WITH_PASSWORD, '--management.endpoints.web.exposure.include=*']);
  for (const path of ['/actuator/health', '/actuator/info', '/actuator/prometheus'])
    assert.equal(await status(`${base}${path}`), 200, path);
  for (const path of ['/actuator/env', '/actuator/metrics', '/actuator/metrics/process.uptime']) {
    const denied = await fetch(`${base}${path}`);
    assert.equal(denied.status, 401, path);
    assert.equal(denied.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.match(denied.headers.get('www-authenticate') ?? '', /^Basic realm="actuator"/);
    assert.equal(((await denied.json()) as { code: string }).code, 'BOOT_ERR_UNAUTHORIZED');
    assert.notEqual(
      await status(`${base}${path}`, { headers: { authorization: ADMIN } }),
      401,
      path,
    );
  }
  const wrong = `Basic ${Buffer.from('admin:guess').toString('base64')}`;
  assert.equal(await status(`${base}/actuator/env`, { headers: { authorization: wrong } }), 401);
  assert.equal(await status(`${base}/actuator/refresh`, { method: 'POST' }), 401);
  assert.equal(
    await status(`${base}/actuator/refresh`, { method: 'POST', headers: { authorization: ADMIN } }),
    200,
  );
});

test('without spring.security.user.password the protected endpoints refuse everyone', async (t) => {
  const base = await start(t, ['--management.endpoints.web.exposure.include=*']);
  assert.equal(await status(`${base}/actuator/prometheus`), 200);
  const anything = `Basic ${Buffer.from('user:').toString('base64')}`;
  assert.equal(await status(`${base}/actuator/env`), 401);
  assert.equal(await status(`${base}/actuator/env`, { headers: { authorization: anything } }), 401);
});

test('access none or enabled false removes an endpoint; read-only drops its writes; max-permitted caps', async (t) => {
  const base = await start(t, [
    ...WITH_PASSWORD,
    '--management.endpoints.web.exposure.include=*',
    '--management.endpoint.env.enabled=false',
    '--management.endpoint.info.access=NONE',
    '--management.endpoint.refresh.access=read-only',
    '--management.endpoint.metrics.enabled=false',
    '--management.endpoint.metrics.access=unrestricted',
  ]);
  assert.equal(await status(`${base}/actuator/env`, { headers: { authorization: ADMIN } }), 404);
  assert.equal(await status(`${base}/actuator/info`), 404);
  assert.equal(
    await status(`${base}/actuator/refresh`, { method: 'POST', headers: { authorization: ADMIN } }),
    404,
  );
  assert.equal(
    await status(`${base}/actuator/metrics`, { headers: { authorization: ADMIN } }),
    200,
    'access wins over enabled',
  );
  assert.deepEqual(await links(base), [
    'bulkheadevents',
    'bulkheads',
    'busenv',
    'busrefresh',
    'circuitbreakerevents',
    'circuitbreakers',
    'health',
    'health-path',
    'httpexchanges',
    'httptrace',
    'metrics',
    'metrics-requiredMetricName',
    'prometheus',
    'ratelimiterevents',
    'ratelimiters',
    'retries',
    'retryevents',
    'self',
    'timelimiterevents',
    'timelimiters',
  ]);

  const capped = await start(t, [
    ...WITH_PASSWORD,
    '--management.endpoints.web.exposure.include=*',
    '--management.endpoints.access.max-permitted=read-only',
  ]);
  assert.equal(
    await status(`${capped}/actuator/refresh`, {
      method: 'POST',
      headers: { authorization: ADMIN },
    }),
    404,
  );
  assert.equal(await status(`${capped}/actuator/env`, { headers: { authorization: ADMIN } }), 200);

  const optIn = await start(t, [
    '--management.endpoints.web.exposure.include=*',
    '--management.endpoints.enabled-by-default=false',
    '--management.endpoint.health.enabled=true',
  ]);
  assert.deepEqual(await links(optIn), ['health', 'health-path', 'self']);
});

test('base-path and path-mapping move the endpoints; base-path / has no discovery page', async (t) => {
  const moved = await start(t, [
    '--management.endpoints.web.exposure.include=health,prometheus',
    '--management.endpoints.web.base-path=/manage/',
    '--management.endpoints.web.path-mapping.health=healthcheck',
  ]);
  assert.equal(await status(`${moved}/manage/healthcheck`), 200);
  assert.equal(await status(`${moved}/manage/healthcheck/readiness`), 200);
  assert.equal(await status(`${moved}/manage/prometheus`), 200);
  assert.equal(await status(`${moved}/actuator/health`), 404);
  const body = (await (await fetch(`${moved}/manage`)).json()) as {
    _links: Record<string, { href: string }>;
  };
  assert.equal(body._links.health?.href, `${moved}/manage/healthcheck`);

  const root = await start(t, ['--management.endpoints.web.base-path=/']);
  assert.equal(await status(`${root}/health`), 200);
  assert.equal(await status(`${root}/actuator`), 404);
});

test('an invalid management value stops start-up naming the key and what was expected', async (t) => {
  const cases: Array<[string, RegExp]> = [
    [
      '--management.endpoint.env.access=sometimes',
      /management\.endpoint\.env\.access: 'sometimes' is not an access level; expected none, read-only or unrestricted/,
    ],
    [
      '--management.endpoint.health.enabled=yes',
      /management\.endpoint\.health\.enabled: 'yes' is not a boolean; expected true or false/,
    ],
    [
      '--management.endpoints.web.base-path=actuator',
      /management\.endpoints\.web\.base-path: 'actuator' must start with '\/'/,
    ],
    [
      '--management.endpoints.web.path-mapping.health=../x',
      /path-mapping\.health: '\.\.\/x' is not a path/,
    ],
  ];
  for (const [flag, message] of cases) {
    await assert.rejects(create(t, [flag]), (error: unknown) => {
      assert.ok(isStratusError(error));
      assert.equal(error.code, 'BOOT_ERR_INVALID_CONFIG');
      assert.match(error.message, message);
      return true;
    });
  }
});

test('stratus.management.public-endpoints overrides which exposed endpoints are open', async (t) => {
  const base = await start(t, [
    ...WITH_PASSWORD,
    '--management.endpoints.web.exposure.include=*',
    '--stratus.management.public-endpoints=health',
  ]);
  assert.equal(await status(`${base}/actuator/health`), 200);
  assert.equal(await status(`${base}/actuator/prometheus`), 401);
  assert.equal(await status(`${base}/actuator/info`, { headers: { authorization: ADMIN } }), 200);
});

test("addEndpoint adds an endpoint under the same rules, matching ids as Spring's EndpointId", async (t) => {
  const app = await create(t, [
    ...WITH_PASSWORD,
    '--management.endpoints.web.exposure.include=health,cache-purge',
  ]);
  let calls = 0;
  const cachepurge = app.actuator.addEndpoint({
    id: 'cachepurge',
    operations: [
      {
        method: 'POST',
        handler: async (_request, reply) => {
          calls++;
          return reply.code(204).send();
        },
      },
    ],
  });
  const cachestats = app.actuator.addEndpoint({
    id: 'cachestats',
    operations: [{ method: 'POST', handler: async (_request, reply) => reply.code(204).send() }],
  });
  assert.equal(cachepurge, true);
  assert.equal(cachestats, false);
  assert.equal(app.actuator.isExposed('cachePurge'), true);
  await app.start();
  const base = `http://127.0.0.1:${app.port}`;
  assert.equal(await status(`${base}/actuator/cachepurge`, { method: 'POST' }), 401);
  assert.equal(
    await status(`${base}/actuator/cachepurge`, {
      method: 'POST',
      headers: { authorization: ADMIN },
    }),
    204,
  );
  assert.equal(
    await status(`${base}/actuator/cachestats`, {
      method: 'POST',
      headers: { authorization: ADMIN },
    }),
    404,
  );
  assert.equal(calls, 1);
  assert.deepEqual(await links(base), ['cachepurge', 'health', 'health-path', 'self']);
});
