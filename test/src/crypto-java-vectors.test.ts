import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createKeyStoreEncryptor,
  createPkcs12KeyStore,
  createRsaEncryptor,
  createTextEncryptor,
  type RsaAlgorithm,
} from '@stratus/config';

// Cross-implementation vectors: Spring's own spring-security-crypto 6.x and spring-security-rsa
// 1.1.x (Maven Central, run with the machine's Java) against Stratus, in both directions.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const JAVA_DIR = join(ROOT, 'test/java');
const SOURCE = join(JAVA_DIR, 'SpringCryptoVectors.java');
const LIBS = join(ROOT, '.infra/java-libs');
const CLASSES = join(ROOT, '.infra/java-vectors/classes');
const JARS = [
  'spring-security-crypto-6.5.5.jar',
  'spring-security-rsa-1.1.5.jar',
  'spring-core-5.3.28.jar',
  'spring-jcl-5.3.28.jar',
  'bcprov-jdk18on-1.78.jar',
];

function has(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore', timeout: 20_000 }).status === 0;
}

/** Makes jars and classes ready; returns the classpath, or why it cannot. */
function prepare(): { classpath: string } | { reason: string } {
  if (!has('java', ['-version']) || !has('javac', ['-version']))
    return { reason: 'java/javac not found' };
  if (!JARS.every((jar) => existsSync(join(LIBS, jar)))) {
    if (!has('mvn', ['-v'])) return { reason: 'Spring jars missing and mvn not found' };
    const fetched = spawnSync('sh', [join(JAVA_DIR, 'fetch-deps.sh')], {
      stdio: 'pipe',
      timeout: 300_000,
    });
    if (fetched.status !== 0 || !JARS.every((jar) => existsSync(join(LIBS, jar))))
      return {
        reason: 'could not download the Spring jars from Maven Central (test/java/fetch-deps.sh)',
      };
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
      ? false // In CI a missing toolchain is a failure, not a skip.
      : `Spring vectors skipped: ${ready.reason}`
    : false;

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** Runs a batch of operations in one JVM; returns results by id, or `ERR:<exception>`. */
function runSpring(
  classpath: string,
  requests: Array<[string, string, ...string[]]>,
): Map<string, string> {
  const input = requests
    .map(([id, op, ...args]) => [id, op, ...args.map(b64)].join('\t'))
    .join('\n');
  const output = execFileSync('java', ['-cp', classpath, 'SpringCryptoVectors'], {
    input: `${input}\n`,
    maxBuffer: 16 * 1024 * 1024,
    timeout: 60_000,
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

test(
  'Spring and Stratus decrypt each other: symmetric, RSA DEFAULT/OAEP with strong on and off, PKCS#12 keystores',
  { skip, timeout: 120_000 },
  (t) => {
    if ('reason' in ready) assert.fail(`CI=true and the Java vectors cannot run: ${ready.reason}`);
    const dir = mkdtempSync(join(tmpdir(), 'stratus-java-vectors-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs1', format: 'pem' })
      .toString();
    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const keyStorePath = join(dir, 'stratus.p12');
    writeFileSync(
      keyStorePath,
      createPkcs12KeyStore({ alias: 'stratus', password: 'store-pw', privateKeyPem: pem }),
    );
    const plains = ['mysecret', '', 'ü 한국어 ✓ {cipher}', 'x'.repeat(500)];

    const symmetric = [
      ['my-secret-key', 'deadbeef'],
      ['another key', 'CAFEBABE0011'], // Spring's Encryptors.text rejects a non-hex salt
    ] as const;
    const rsaCases: Array<{ impl: string; algorithm: RsaAlgorithm; strong: boolean }> = [];
    for (const impl of ['crypto', 'rsa'])
      for (const algorithm of ['DEFAULT', 'OAEP'] as const)
        for (const strong of [false, true]) rsaCases.push({ impl, algorithm, strong });

    // Round 1: Spring encrypts, and decrypts what Stratus encrypted.
    const requests: Array<[string, string, ...string[]]> = [];
    const expectations: Array<{ id: string; check: (value: string) => void }> = [];
    symmetric.forEach(([key, salt], i) => {
      const stratus = createTextEncryptor({ key, salt });
      plains.forEach((plain, j) => {
        requests.push([`se${i}.${j}`, 'sym-enc', key, salt, plain]);
        expectations.push({
          id: `se${i}.${j}`,
          check: (c) => assert.equal(stratus.decrypt(c), plain, `Spring sym ${i}.${j}`),
        });
        requests.push([`sd${i}.${j}`, 'sym-dec', key, salt, stratus.encrypt(plain)]);
        expectations.push({
          id: `sd${i}.${j}`,
          check: (p) => assert.equal(p, plain, `Stratus sym ${i}.${j}`),
        });
      });
    });
    rsaCases.forEach(({ impl, algorithm, strong }, i) => {
      const salt = i % 2 === 0 ? 'deadbeef' : 'not-hex salt';
      const stratus = createRsaEncryptor({ privateKeyPem: pem, algorithm, salt, strong });
      const label = `${impl} ${algorithm} strong=${strong}`;
      plains.forEach((plain, j) => {
        const args = [impl, pem, algorithm, salt, String(strong)];
        requests.push([`re${i}.${j}`, 'rsa-enc', ...args, plain] as [string, string, ...string[]]);
        expectations.push({
          id: `re${i}.${j}`,
          check: (c) => assert.equal(stratus.decrypt(c), plain, `Spring ${label}`),
        });
        requests.push([`rd${i}.${j}`, 'rsa-dec', ...args, stratus.encrypt(plain)] as [
          string,
          string,
          ...string[],
        ]);
        expectations.push({
          id: `rd${i}.${j}`,
          check: (p) => assert.equal(p, plain, `Stratus ${label}`),
        });
      });
      // Spring refuses Stratus cipher text from another key (checked with GCM: with CBC Spring can
      // return garbage instead of failing, as CBC has no integrity check).
      // Spring refuses cipher text made for another key, as Stratus does.
      const wrong = createRsaEncryptor({
        keyPair: { privateKey: otherKey },
        algorithm,
        salt,
        strong,
      });
      requests.push([
        `rw${i}`,
        'rsa-dec',
        impl,
        pem,
        algorithm,
        salt,
        String(strong),
        wrong.encrypt('no'),
      ]);
      expectations.push({
        id: `rw${i}`,
        check: (v) => assert.match(v, /^ERR:/, `Spring rejects a wrong key (${label})`),
      });
      requests.push([`rp${i}`, 'rsa-pub', impl, pem]);
      expectations.push({
        id: `rp${i}`,
        check: (v) => assert.equal(v, stratus.publicKeySsh(), `/key format ${impl}`),
      });
    });
    // Spring's KeyStoreKeyFactory reads the PKCS#12 Stratus writes (keygen --keystore).
    const stratusStore = createKeyStoreEncryptor({
      keyStore: readFileSync(keyStorePath),
      password: 'store-pw',
      alias: 'stratus',
      algorithm: 'OAEP',
      strong: true,
    });
    for (const impl of ['crypto', 'rsa']) {
      const args = [
        impl,
        keyStorePath,
        'store-pw',
        'stratus',
        'store-pw',
        'OAEP',
        'deadbeef',
        'true',
      ];
      requests.push([`ke.${impl}`, 'ks-enc', ...args, 'from spring keystore'] as [
        string,
        string,
        ...string[],
      ]);
      expectations.push({
        id: `ke.${impl}`,
        check: (c) => assert.equal(stratusStore.decrypt(c), 'from spring keystore'),
      });
      requests.push([
        `kd.${impl}`,
        'ks-dec',
        ...args,
        stratusStore.encrypt('from stratus keystore'),
      ] as [string, string, ...string[]]);
      expectations.push({
        id: `kd.${impl}`,
        check: (p) => assert.equal(p, 'from stratus keystore'),
      });
    }
    // A keystore made by keytool (PKCS#12, what `keytool -genkeypair … -keystore x.jks` writes today).
    if (has('keytool', ['-help'])) {
      const keytoolStore = join(dir, 'keytool.jks');
      execFileSync(
        'keytool',
        [
          '-genkeypair',
          '-alias',
          'mykey',
          '-keyalg',
          'RSA',
          '-keysize',
          '2048',
          '-dname',
          'CN=Stratus Test',
          '-keypass',
          'kt-pass',
          '-storepass',
          'kt-pass',
          '-keystore',
          keytoolStore,
        ],
        { stdio: 'pipe' },
      );
      const fromKeytool = createKeyStoreEncryptor({
        keyStore: readFileSync(keytoolStore),
        password: 'kt-pass',
        alias: 'mykey',
      });
      const args = [
        'crypto',
        keytoolStore,
        'kt-pass',
        'mykey',
        'kt-pass',
        'DEFAULT',
        'deadbeef',
        'false',
      ];
      requests.push(['kt.e', 'ks-enc', ...args, 'keytool store'] as [string, string, ...string[]]);
      expectations.push({
        id: 'kt.e',
        check: (c) => assert.equal(fromKeytool.decrypt(c), 'keytool store'),
      });
      requests.push(['kt.d', 'ks-dec', ...args, fromKeytool.encrypt('to keytool store')] as [
        string,
        string,
        ...string[],
      ]);
      expectations.push({ id: 'kt.d', check: (p) => assert.equal(p, 'to keytool store') });
    }

    const results = runSpring(ready.classpath, requests);
    for (const { id, check } of expectations) {
      const value = results.get(id);
      assert.ok(value !== undefined, `no answer for ${id}`);
      if (!id.startsWith('rw'))
        if (!id.startsWith('rw'))
          assert.doesNotMatch(value, /^ERR:/, `Spring failed ${id}: ${value}`);
      try {
        check(value);
      } catch (error) {
        assert.fail(`vector ${id}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  },
);
