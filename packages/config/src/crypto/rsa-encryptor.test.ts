import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createPublicKey,
  generateKeyPairSync,
  pbkdf2Sync,
  privateDecrypt,
  publicEncrypt,
} from 'node:crypto';
import { isStratusError } from '@stratus/core';
import { createRsaEncryptor } from './rsa-encryptor.js';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pkcs1Pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const pkcs8Pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

function assertDecryptError(fn: () => unknown): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(isStratusError(error));
    assert.equal(error.code, 'CFG_ERR_DECRYPT');
    assert.equal(error.httpStatus, 400);
    assert.equal(error.message, 'Text not encrypted with this key');
    assert.equal(error.cause, undefined);
    return true;
  });
}

/** Builds RSA cipher text step by step from spring-wire.md §2.5, independently of the encryptor. */
function specEncrypt(plain: string, random: Buffer, oaep: boolean, gcm: boolean, saltHex: string) {
  const key = pbkdf2Sync(random.toString('hex'), Buffer.from(saltHex, 'hex'), 1024, 32, 'sha1');
  const iv = Buffer.alloc(16, 9);
  let aes: Buffer;
  if (gcm) {
    const c = createCipheriv('aes-256-gcm', key, iv);
    aes = Buffer.concat([iv, c.update(plain, 'utf8'), c.final(), c.getAuthTag()]);
  } else {
    const c = createCipheriv('aes-256-cbc', key, iv);
    aes = Buffer.concat([iv, c.update(plain, 'utf8'), c.final()]);
  }
  const secret = publicEncrypt(
    {
      key: createPublicKey(privateKey),
      padding: oaep ? constants.RSA_PKCS1_OAEP_PADDING : constants.RSA_PKCS1_PADDING,
      oaepHash: 'sha1',
    },
    random,
  );
  return Buffer.concat([
    Buffer.from([secret.length >> 8, secret.length & 0xff]),
    secret,
    aes,
  ]).toString('base64');
}

test('decrypts cipher text built independently from the RsaSecretEncryptor steps (both paddings, CBC and GCM)', () => {
  const random = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
  for (const algorithm of ['DEFAULT', 'OAEP'] as const) {
    for (const strong of [false, true]) {
      const cipher = specEncrypt('pa55 ü', random, algorithm === 'OAEP', strong, 'deadbeef');
      const rsa = createRsaEncryptor({ privateKeyPem: pkcs1Pem, algorithm, strong });
      assert.equal(rsa.decrypt(cipher), 'pa55 ü', `${algorithm} strong=${strong}`);
    }
  }
});

