// Central configuration in a mixed fleet, both ways (docs/mixed-fleet.md): the Spring Boot
// service (spring-cloud-starter-config) reads its configuration, {cipher} values included, from
// Stratus config servers — one with a symmetric key whose values the Java client decrypts itself
// (encrypt.key), one with a keytool JKS key store that decrypts on the server — and a Stratus
// service reads its configuration from Spring Cloud Config Server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { call, tempDir } from './support.js';
import {
  freePorts,
  healthy,
  skipUnlessCi,
  springJars,
  startJava,
  startStratusServer,
  startStratusService,
} from './interop-support.js';

const run = promisify(execFile);
const { jars, reason } = await springJars('service', 'config-server');
const skip = skipUnlessCi(reason);

const SYMMETRIC_KEY = 'interop-symmetric-key-5f1b9c2e';

/** `POST /encrypt` on a config server (Spring's or Stratus's), as the course's curl does. */
async function encrypt(server: string, plain: string): Promise<string> {
  const response = await call<string>(`${server}/encrypt`, {
    body: plain,
    headers: { 'content-type': 'text/plain' },
  });
  assert.equal(response.status, 200, `${server}/encrypt: ${String(response.body)}`);
  return `{cipher}${String(response.body).trim()}`;
}

test(
  'the Spring service reads its configuration and {cipher} values (symmetric, key store) from Stratus config servers',
  { skip, timeout: 240_000 },
  async (t) => {
    const dir = await tempDir(t, 'stratus-interop-config-');
    const symmetricRepo = join(dir, 'symmetric');
    const keystoreRepo = join(dir, 'keystore');
    await Promise.all([mkdir(symmetricRepo), mkdir(keystoreRepo)]);
    // The seed's keytool command (JKS, key password = store password).
    const keystore = join(dir, 'interop.jks');
    await run('keytool', [
      '-genkeypair',
      '-alias',
      'interop',
      '-keyalg',
      'RSA',
      '-keysize',
      '2048',
      '-dname',
      'CN=Interop, OU=Development, O=stratus, L=Seoul, C=KR',
      '-keypass',
      'example1234',
      '-keystore',
      keystore,
      '-storepass',
      'example1234',
      '-storetype',
      'JKS',
    ]);
    const ports = await freePorts('symmetric', 'keystore', 'spring');
    // The client holds the key and decrypts, so this server passes {cipher} values through.
    const symmetric = startStratusServer(t, 'config-server', ports.symmetric, [
      '--spring.profiles.active=native',
      `--spring.cloud.config.server.native.search-locations=file:${symmetricRepo}`,
      `--encrypt.key=${SYMMETRIC_KEY}`,
      '--spring.cloud.config.server.encrypt.enabled=false',
    ]);
    const keyStore = startStratusServer(t, 'config-server', ports.keystore, [
      '--spring.profiles.active=native',
      `--spring.cloud.config.server.native.search-locations=file:${keystoreRepo}`,
      `--encrypt.key-store.location=file:${keystore}`,
      '--encrypt.key-store.alias=interop',
      '--encrypt.key-store.password=example1234',
    ]);
    await Promise.all([healthy(symmetric), healthy(keyStore)]);

    await writeFile(
      join(symmetricRepo, 'spring-service.yml'),
      [
        'interop:',
        '  greeting: hello from the Stratus config server',
        `  symmetric-secret: '${await encrypt(symmetric.url, 'symmetric s3cret')}'`,
        '',
      ].join('\n'),
    );
    await writeFile(
      join(keystoreRepo, 'application.yml'),
      `interop:\n  keystore-secret: '${await encrypt(keyStore.url, 'key store s3cret')}'\n`,
    );

    const spring = startJava(t, 'spring-service', jars.service, ports.spring, [
      `--spring.config.import=configserver:http://127.0.0.1:${ports.symmetric},configserver:http://127.0.0.1:${ports.keystore}`,
      `--encrypt.key=${SYMMETRIC_KEY}`,
      '--eureka.client.enabled=false',
      '--management.tracing.export.enabled=false',
    ]);
    await healthy(spring);
    const values = await call<Record<string, string | null>>(
      `${spring.url}/config?key=interop.greeting&key=interop.symmetric-secret&key=interop.keystore-secret`,
    );
    assert.equal(values.status, 200);
    assert.deepEqual(values.body, {
      'interop.greeting': 'hello from the Stratus config server',
      'interop.symmetric-secret': 'symmetric s3cret',
      'interop.keystore-secret': 'key store s3cret',
    });
  },
);

test(
  'a Stratus service reads its configuration, profile files and {cipher} values from Spring Cloud Config Server',
  { skip, timeout: 240_000 },
  async (t) => {
    const repo = await tempDir(t, 'stratus-interop-spring-config-');
    const ports = await freePorts('config', 'stratus');
    const server = startJava(t, 'spring config server', jars['config-server'], ports.config, [
      `--spring.cloud.config.server.native.search-locations=file:${repo}`,
      `--encrypt.key=${SYMMETRIC_KEY}`,
    ]);
    await healthy(server);
    await writeFile(
      join(repo, 'application.yml'),
      'interop:\n  shared: from application.yml\n  greeting: overridden below\n',
    );
    await writeFile(
      join(repo, 'stratus-service.yml'),
      [
        'interop:',
        '  greeting: hello from Spring Cloud Config',
        `  secret: '${await encrypt(server.url, 'spring s3cret')}'`,
        '',
      ].join('\n'),
    );
    await writeFile(join(repo, 'stratus-service-dev.yml'), 'interop:\n  profile: dev wins\n');

    const stratus = startStratusService(t, 'stratus-service', ports.stratus, [
      `--spring.config.import=configserver:http://127.0.0.1:${ports.config}`,
      '--spring.profiles.active=dev',
      '--eureka.client.enabled=false',
      '--stratus.tracing.embedded.enabled=false',
    ]);
    await healthy(stratus);
    const keys = ['shared', 'greeting', 'secret', 'profile'].map((k) => `key=interop.${k}`);
    const values = await call<Record<string, unknown>>(`${stratus.url}/config?${keys.join('&')}`);
    assert.equal(values.status, 200);
    assert.deepEqual(values.body, {
      'interop.shared': 'from application.yml',
      'interop.greeting': 'hello from Spring Cloud Config',
      'interop.secret': 'spring s3cret',
      'interop.profile': 'dev wins',
    });
  },
);
