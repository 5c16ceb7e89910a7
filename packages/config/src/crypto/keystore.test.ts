import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { isStratusError } from '@stratus/core';
import { tempDir } from '@stratus/testing';
import { createKeyStoreEncryptor, createPkcs12KeyStore, readPkcs12PrivateKey } from './keystore.js';
import { createRsaEncryptor } from './rsa-encryptor.js';
import { decryptProperties } from './decrypt-properties.js';
import { createEncryptorFromProperties, resolveLocation } from './encryptor-from-properties.js';

const pem = (bits = 1024) =>
  generateKeyPairSync('rsa', { modulusLength: bits })
    .privateKey.export({ type: 'pkcs1', format: 'pem' })
    .toString();
const mainPem = pem();
const otherPem = pem();

/** A PKCS#12 with two aliases, built with node-forge like an openssl/keytool store. */
function twoAliasStore(password: string): Buffer {
  const bag = (keyPem: string, alias: string) => {
    const key = forge.pki.privateKeyFromPem(keyPem);
    return forge.pkcs12.toPkcs12Asn1(key, null as unknown as forge.pki.Certificate[], password, {
      friendlyName: alias,
      algorithm: 'aes256',
    });
  };
  // node-forge writes one key per PFX: join the ContentInfos of two, then redo the MAC.
  const pfx = (asn1: forge.asn1.Asn1) => forge.asn1.toDer(asn1).getBytes();
  const a = forge.asn1.fromDer(pfx(bag(mainPem, 'main')));
  const b = forge.asn1.fromDer(pfx(bag(otherPem, 'other')));
  const authSafe = (p: forge.asn1.Asn1) => {
    const content = ((p.value as forge.asn1.Asn1[])[1]!.value as forge.asn1.Asn1[])[1]!;
    const octets = (content.value as forge.asn1.Asn1[])[0]!;
    return forge.asn1.fromDer(
      typeof octets.value === 'string'
        ? octets.value
        : (octets.value as forge.asn1.Asn1[]).map((o) => o.value as string).join(''),
    );
  };
  const merged = forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.SEQUENCE, true, [
    ...(authSafe(a).value as forge.asn1.Asn1[]),
    ...(authSafe(b).value as forge.asn1.Asn1[]),
  ]);
  const mergedDer = forge.asn1.toDer(merged).getBytes();
  // MAC over the merged AuthenticatedSafe (PKCS#12 §5: HMAC-SHA1 with the PKCS#12 KDF, id 3).
  const macSalt = forge.random.getBytesSync(8);
  const macKey = forge.pkcs12.generateKey(password, forge.util.createBuffer(macSalt), 3, 2048, 20);
  const hmac = forge.hmac.create();
  hmac.start('sha1', macKey);
  hmac.update(mergedDer);
  const { asn1 } = forge;
  const der = asn1.toDer(
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(3).getBytes()),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
        asn1.create(
          asn1.Class.UNIVERSAL,
          asn1.Type.OID,
          false,
          asn1.oidToDer(forge.pki.oids.data!).getBytes(),
        ),
        asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
          asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, mergedDer),
        ]),
      ]),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
          asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
            asn1.create(
              asn1.Class.UNIVERSAL,
              asn1.Type.OID,
              false,
              asn1.oidToDer(forge.pki.oids.sha1!).getBytes(),
            ),
            asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
          ]),
          asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, hmac.digest().getBytes()),
        ]),
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, macSalt),
        asn1.create(
          asn1.Class.UNIVERSAL,
          asn1.Type.INTEGER,
          false,
          asn1.integerToDer(2048).getBytes(),
        ),
      ]),
    ]),
  );
  return Buffer.from(der.getBytes(), 'binary');
}

function hasCode(code: string) {
  return (error: unknown) => isStratusError(error) && error.code === code;
}

test('a PKCS#12 made by createPkcs12KeyStore encrypts and decrypts under its alias', () => {
  const store = createPkcs12KeyStore({
    alias: 'config',
    password: 'changeit',
    privateKeyPem: mainPem,
  });
  const encryptor = createKeyStoreEncryptor({
    keyStore: store,
    password: 'changeit',
    alias: 'config',
  });
  assert.equal(encryptor.decrypt(encryptor.encrypt('from keystore')), 'from keystore');
  // Same key as the PEM: cipher text crosses over.
  assert.equal(createRsaEncryptor({ privateKeyPem: mainPem }).decrypt(encryptor.encrypt('x')), 'x');
  assert.equal(
    encryptor.publicKeySsh(),
    createRsaEncryptor({ privateKeyPem: mainPem }).publicKeySsh(),
  );
});

test('{key:alias} selects another key of the store in decryptProperties, and an unknown alias is invalid', () => {
  const store = twoAliasStore('pw');
  const encryptor = createKeyStoreEncryptor({
    keyStore: store,
    password: 'pw',
    alias: 'main',
    strong: true,
  });
  const otherCipher = createRsaEncryptor({ privateKeyPem: otherPem, strong: true }).encrypt(
    'other value',
  );
  const mainCipher = encryptor.encrypt('main value');
  const out = decryptProperties(
    {
      a: `{cipher}${mainCipher}`,
      b: `{cipher}{key:other}${otherCipher}`,
      c: `{cipher}{key:OTHER}{secret:pw}${otherCipher}`,
      d: `{cipher}{key:nope}${otherCipher}`,
      e: `{cipher}${otherCipher}`,
    },
    encryptor,
  );
  assert.deepEqual(out, {
    a: 'main value',
    b: 'other value',
    c: 'other value',
    'invalid.d': '<n/a>',
    'invalid.e': '<n/a>',
  });
  assert.throws(() => encryptor.locate!([['key', 'nope']]), hasCode('CFG_ERR_UNKNOWN_KEY'));
});

