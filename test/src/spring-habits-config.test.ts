// Configuration habits from the Spring Cloud course, end to end with real servers and processes:
// `docker run -e "spring.cloud.config.uri=…" -e "eureka.client.serviceUrl.defaultZone=…"`, a
// bootstrap.yml holding only the config client settings, and a native config server reading
// `file://${user.home}/native-file-repo`.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApplication } from '@stratus/boot';
import { createConfigServer } from '@stratus/config-server';
import { createSilentLogger } from '@stratus/core';
import { createRegistryServer } from '@stratus/registry';
import { call, eventually, freePort, tempDir } from './support.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CATALOG_MAIN = join(ROOT, 'services/catalog/dist/main.js');
const STRATUS_CLI = join(ROOT, 'packages/cli/bin/stratus.js');
const logger = createSilentLogger();
const MANAGEMENT = { user: 'actuator', password: 'habits-test-password' };

/** A native config server over a temporary repository holding `files`; returns its URL. */
async function startConfigServer(t: TestContext, files: Record<string, string>): Promise<string> {
  const repo = await tempDir(t, 'stratus-habits-repo-');
  for (const [name, text] of Object.entries(files)) await writeFile(join(repo, name), text);
  const app = await createConfigServer({
    argv: [
      '--server.port=0',
      '--server.address=127.0.0.1',
      '--spring.profiles.active=native',
      `--spring.cloud.config.server.native.search-locations=file:${repo}`,
      '--eureka.client.enabled=false',
      '--spring.config.import=',
      `--stratus.data-dir=${await tempDir(t, 'stratus-habits-cfgdata-')}`,
    ],
    env: {},
    logger,
  });
  await app.start();
  t.after(() => app.close());
  return `http://127.0.0.1:${app.port}`;
}

async function startRegistry(t: TestContext): Promise<string> {
  const registry = await createRegistryServer({
    argv: [
      '--server.port=0',
      '--server.address=127.0.0.1',
      '--spring.config.import=',
      '--eureka.server.response-cache-update-interval-ms=500',
    ],
    env: {},
    logger,
  });
  await registry.start();
  t.after(() => registry.close());
  return `http://127.0.0.1:${registry.port}`;
}

/** Spawns a node script with exactly `env` (plus PATH); stopped and awaited after the test. */
function spawnNode(t: TestContext, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
  });
  child.once('exit', (code) => {
    if (code !== 0 && code !== null) t.diagnostic(output.join('').slice(-4000));
  });
  return child;
}

interface EurekaApp {
  application: { instance: Array<{ port: { $: number }; status: string }> };
}

/** Waits until the registry lists CATALOG-SERVICE UP; returns the instance's port. */
async function registeredCatalogPort(registry: string, child: ChildProcess): Promise<number> {
  return eventually(
    'catalog-service registered',
    async () => {
      if (child.exitCode !== null) throw new Error(`catalog-service exited with ${child.exitCode}`);
      const r = await call<EurekaApp>(`${registry}/eureka/apps/CATALOG-SERVICE`, {
        headers: { accept: 'application/json' },
      });
      const up =
        r.status === 200 ? r.body.application.instance.find((i) => i.status === 'UP') : undefined;
      return up?.port.$;
    },
    90_000,
  );
}

const basic = `Basic ${Buffer.from(`${MANAGEMENT.user}:${MANAGEMENT.password}`).toString('base64')}`;

