// The unmodified npm `cloud-config-client` (1.6.2, CommonJS) reading from a real Stratus config
// server (spring-wire.md §2.6): it sends no Accept header, needs status 200 and reads only
// `propertySources[].source` (index 0 wins).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createSilentLogger } from '@stratus/core';
import { createTextEncryptor } from '@stratus/config';
import { createConfigServer } from '@stratus/config-server';
import { tempDir } from './support.js';

interface CloudConfig {
  get(key: string): unknown;
  readonly properties: Record<string, unknown>;
  readonly raw: { name: string; profiles: string[]; label: string | null; version: string | null };
}
interface CloudConfigClient {
  load(options: {
    endpoint: string;
    name: string;
    profiles?: string | string[];
    label?: string;
  }): Promise<CloudConfig>;
}
const cloudConfigClient = createRequire(import.meta.url)(
  'cloud-config-client',
) as CloudConfigClient;

const ENCRYPT_KEY = 'cloud-config-client-test-key';

async function writeRepo(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  }
}

/** A native config server over a temp repository; returns its endpoint. */
async function startServer(t: TestContext, files: Record<string, string>): Promise<string> {
  const repo = await tempDir(t, 'stratus-ccc-repo-');
  const data = await tempDir(t, 'stratus-ccc-data-');
  await writeRepo(repo, files);
  const app = await createConfigServer({
    argv: [
      '--server.port=0',
      '--server.address=127.0.0.1',
      '--spring.profiles.active=native',
      `--spring.cloud.config.server.native.search-locations=file:${repo}`,
      '--eureka.client.enabled=false',
      '--spring.config.import=',
      `--stratus.data-dir=${data}`,
      `--encrypt.key=${ENCRYPT_KEY}`,
    ],
    env: {},
    logger: createSilentLogger(),
  });
  await app.start();
  t.after(() => app.close());
  return `http://127.0.0.1:${app.port}`;
}

const encryptor = createTextEncryptor({ key: ENCRYPT_KEY });
const REPO = {
  'application.yml': [
    'shared: from-application',
    'greeting: application-default',
    'list:',
    '  - a',
    '  - b',
    '---',
    'spring.config.activate.on-profile: dev',
    'shared: application-dev-document',
    '',
  ].join('\n'),
  'shop.yml': [
    'greeting: shop',
    'port: 8080',
    'enabled: true',
    `db.password: '{cipher}${encryptor.encrypt('pa55-w0rd')}'`,
    `broken: '{cipher}${createTextEncryptor({ key: 'another-key' }).encrypt('x')}'`,
    '---',
    'spring:',
    '  config:',
    '    activate:',
    '      on-profile: mysql',
    'pool: 10',
    'greeting: shop-mysql-document',
    '',
  ].join('\n'),
  'shop-dev.yml': 'greeting: shop-dev\ndev.only: yes-dev\n',
  'shop-mysql.properties': 'db.url=jdbc:mysql://db/shop\n',
  'v2/shop.yml': 'greeting: shop-v2\nlabelled: true\n',
};

test('reads the shared application.yml and the app file with plain values (no {value, origin})', async (t) => {
  const endpoint = await startServer(t, REPO);
  const config = await cloudConfigClient.load({ endpoint, name: 'shop' });
  assert.equal(config.get('greeting'), 'shop', 'the app file beats application.yml');
  assert.equal(config.get('shared'), 'from-application');
  assert.equal(config.get('port'), 8080, 'YAML numbers keep their type');
  assert.equal(config.get('enabled'), true);
  assert.equal(config.get('list[1]'), 'b');
  assert.equal(config.get('pool'), undefined, 'the mysql document is not active');
  for (const [key, value] of Object.entries(config.properties))
    assert.ok(value === null || typeof value !== 'object', `${key} is a plain value`);
  assert.deepEqual(config.raw.profiles, ['default']);
});

test('reads a comma list of profiles with the last one winning, plus on-profile documents', async (t) => {
  const endpoint = await startServer(t, REPO);
  const config = await cloudConfigClient.load({
    endpoint,
    name: 'shop',
    profiles: ['dev', 'mysql'],
  });
  assert.deepEqual(config.raw.profiles, ['dev', 'mysql']);
  assert.equal(
    config.get('greeting'),
    'shop-dev',
    'a profile file beats an on-profile document of the base file',
  );
  assert.equal(config.get('db.url'), 'jdbc:mysql://db/shop', '.properties profile file');
  assert.equal(config.get('dev.only'), 'yes-dev');
  assert.equal(config.get('pool'), 10, 'in-file on-profile: mysql document');
  assert.equal(config.get('shared'), 'application-dev-document', 'application.yml dev document');

  const single = await cloudConfigClient.load({ endpoint, name: 'shop', profiles: 'mysql' });
  assert.equal(single.get('greeting'), 'shop-mysql-document');
});

