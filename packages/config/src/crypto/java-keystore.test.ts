import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { isStratusError } from '@stratus/core';
import { createKeyStoreEncryptor, readKeyStorePrivateKey } from './keystore.js';

// Stores made by the machine's keytool: one RSA key copied into PKCS#12, JKS and JCEKS with
// different store and key passwords, plus stores generated directly in each legacy format.
const hasKeytool =
  spawnSync('keytool', ['-help'], { stdio: 'ignore', timeout: 30_000 }).status === 0;
const skip = hasKeytool || process.env.CI === 'true' ? false : 'keytool not found on the PATH';

interface Corpus {
  p12: Buffer;
  jks: Buffer;
  jceks: Buffer;
  /** keytool -genkeypair -storetype JKS with non-ASCII store and key passwords. */
  jksNonAscii: Buffer;
  /** keytool -genkeypair -storetype JCEKS with a 45-character key password and secret keys. */
  jceksMixed: Buffer;
}

const NON_ASCII = { store: 'störe-pässwörd-é', key: 'schlüssel-ключ-鍵' };
const LONG_KEY_PASSWORD = 'a-key-password-longer-than-one-md5-block-4567';

let corpus: Corpus | undefined;
function stores(): Corpus {
  if (corpus) return corpus;
  const dir = mkdtempSync(join(tmpdir(), 'stratus-keytool-'));
  try {
    const keytool = (...args: string[]) =>
      execFileSync('keytool', [...args, '-noprompt'], { stdio: 'pipe', timeout: 60_000 });
    const genkeypair = (file: string, type: string, storepass: string, keypass: string) =>
      keytool(
        '-genkeypair',
        '-alias',
        'MyKey',
        '-keyalg',
        'RSA',
        '-keysize',
        '2048',
        '-dname',
        'CN=Stratus Test',
        '-validity',
        '30',
        '-storetype',
        type,
        '-keystore',
        join(dir, file),
        '-storepass',
        storepass,
        '-keypass',
        keypass,
      );
    const importTo = (file: string, type: string, storepass: string, keypass: string) =>
      keytool(
        '-importkeystore',
        '-srckeystore',
        join(dir, 'base.p12'),
        '-srcstoretype',
        'PKCS12',
        '-srcstorepass',
        'p12-store-pw',
        '-srcalias',
        'mykey',
        '-destalias',
        'MyKey',
        '-destkeystore',
        join(dir, file),
        '-deststoretype',
        type,
        '-deststorepass',
        storepass,
        '-destkeypass',
        keypass,
      );
    genkeypair('base.p12', 'PKCS12', 'p12-store-pw', 'p12-store-pw');
    importTo('copy.jks', 'JKS', 'jks-store-pw', 'jks-key-pw');
    importTo('copy.jceks', 'JCEKS', 'jceks-store-pw', 'jceks-key-pw');
    genkeypair('non-ascii.jks', 'JKS', NON_ASCII.store, NON_ASCII.key);
    const mixed = join(dir, 'mixed.jceks');
    keytool(
      '-genseckey',
      '-alias',
      'aes-before',
      '-keyalg',
      'AES',
      '-keysize',
      '128',
      '-storetype',
      'JCEKS',
      '-keystore',
      mixed,
      '-storepass',
      'mixed-store',
      '-keypass',
      'sec-pw',
    );
    genkeypair('mixed.jceks', 'JCEKS', 'mixed-store', LONG_KEY_PASSWORD);
    keytool(
      '-genseckey',
      '-alias',
      'hmac-after',
      '-keyalg',
      'HmacSHA256',
      '-keysize',
      '256',
      '-storetype',
      'JCEKS',
      '-keystore',
      mixed,
      '-storepass',
      'mixed-store',
      '-keypass',
      'sec-pw',
    );
    const read = (file: string) => readFileSync(join(dir, file));
    corpus = {
      p12: read('base.p12'),
      jks: read('copy.jks'),
      jceks: read('copy.jceks'),
      jksNonAscii: read('non-ascii.jks'),
      jceksMixed: read(mixed.slice(dir.length + 1)),
    };
    return corpus;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const hasCode =
  (...codes: string[]) =>
  (error: unknown) =>
    isStratusError(error) && codes.includes(error.code);

test(
  'one key copied by keytool into PKCS#12, JKS and JCEKS opens in each with its own passwords',
  { skip, timeout: 180_000 },
  () => {
    const { p12, jks, jceks } = stores();
    const fromP12 = createKeyStoreEncryptor({
      keyStore: p12,
      password: 'p12-store-pw',
      alias: 'mykey',
      type: 'pkcs12',
    });
    const fromJks = createKeyStoreEncryptor({
      keyStore: jks,
      password: 'jks-store-pw',
      secret: 'jks-key-pw',
      alias: 'MyKey',
    });
    const fromJceks = createKeyStoreEncryptor({
      keyStore: jceks,
      password: 'jceks-store-pw',
      secret: 'jceks-key-pw',
      alias: 'mykey',
      type: 'jceks',
    });
    assert.equal(fromJks.publicKeySsh(), fromP12.publicKeySsh());
    assert.equal(fromJceks.publicKeySsh(), fromP12.publicKeySsh());
    for (const [from, to] of [
      [fromP12, fromJks],
      [fromJks, fromJceks],
      [fromJceks, fromP12],
    ] as const)
      assert.equal(to.decrypt(from.encrypt('shared secret ✓')), 'shared secret ✓');
  },
);

test(
  'keytool JKS with non-ASCII passwords and JCEKS with secret-key entries and a long key password are read',
  { skip, timeout: 180_000 },
  () => {
    const { jksNonAscii, jceksMixed } = stores();
    assert.ok(
      jceksMixed.indexOf(Buffer.from('aced0005', 'hex')) < jceksMixed.indexOf('mykey'),
      'the corpus has a serialized secret-key entry before the key pair, so reading steps over it',
    );
    const jks = createKeyStoreEncryptor({
      keyStore: jksNonAscii,
      password: NON_ASCII.store,
      secret: NON_ASCII.key,
      alias: 'mykey',
    });
    assert.equal(jks.decrypt(jks.encrypt('umlaut')), 'umlaut');
    const jceks = createKeyStoreEncryptor({
      keyStore: jceksMixed,
      password: 'mixed-store',
      secret: LONG_KEY_PASSWORD,
      alias: 'MYKEY',
      type: 'jceks',
    });
    assert.equal(jceks.decrypt(jceks.encrypt('around secret keys')), 'around secret keys');
    assert.throws(
      () =>
        readKeyStorePrivateKey(jceksMixed, {
          password: 'mixed-store',
          secret: 'sec-pw',
          alias: 'aes-before',
        }),
      hasCode('CFG_ERR_UNKNOWN_KEY'),
      'a secret-key entry holds no private key',
    );
  },
);

test(
  'a wrong store password or key password gives CFG_ERR_KEYSTORE_PASSWORD in every format',
  { skip, timeout: 180_000 },
  () => {
    const { p12, jks, jceks } = stores();
    const cases = [
      { bytes: p12, password: 'p12-store-pw', secret: 'p12-store-pw' },
      { bytes: jks, password: 'jks-store-pw', secret: 'jks-key-pw' },
      { bytes: jceks, password: 'jceks-store-pw', secret: 'jceks-key-pw' },
    ];
    for (const { bytes, password, secret } of cases) {
      assert.throws(
        () =>
          readKeyStorePrivateKey(bytes, {
            password: 'wrong',
            secret: 'also wrong',
            alias: 'mykey',
          }),
        (error: unknown) =>
          hasCode('CFG_ERR_KEYSTORE_PASSWORD')(error) &&
          /tampered with, or password was incorrect/.test((error as Error).message),
      );
      if (bytes !== p12)
        // PKCS#12 from keytool has one password; JKS/JCEKS keys have their own.
        assert.throws(
          () => readKeyStorePrivateKey(bytes, { password, secret: 'wrong key pw', alias: 'mykey' }),
          (error: unknown) =>
            hasCode('CFG_ERR_KEYSTORE_PASSWORD')(error) &&
            /encrypt.key-store.secret/.test((error as Error).message),
        );
      assert.match(
        readKeyStorePrivateKey(bytes, { password, secret, alias: 'MyKey' }),
        /BEGIN PRIVATE KEY/,
      );
    }
  },
);

test(
  'the integrity digest is checked: one changed byte in a JKS or JCEKS certificate is refused',
  { skip, timeout: 180_000 },
  () => {
    const { jks, jceks } = stores();
    for (const [bytes, password] of [
      [jks, 'jks-store-pw'],
      [jceks, 'jceks-store-pw'],
    ] as const) {
      const tampered = Buffer.from(bytes);
      // 60 bytes before the end lies inside the last certificate, before the 20-byte digest.
      tampered[tampered.length - 60]! ^= 0x01;
      assert.throws(
        () => readKeyStorePrivateKey(tampered, { password, alias: 'mykey' }),
        hasCode('CFG_ERR_KEYSTORE_PASSWORD'),
      );
    }
  },
);

test(
  'every truncation of a store gives a clear key store error, never a crash',
  { skip, timeout: 180_000 },
  () => {
    const { p12, jks, jceksMixed } = stores();
    for (const bytes of [jks, jceksMixed, p12]) {
      for (let length = 0; length < bytes.length; length += bytes === p12 ? 97 : 13) {
        assert.throws(
          () =>
            readKeyStorePrivateKey(bytes.subarray(0, length), { password: 'x', alias: 'mykey' }),
          hasCode('CFG_ERR_KEYSTORE_FORMAT', 'CFG_ERR_KEYSTORE_PASSWORD'),
          `truncated at ${length} of ${bytes.length}`,
        );
      }
    }
  },
);

test(
  'random changes to a JCEKS store and garbage after the magic number give key store errors quickly',
  { skip, timeout: 180_000 },
  () => {
    const { jceksMixed } = stores();
    const opens = (bytes: Buffer) => () =>
      readKeyStorePrivateKey(bytes, { password: 'mixed-store', alias: 'mykey' });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(jceksMixed.length - 1), fc.integer({ min: 1, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (edits) => {
          const bytes = Buffer.from(jceksMixed);
          for (const [offset, xor] of edits) bytes[offset]! ^= xor;
          const started = Date.now();
          assert.throws(
            opens(bytes),
            hasCode('CFG_ERR_KEYSTORE_FORMAT', 'CFG_ERR_KEYSTORE_PASSWORD'),
          );
          assert.ok(Date.now() - started < 2_000, 'no hang on a corrupt store');
        },
      ),
      { numRuns: 150 },
    );
    fc.assert(
      fc.property(
        fc.constantFrom('feedfeed', 'cececece'),
        fc.uint8Array({ maxLength: 300 }),
        (magic, rest) => {
          const bytes = Buffer.concat([Buffer.from(`${magic}00000002`, 'hex'), rest]);
          assert.throws(
            opens(bytes),
            hasCode('CFG_ERR_KEYSTORE_FORMAT', 'CFG_ERR_KEYSTORE_PASSWORD'),
          );
        },
      ),
      { numRuns: 300 },
    );
  },
);