for (const [style, names] of [
  [
    'dotted names as in docker run -e',
    {
      uri: 'spring.cloud.config.uri',
      zone: 'eureka.client.serviceUrl.defaultZone',
      importKey: 'spring.config.import',
      dataDir: 'stratus.data-dir',
      user: 'spring.security.user.name',
      password: 'spring.security.user.password',
      exposure: 'management.endpoints.web.exposure.include',
      address: 'server.address',
    },
  ],
  [
    'SPRING_CLOUD_CONFIG_URI-style names',
    {
      uri: 'SPRING_CLOUD_CONFIG_URI',
      zone: 'EUREKA_CLIENT_SERVICEURL_DEFAULTZONE',
      importKey: 'SPRING_CONFIG_IMPORT',
      dataDir: 'STRATUS_DATA_DIR',
      user: 'SPRING_SECURITY_USER_NAME',
      password: 'SPRING_SECURITY_USER_PASSWORD',
      exposure: 'MANAGEMENT_ENDPOINTS_WEB_EXPOSURE_INCLUDE',
      address: 'SERVER_ADDRESS',
    },
  ],
] as const) {
  test(
    `a service started with the config server URI and eureka defaultZone as ${style} reads its configuration and registers`,
    { timeout: 180_000 },
    async (t) => {
      const registry = await startRegistry(t);
      const configServer = await startConfigServer(t, {
        'catalog-service.yml': [
          'stratus.test.marker: from-config-server',
          'management.endpoint.env.show-values: always',
          '',
        ].join('\n'),
      });
      const child = spawnNode(t, [CATALOG_MAIN], {
        [names.uri]: configServer,
        [names.zone]: `${registry}/eureka/`,
        // The catalog's application.yml imports configserver:http://127.0.0.1:8888; as in Spring,
        // a URL in the import wins over spring.cloud.config.uri, so the run clears it.
        [names.importKey]: 'optional:configserver:',
        [names.dataDir]: await tempDir(t, 'stratus-habits-catalog-'),
        [names.user]: MANAGEMENT.user,
        [names.password]: MANAGEMENT.password,
        [names.exposure]: 'health,info,env',
        [names.address]: '127.0.0.1',
        STRATUS_LOG_FORMAT: 'json',
      });
      const port = await registeredCatalogPort(registry, child);
      const marker = await call<{ property: { source: string; value: unknown } }>(
        `http://127.0.0.1:${port}/actuator/env/stratus.test.marker`,
        { headers: { authorization: basic } },
      );
      assert.equal(marker.status, 200, JSON.stringify(marker.body));
      assert.equal(marker.body.property.value, 'from-config-server');
      assert.match(marker.body.property.source, /^configserver:.*catalog-service\.yml/);
    },
  );
}

test(
  'a service whose only config-server settings are in bootstrap.yml with spring.cloud.config.name: ecommerce receives ecommerce.yml',
  { timeout: 120_000 },
  async (t) => {
    const configServer = await startConfigServer(t, {
      'ecommerce.yml': 'token:\n  expiration_time: 864000000\n  secret: from-ecommerce-yml\n',
      'user-service.yml': 'token:\n  secret: from-user-service-yml\n',
    });
    const service = await tempDir(t, 'stratus-habits-service-');
    // The seed's bootstrap.yml, with this test's config server port.
    await writeFile(
      join(service, 'bootstrap.yml'),
      `spring:\n  cloud:\n    config:\n      uri: ${configServer}\n      name: ecommerce\n`,
    );
    await writeFile(
      join(service, 'application.yml'),
      'server:\n  port: 0\nspring:\n  application:\n    name: user-service\neureka:\n  client:\n    enabled: false\n',
    );
    const app = await createApplication({
      name: 'user-service',
      baseDir: service,
      argv: ['--server.address=127.0.0.1', `--stratus.data-dir=${join(service, 'data')}`],
      env: {},
      logger,
    });
    t.after(() => app.close());
    await app.start();
    assert.equal(app.config.get('token.secret'), 'from-ecommerce-yml');
    assert.equal(app.config.get('token.expiration_time'), 864000000);
    const source = app.config.environment.lookupRaw('token.secret')?.source ?? '';
    assert.match(source, /^configserver:.*ecommerce\.yml$/);
    assert.equal(app.config.get('spring.application.name'), 'user-service');
  },
);

test(
  'a config server with search-locations: file://${user.home}/native-file-repo serves that folder',
  { timeout: 120_000 },
  async (t) => {
    const home = await tempDir(t, 'stratus-habits-home-');
    await mkdir(join(home, 'native-file-repo'));
    await writeFile(join(home, 'native-file-repo', 'ecommerce.yml'), 'greeting: from-user-home\n');
    const port = await freePort();
    const child = spawnNode(
      t,
      [
        STRATUS_CLI,
        'config-server',
        `--server.port=${port}`,
        '--server.address=127.0.0.1',
        '--spring.profiles.active=native',
        // Exactly as the seed writes it; ${user.home} is Java's system property, here os.homedir().
        '--spring.cloud.config.server.native.search-locations=file://${user.home}/native-file-repo',
        '--eureka.client.enabled=false',
        `--stratus.data-dir=${join(home, 'data')}`,
      ],
      { HOME: home, STRATUS_LOG_FORMAT: 'json' },
    );
    const env = await eventually(
      'config server answering',
      async () => {
        if (child.exitCode !== null) throw new Error(`config server exited with ${child.exitCode}`);
        const r = await call<{
          propertySources: Array<{ name: string; source: Record<string, unknown> }>;
        }>(`http://127.0.0.1:${port}/ecommerce/default`);
        return r.status === 200 ? r.body : undefined;
      },
      60_000,
    );
    assert.equal(env.propertySources[0]?.source['greeting'], 'from-user-home');
    assert.ok(
      env.propertySources[0]?.name.includes(join(home, 'native-file-repo', 'ecommerce.yml')),
    );
  },
);