test('the key password is also tried as the store password (keytool PKCS#12 keeps one password)', () => {
  const store = createPkcs12KeyStore({ alias: 'k', password: 'keypass', privateKeyPem: mainPem });
  const encryptor = createKeyStoreEncryptor({
    keyStore: store,
    password: 'storepass',
    secret: 'keypass',
    alias: 'k',
  });
  assert.equal(encryptor.decrypt(encryptor.encrypt('v')), 'v');
});

test('a wrong password, a missing alias, an unknown type and a file that is no key store give clear errors', () => {
  const store = createPkcs12KeyStore({ alias: 'k', password: 'right', privateKeyPem: mainPem });
  assert.throws(
    () => createKeyStoreEncryptor({ keyStore: store, password: 'wrong', alias: 'k' }),
    hasCode('CFG_ERR_KEYSTORE_PASSWORD'),
  );
  assert.throws(
    () => createKeyStoreEncryptor({ keyStore: store, password: 'right', alias: 'missing' }),
    hasCode('CFG_ERR_INVALID_KEY'),
  );
  assert.throws(
    () => readPkcs12PrivateKey(store, ['right'], 'missing'),
    hasCode('CFG_ERR_UNKNOWN_KEY'),
  );
  assert.throws(
    () => createKeyStoreEncryptor({ keyStore: store, password: 'right', alias: 'k', type: 'bks' }),
    (error: unknown) =>
      hasCode('CFG_ERR_UNSUPPORTED_KEYSTORE')(error) &&
      /jks, jceks or pkcs12/.test((error as Error).message),
  );
  for (const bytes of [Buffer.from('feedfeed00000002', 'hex'), Buffer.from('not a key store')])
    assert.throws(
      () => createKeyStoreEncryptor({ keyStore: bytes, password: 'p', alias: 'k' }),
      hasCode('CFG_ERR_KEYSTORE_FORMAT'),
    );
  // The file's format decides, as Java's keystore.type.compat does: a PKCS#12 named jceks opens.
  const named = createKeyStoreEncryptor({
    keyStore: store,
    password: 'right',
    alias: 'k',
    type: 'jceks',
  });
  assert.equal(named.decrypt(named.encrypt('v')), 'v');
});

test('createEncryptorFromProperties picks keystore, RSA PEM, symmetric or nothing', (t) => {
  const dir = tempDir(t, 'stratus-ks-');
  writeFileSync(
    join(dir, 'config.p12'),
    createPkcs12KeyStore({ alias: 'cfg', password: 'pw', privateKeyPem: mainPem }),
  );
  const from = (props: Record<string, string>) =>
    createEncryptorFromProperties((key) => props[key], dir);

  assert.equal(from({}), null);
  const symmetric = from({ 'encrypt.key': 'k', 'encrypt.salt': 'cafe' })!;
  assert.equal(symmetric.publicKeySsh, undefined);
  assert.match(symmetric.encrypt('x'), /^[0-9a-f]+$/);

  const rsaPem = from({
    'encrypt.key': mainPem,
    'encrypt.rsa.algorithm': 'oaep',
    'encrypt.rsa.strong': 'true',
  })!;
  assert.equal(
    createRsaEncryptor({ privateKeyPem: mainPem, algorithm: 'OAEP', strong: true }).decrypt(
      rsaPem.encrypt('p'),
    ),
    'p',
  );

  for (const location of [
    'file:config.p12',
    `file://${dir}/config.p12`,
    'classpath:/config.p12',
    join(dir, 'config.p12'),
  ]) {
    const ks = from({
      'encrypt.key-store.location': location,
      'encrypt.key-store.password': 'pw',
      'encrypt.key-store.alias': 'cfg',
      'encrypt.key-store.type': 'pkcs12',
    })!;
    assert.equal(
      createRsaEncryptor({ privateKeyPem: mainPem }).decrypt(ks.encrypt('ks')),
      'ks',
      location,
    );
    assert.ok(ks.publicKeySsh!().startsWith('ssh-rsa '));
  }
  assert.throws(
    () =>
      from({
        'encrypt.key-store.location': 'file:missing.p12',
        'encrypt.key-store.password': 'pw',
        'encrypt.key-store.alias': 'a',
      }),
    hasCode('CFG_ERR_INVALID_KEY'),
  );
  assert.throws(
    () => from({ 'encrypt.key-store.location': 'file:config.p12' }),
    (error: unknown) =>
      hasCode('CFG_ERR_INVALID_KEY')(error) && /password.*alias/s.test((error as Error).message),
  );
  assert.equal(resolveLocation('file:///abs/x.p12', dir), '/abs/x.p12');
});