test('reads a label as a sub-folder of the native repository', async (t) => {
  const endpoint = await startServer(t, REPO);
  const config = await cloudConfigClient.load({ endpoint, name: 'shop', label: 'v2' });
  assert.equal(config.raw.label, 'v2');
  assert.equal(config.get('greeting'), 'shop-v2', 'the labelled folder wins');
  assert.equal(config.get('labelled'), true);
  assert.equal(config.get('port'), 8080, 'the unlabelled files stay below it');
});

test('receives {cipher} values decrypted by the server, and invalid.<key> for a foreign key', async (t) => {
  const endpoint = await startServer(t, REPO);
  const config = await cloudConfigClient.load({ endpoint, name: 'shop' });
  assert.equal(config.get('db.password'), 'pa55-w0rd');
  assert.equal(config.get('broken'), undefined);
  assert.equal(config.get('invalid.broken'), '<n/a>');
  assert.ok(!JSON.stringify(config.raw).includes('{cipher}'), 'no cipher text reaches the client');
});

test('an unknown application gets the shared application.yml only', async (t) => {
  const endpoint = await startServer(t, REPO);
  const config = await cloudConfigClient.load({ endpoint, name: 'nobody' });
  assert.equal(config.get('greeting'), 'application-default');
  assert.equal(config.get('db.password'), undefined);
});

/** The same repository as a git repository: `main` holds REPO's root files, branch `v2` changes shop.yml. */
async function startGitServer(t: TestContext): Promise<{ endpoint: string; mainSha: string }> {
  const repo = await tempDir(t, 'stratus-ccc-git-');
  const data = await tempDir(t, 'stratus-ccc-gitdata-');
  const git = (...args: string[]) =>
    execFileSync(
      'git',
      ['-c', 'user.name=Stratus Test', '-c', 'user.email=test@example.com', ...args],
      { cwd: repo },
    )
      .toString()
      .trim();
  git('init', '-q', '-b', 'main');
  await writeRepo(
    repo,
    Object.fromEntries(Object.entries(REPO).filter(([name]) => !name.startsWith('v2/'))),
  );
  git('add', '-A');
  git('commit', '-q', '-m', 'shop configuration');
  const mainSha = git('rev-parse', 'HEAD');
  git('checkout', '-q', '-b', 'v2');
  await writeFile(join(repo, 'shop.yml'), 'greeting: shop-v2-branch\n');
  git('commit', '-q', '-am', 'v2 greeting');
  git('checkout', '-q', 'main');
  const app = await createConfigServer({
    argv: [
      '--server.port=0',
      '--server.address=127.0.0.1',
      `--spring.cloud.config.server.git.uri=${repo}`,
      '--eureka.client.enabled=false',
      '--spring.config.import=',
      `--stratus.data-dir=${data}`,
      `--encrypt.key=${ENCRYPT_KEY}`,
    ],
    env: {},
    logger: createSilentLogger(),
  });
  await app.start();
  t.after(() => app.close());
  return { endpoint: `http://127.0.0.1:${app.port}`, mainSha };
}

test('reads the git backend: default label main with its commit as version, a branch label, profiles and ciphers', async (t) => {
  const { endpoint, mainSha } = await startGitServer(t);
  const config = await cloudConfigClient.load({
    endpoint,
    name: 'shop',
    profiles: ['dev', 'mysql'],
  });
  assert.equal(config.raw.version, mainSha);
  assert.equal(config.get('greeting'), 'shop-dev');
  assert.equal(config.get('pool'), 10);
  assert.equal(config.get('db.url'), 'jdbc:mysql://db/shop');
  assert.equal(config.get('db.password'), 'pa55-w0rd');
  const branch = await cloudConfigClient.load({ endpoint, name: 'shop', label: 'v2' });
  assert.equal(branch.get('greeting'), 'shop-v2-branch');
  assert.notEqual(branch.raw.version, mainSha);
  await assert.rejects(
    cloudConfigClient.load({ endpoint, name: 'shop', label: 'no-such-branch' }),
    /404/,
  );
});
