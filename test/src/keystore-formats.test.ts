// Key store formats against Java: one RSA key, put by the machine's keytool into PKCS#12, JKS
// and JCEKS stores with different passwords; Spring's own KeyStoreKeyFactory + RsaSecretEncryptor
// (spring-security-crypto, run on the machine's Java) and Stratus encrypt and decrypt across all
// three, and a Stratus config server reads `encrypt.key-store.location: classpath:/server.jks`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKeyStoreEncryptor } from '@stratus/config';
import { createConfigServer } from '@stratus/config-server';
import { createSilentLogger } from '@stratus/core';
import { call, tempDir } from './support.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const JAVA_DIR = join(ROOT, 'test/java');
const SOURCE = join(JAVA_DIR, 'SpringCryptoVectors.java');
const LIBS = join(ROOT, '.infra/java-libs');
const CLASSES = join(ROOT, '.infra/java-vectors/classes');
// The jars test/java/fetch-deps.sh downloads (the harness compiles against all of them).
const JARS = [
  'spring-security-crypto-6.5.5.jar',
  'spring-security-rsa-1.1.5.jar',
  'spring-core-5.3.28.jar',
  'spring-jcl-5.3.28.jar',
  'bcprov-jdk18on-1.78.jar',
];

function has(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore', timeout: 30_000 }).status === 0;
}

/** Compiles the Spring harness when needed; returns its classpath, or why it cannot run. */
function prepare(): { classpath: string } | { reason: string } {
  if (!has('java', ['-version']) || !has('javac', ['-version']) || !has('keytool', ['-help']))
    return { reason: 'java, javac or keytool not found' };
  if (!JARS.every((jar) => existsSync(join(LIBS, jar)))) {
    if (!has('mvn', ['-v'])) return { reason: 'Spring jars missing and mvn not found' };
    const fetched = spawnSync('sh', [join(JAVA_DIR, 'fetch-deps.sh')], {
      stdio: 'pipe',
      timeout: 300_000,
    });
    if (fetched.status !== 0 || !JARS.every((jar) => existsSync(join(LIBS, jar))))
      return { reason: 'could not download the Spring jars (test/java/fetch-deps.sh)' };
  }
  const classpath = JARS.map((jar) => join(LIBS, jar)).join(':');
  const compiled = join(CLASSES, 'SpringCryptoVectors.class');
  if (!existsSync(compiled) || statSync(compiled).mtimeMs < statSync(SOURCE).mtimeMs) {
    mkdirSync(CLASSES, { recursive: true });
    execFileSync('javac', ['-d', CLASSES, '-cp', classpath, SOURCE], { stdio: 'pipe' });
  }
  return { classpath: `${CLASSES}:${classpath}` };
}

const ready = prepare();
const skip =
  'reason' in ready
    ? process.env.CI === 'true'
      ? false
      : `key store cross test skipped: ${ready.reason}`
    : false;

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** One JVM, a batch of harness operations; results by id, or `ERR:<exception>`. */
function runSpring(classpath: string, requests: string[][]): Map<string, string> {
  const input = requests
    .map(([id, op, ...args]) => [id, op, ...args.map(b64)].join('\t'))
    .join('\n');
  const output = execFileSync('java', ['-cp', classpath, 'SpringCryptoVectors'], {
    input: `${input}\n`,
    timeout: 120_000,
  }).toString('utf8');
  const results = new Map<string, string>();
  for (const line of output.split('\n').filter(Boolean)) {
    const [id, status, value] = line.split('\t') as [string, string, string];
    results.set(
      id,
      status === 'OK' ? Buffer.from(value, 'base64').toString('utf8') : `ERR:${value}`,
    );
  }
  return results;
}

interface Store {
  type: 'jks' | 'jceks' | 'pkcs12';
  file: string;
  password: string;
  secret: string;
}

