// One actuator rule on every Stratus server, with the configuration they ship: the registry,
// the config server and the gateway expose health, info and prometheus without credentials
// (so a fleet-wide Prometheus scrapes them all), hide what they do not expose (404, no link),
// and put every other exposed endpoint behind the management credentials — even where the
// server's own HTTP Basic guard (registry, config server) is switched on. The sample
// config-repo exposes what the seed exposes.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createSilentLogger } from '@stratus/core';
import { createApplication, type Application } from '@stratus/boot';
import { createConfigServer } from '@stratus/config-server';
import { createGateway } from '@stratus/gateway';
import { createRegistryServer } from '@stratus/registry';
import { REPO_ROOT } from '@stratus/cli';
import { tempDir } from './support.js';

const ADMIN = `Basic ${Buffer.from('admin:fleet-pw').toString('base64')}`;

type Server = 'registry' | 'config-server' | 'gateway';
const SERVERS: readonly Server[] = ['registry', 'config-server', 'gateway'];

async function startServer(t: TestContext, server: Server, extra: string[]): Promise<string> {
  const dir = await tempDir(t, `stratus-exposure-${server}-`);
  await writeFile(join(dir, 'application.yml'), 'greeting: hello\n');
  const argv = [
    '--server.port=0',
    '--server.address=127.0.0.1',
    '--eureka.client.enabled=false',
    '--spring.config.import=',
    `--stratus.data-dir=${join(dir, 'data')}`,
    '--spring.security.user.name=admin',
    '--spring.security.user.password=fleet-pw',
    ...extra,
  ];
  const options = { argv, env: {}, logger: createSilentLogger() };
  let app: Application;
  if (server === 'registry')
    app = await createRegistryServer({
      ...options,
      argv: [...argv, '--stratus.registry.security.enabled=true'],
    });
  else if (server === 'config-server')
    app = await createConfigServer({
      ...options,
      argv: [
        ...argv,
        '--spring.profiles.active=native',
        `--spring.cloud.config.server.native.search-locations=file:${dir}`,
        '--stratus.config-server.security.enabled=true',
      ],
    });
  else app = await createGateway(options);
  t.after(() => app.close());
  await app.start();
  return `http://127.0.0.1:${app.port}`;
}

async function status(url: string, authorization?: string): Promise<number> {
  const response = await fetch(url, { headers: authorization ? { authorization } : {} });
  await response.arrayBuffer();
  return response.status;
}

for (const server of SERVERS) {
  test(`${server}: the shipped exposure serves health, info and prometheus without credentials, metrics only with them`, async (t) => {
    const base = await startServer(t, server, []);
    for (const path of ['/actuator/health', '/actuator/info', '/actuator/prometheus'])
      assert.equal(await status(`${base}${path}`), 200, `${server} ${path}`);
    const scrape = await (await fetch(`${base}/actuator/prometheus`)).text();
    assert.match(scrape, /^# (HELP|TYPE) /m, 'Prometheus text format');
    const links = (await (await fetch(`${base}/actuator`)).json()) as { _links: object };
    assert.deepEqual(Object.keys(links._links).sort(), [
      'health',
      'health-path',
      'info',
      'metrics',
      'metrics-requiredMetricName',
      'prometheus',
      'self',
    ]);
    // metrics is exposed (DESIGN.md's actuator contract) but protected.
    assert.equal(await status(`${base}/actuator/metrics`), 401);
    // On the config server /actuator/<id> of a hidden endpoint is `/{application}/{profile}`
    // (application `actuator`), as in Spring; the links above show what the actuator serves.
    if (server !== 'config-server') assert.equal(await status(`${base}/actuator/env`, ADMIN), 404);
  });

  test(`${server}: every other exposed endpoint needs the management credentials`, async (t) => {
    const base = await startServer(t, server, ['--management.endpoints.web.exposure.include=*']);
    assert.equal(await status(`${base}/actuator/prometheus`), 200);
    for (const path of ['/actuator/env', '/actuator/metrics']) {
      const denied = await fetch(`${base}${path}`);
      assert.equal(denied.status, 401, `${server} ${path}`);
      assert.match(denied.headers.get('www-authenticate') ?? '', /realm="actuator"/);
      assert.equal(await status(`${base}${path}`, ADMIN), 200, `${server} ${path}`);
    }
  });
}

test('the sample config-repo exposes what the seed exposes, plus env and loggers', async (t) => {
  const dir = await tempDir(t, 'stratus-exposure-repo-');
  // config-repo/application.yml read as an application's own file, as every service gets it.
  const app = await createApplication({
    name: 'demo-service',
    baseDir: resolve(REPO_ROOT, 'config-repo'),
    argv: [
      '--server.port=0',
      '--server.address=127.0.0.1',
      '--eureka.client.enabled=false',
      '--spring.config.import=',
      `--stratus.data-dir=${join(dir, 'data')}`,
    ],
    env: {},
    logger: createSilentLogger(),
  });
  t.after(() => app.close());
  await app.start();
  const base = `http://127.0.0.1:${app.port}`;
  const links = (await (await fetch(`${base}/actuator`)).json()) as { _links: object };
  const ids = Object.keys(links._links).filter((rel) => !rel.includes('-') && rel !== 'self');
  assert.deepEqual(ids.sort(), [
    'busrefresh',
    'env',
    'health',
    'httpexchanges',
    'info',
    'metrics',
    'prometheus',
    'refresh',
  ]);
  // loggers and beans are exposed too; Stratus has no endpoint of those ids to show.
  assert.equal(app.actuator.isExposed('loggers'), true);
  assert.equal(app.actuator.isExposed('beans'), true);
  const dev = `Basic ${Buffer.from('admin:stratus-dev').toString('base64')}`;
  assert.equal(await status(`${base}/actuator/env`), 401);
  assert.equal(await status(`${base}/actuator/env`, dev), 200);
  assert.equal(await status(`${base}/actuator/prometheus`), 200);
});