test('encrypt output has the 2-byte length, an RSA block that unwraps to 16 bytes, and IV ‖ AES-CBC', () => {
  const rsa = createRsaEncryptor({ privateKeyPem: pkcs8Pem, algorithm: 'OAEP', salt: 'cafe' });
  const bytes = Buffer.from(rsa.encrypt('hello'), 'base64');
  assert.equal(bytes.readUInt16BE(0), 256);
  const random = privateDecrypt(
    { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
    bytes.subarray(2, 258),
  );
  assert.equal(random.length, 16);
  const aes = bytes.subarray(258);
  assert.equal(aes.length, 32);
  const key = pbkdf2Sync(random.toString('hex'), Buffer.from('cafe', 'hex'), 1024, 32, 'sha1');
  const d = createDecipheriv('aes-256-cbc', key, aes.subarray(0, 16));
  assert.equal(Buffer.concat([d.update(aes.subarray(16)), d.final()]).toString(), 'hello');
});

test('round-trips with both paddings, strong on and off, text and hex salts, PKCS#1 and PKCS#8 keys', () => {
  for (const algorithm of ['DEFAULT', 'OAEP'] as const) {
    for (const strong of [false, true]) {
      for (const [pem, salt] of [
        [pkcs1Pem, 'deadbeef'],
        [pkcs8Pem, 'not hex salt'],
      ] as const) {
        const rsa = createRsaEncryptor({ privateKeyPem: pem, algorithm, strong, salt });
        for (const plain of ['', 'x', 'ü'.repeat(300), '{cipher}x']) {
          assert.equal(rsa.decrypt(rsa.encrypt(plain)), plain);
        }
      }
    }
  }
  const fromPair = createRsaEncryptor({ keyPair: { privateKey } });
  assert.equal(createRsaEncryptor({ privateKeyPem: pkcs1Pem }).decrypt(fromPair.encrypt('k')), 'k');
});

test('a text salt equals its UTF-8 hex (Spring hex-encodes a non-hex salt)', () => {
  const a = createRsaEncryptor({ privateKeyPem: pkcs1Pem, salt: 'pepper' });
  const b = createRsaEncryptor({
    privateKeyPem: pkcs1Pem,
    salt: Buffer.from('pepper').toString('hex'),
  });
  assert.equal(b.decrypt(a.encrypt('salted')), 'salted');
});

test('wrong key, wrong padding, tampered bytes and garbage all give the same CFG_ERR_DECRYPT', () => {
  for (const strong of [false, true]) {
    const rsa = createRsaEncryptor({ privateKeyPem: pkcs1Pem, strong });
    const cipher = rsa.encrypt('payload that spans two AES blocks');
    const bytes = Buffer.from(cipher, 'base64');
    assertDecryptError(() =>
      createRsaEncryptor({ keyPair: { privateKey: other }, strong }).decrypt(cipher),
    );
    assertDecryptError(() =>
      createRsaEncryptor({ privateKeyPem: pkcs1Pem, algorithm: 'OAEP', strong }).decrypt(cipher),
    );
    const tamperedRsa = Buffer.from(bytes);
    tamperedRsa[10]! ^= 0x01;
    assertDecryptError(() => rsa.decrypt(tamperedRsa.toString('base64')));
    if (strong) {
      const tamperedAes = Buffer.from(bytes);
      tamperedAes[tamperedAes.length - 20]! ^= 0x01;
      assertDecryptError(() => rsa.decrypt(tamperedAes.toString('base64')));
    }
    for (const garbage of ['', 'AA==', 'not base64!', cipher.slice(0, 40), 'AQ' + 'A'.repeat(40)]) {
      assertDecryptError(() => rsa.decrypt(garbage));
    }
  }
});

test('publicKeySsh is ssh-rsa of e and n as mpints with the application comment', () => {
  const ssh = createRsaEncryptor({ privateKeyPem: pkcs1Pem }).publicKeySsh();
  const match = /^ssh-rsa ([A-Za-z0-9+/]+=*) application$/.exec(ssh);
  assert.ok(match);
  const blob = Buffer.from(match[1]!, 'base64');
  const fields: Buffer[] = [];
  for (let offset = 0; offset < blob.length;) {
    const length = blob.readUInt32BE(offset);
    fields.push(blob.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  assert.equal(fields.length, 3);
  assert.equal(fields[0]!.toString(), 'ssh-rsa');
  assert.equal(fields[1]!.toString('hex'), '010001');
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  assert.equal(
    fields[2]![0],
    0,
    'a 2048-bit modulus has its high bit set, so mpint adds a zero byte',
  );
  assert.deepEqual(fields[2]!.subarray(1), Buffer.from(jwk.n!, 'base64url'));
});

test('rejects a missing, unreadable or non-RSA key and an unknown algorithm', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  for (const options of [
    {},
    { privateKeyPem: 'nope' },
    { keyPair: { privateKey: ec } },
    { privateKeyPem: pkcs1Pem, algorithm: 'PKCS' as never },
    { privateKeyPem: pkcs1Pem, salt: 'abc' },
  ]) {
    assert.throws(
      () => createRsaEncryptor(options),
      (error: unknown) => isStratusError(error) && error.code === 'CFG_ERR_INVALID_KEY',
    );
  }
});