/** keytool: one key pair in PKCS#12, copied into JKS and JCEKS with their own passwords. */
function makeStores(dir: string): Store[] {
  const keytool = (...args: string[]) =>
    execFileSync('keytool', [...args, '-noprompt'], { stdio: 'pipe', timeout: 60_000 });
  const p12: Store = {
    type: 'pkcs12',
    file: join(dir, 'server.p12'),
    password: 'p12-pass',
    secret: 'p12-pass',
  };
  keytool(
    '-genkeypair',
    '-alias',
    'config',
    '-keyalg',
    'RSA',
    '-keysize',
    '2048',
    '-dname',
    'CN=Web Server, OU=Unit, O=Organization, L=City, S=State, C=US',
    '-storetype',
    'PKCS12',
    '-keystore',
    p12.file,
    '-storepass',
    p12.password,
    '-keypass',
    p12.secret,
  );
  const copies: Store[] = [
    {
      type: 'jks',
      file: join(dir, 'server.jks'),
      password: 'jks-store-pass',
      secret: 'jks-key-pass',
    },
    {
      type: 'jceks',
      file: join(dir, 'server.jceks'),
      password: 'jceks-store-pass',
      secret: 'jceks-key-pass',
    },
  ];
  for (const store of copies)
    keytool(
      '-importkeystore',
      '-srckeystore',
      p12.file,
      '-srcstoretype',
      'PKCS12',
      '-srcstorepass',
      p12.password,
      '-srcalias',
      'config',
      '-destkeystore',
      store.file,
      '-deststoretype',
      store.type.toUpperCase(),
      '-deststorepass',
      store.password,
      '-destkeypass',
      store.secret,
    );
  return [p12, ...copies];
}

test(
  'JKS, JCEKS and PKCS#12 stores made by keytool decrypt the same {cipher} value, in Spring and in Stratus',
  { skip, timeout: 240_000 },
  async (t) => {
    if ('reason' in ready)
      assert.fail(`CI=true and the key store cross test cannot run: ${ready.reason}`);
    const dir = await tempDir(t, 'stratus-keystores-');
    const stores = makeStores(dir);
    const stratus = stores.map((s) =>
      createKeyStoreEncryptor({
        keyStore: readFileSync(s.file),
        password: s.password,
        secret: s.secret,
        alias: 'config',
        type: s.type,
      }),
    );
    const args = (s: Store) => [
      'crypto',
      s.file,
      s.type,
      s.password,
      'config',
      s.secret,
      'DEFAULT',
      'deadbeef',
      'false',
    ];
    const fromStratus = stratus[2]!.encrypt('encrypted by Stratus from JCEKS');
    const requests: string[][] = [];
    for (const s of stores) {
      requests.push([`enc.${s.type}`, 'kst-enc', ...args(s), 'encrypted by Spring ✓']);
      requests.push([`dec.${s.type}`, 'kst-dec', ...args(s), fromStratus]);
    }
    const spring = runSpring(ready.classpath, requests);
    for (const s of stores) {
      const cipher = spring.get(`enc.${s.type}`) ?? 'missing';
      assert.doesNotMatch(cipher, /^ERR:/, `Spring encrypts with its ${s.type} store: ${cipher}`);
      for (const [i, encryptor] of stratus.entries())
        assert.equal(
          encryptor.decrypt(cipher),
          'encrypted by Spring ✓',
          `Spring ${s.type} → Stratus ${stores[i]!.type}`,
        );
      assert.equal(
        spring.get(`dec.${s.type}`),
        'encrypted by Stratus from JCEKS',
        `Stratus JCEKS → Spring ${s.type}`,
      );
    }

    // A config server with the seed's `encrypt.key-store.location: classpath:/server.jks`.
    const jks = stores[1]!;
    const repo = await tempDir(t, 'stratus-keystores-repo-');
    writeFileSync(
      join(repo, 'ecommerce.yml'),
      `token:\n  secret: '{cipher}${spring.get('enc.jks')}'\n`,
    );
    const app = await createConfigServer({
      argv: [
        '--server.port=0',
        '--server.address=127.0.0.1',
        '--spring.profiles.active=native',
        `--spring.cloud.config.server.native.search-locations=file:${repo}`,
        '--eureka.client.enabled=false',
        '--spring.config.import=',
        `--stratus.data-dir=${join(dir, 'data')}`,
        `--stratus.classpath=${dir}`,
        '--encrypt.key-store.location=classpath:/server.jks',
        `--encrypt.key-store.password=${jks.password}`,
        `--encrypt.key-store.secret=${jks.secret}`,
        '--encrypt.key-store.alias=config',
      ],
      env: {},
      logger: createSilentLogger(),
    });
    await app.start();
    t.after(() => app.close());
    const served = await call<{ propertySources: Array<{ source: Record<string, unknown> }> }>(
      `http://127.0.0.1:${app.port}/ecommerce/default`,
    );
    assert.equal(served.status, 200);
    assert.equal(served.body.propertySources[0]?.source['token.secret'], 'encrypted by Spring ✓');
  },
);
