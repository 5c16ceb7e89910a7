import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, pbkdf2Sync } from 'node:crypto';
import { isStratusError } from '@stratus/core';
import { createTextEncryptor } from './text-encryptor.js';

/** Builds cipher text independently, step by step from the spec (spring-wire.md §2.5). */
function specEncrypt(key: string, saltHex: string, iv: Buffer, plain: string): string {
  const derived = pbkdf2Sync(
    Buffer.from(key, 'utf8'),
    Buffer.from(saltHex, 'hex'),
    1024,
    32,
    'sha1',
  );
  const cipher = createCipheriv('aes-256-cbc', derived, iv);
  return Buffer.concat([iv, cipher.update(plain, 'utf8'), cipher.final()]).toString('hex');
}

function assertDecryptError(fn: () => unknown): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(isStratusError(error));
    assert.equal(error.code, 'CFG_ERR_DECRYPT');
    assert.equal(error.httpStatus, 400);
    assert.equal(error.title, 'Text not encrypted with this key');
    assert.equal(error.message, 'Text not encrypted with this key');
    assert.equal(error.cause, undefined);
    return true;
  });
}

test('PBKDF2-SHA1 derivation matches the published RFC 6070 vector the spec relies on', () => {
  // RFC 6070 test 2: P="password", S="salt", c=2, dkLen=20.
  assert.equal(
    pbkdf2Sync('password', 'salt', 2, 20, 'sha1').toString('hex'),
    'ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957',
  );
});

test('decrypts cipher text built independently with the Spring steps (known answer, default salt)', () => {
  const iv = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
  const cipherHex = specEncrypt('my-secret-key', 'deadbeef', iv, 'mysecret');
  assert.match(cipherHex, /^000102030405060708090a0b0c0d0e0f[0-9a-f]{32}$/);
  assert.equal(createTextEncryptor({ key: 'my-secret-key' }).decrypt(cipherHex), 'mysecret');
  assert.equal(
    createTextEncryptor({ key: 'my-secret-key' }).decrypt(cipherHex.toUpperCase()),
    'mysecret',
  );
});

test('a text salt is used as its UTF-8 bytes, like Spring hex-encoding it first', () => {
  const iv = Buffer.alloc(16, 7);
  const cipherHex = specEncrypt(
    'k',
    Buffer.from('pepper', 'utf8').toString('hex'),
    iv,
    'é unicode ✓',
  );
  assert.equal(createTextEncryptor({ key: 'k', salt: 'pepper' }).decrypt(cipherHex), 'é unicode ✓');
});

test('encrypt output is lower-case hex of a fresh 16-byte IV followed by whole AES blocks', () => {
  const encryptor = createTextEncryptor({ key: 'k1', salt: 'cafebabe' });
  const a = encryptor.encrypt('hello');
  const b = encryptor.encrypt('hello');
  assert.match(a, /^[0-9a-f]+$/);
  assert.equal(a.length, 2 * (16 + 16));
  assert.notEqual(a, b);
  // The IV is the first 16 bytes: rebuilding with it gives the same bytes.
  assert.equal(specEncrypt('k1', 'cafebabe', Buffer.from(a.slice(0, 32), 'hex'), 'hello'), a);
});

test('round-trips empty, long and non-ASCII text', () => {
  const encryptor = createTextEncryptor({ key: 'round-trip' });
  for (const plain of [
    '',
    'x',
    'a'.repeat(16),
    'ü'.repeat(1000),
    '{cipher}nested',
    'line\nbreak',
  ]) {
    assert.equal(encryptor.decrypt(encryptor.encrypt(plain)), plain);
  }
});

test('bad hex, short input, wrong key and a tampered byte all throw the same CFG_ERR_DECRYPT', () => {
  const encryptor = createTextEncryptor({ key: 'right' });
  const cipherHex = encryptor.encrypt('payload that spans two blocks!!');
  assertDecryptError(() => encryptor.decrypt('zz' + cipherHex.slice(2)));
  assertDecryptError(() => encryptor.decrypt(cipherHex.slice(1)));
  assertDecryptError(() => encryptor.decrypt(cipherHex.slice(0, 32)));
  assertDecryptError(() => encryptor.decrypt(''));
  assertDecryptError(() => encryptor.decrypt(cipherHex + '00'));
  // 31 bytes of plain text end in one padding byte 0x01. Flipping the low bit of the matching byte
  // of the block before it turns that into 0x00, which is always invalid padding.
  assert.equal(cipherHex.length, 96);
  const flipped = (parseInt(cipherHex.slice(62, 64), 16) ^ 0x01).toString(16).padStart(2, '0');
  assertDecryptError(() =>
    encryptor.decrypt(cipherHex.slice(0, 62) + flipped + cipherHex.slice(64)),
  );
  const other = createTextEncryptor({ key: 'wrong' });
  // A wrong key passes padding about 1 time in 256; try several texts so the test is deterministic in practice.
  let failures = 0;
  for (let i = 0; i < 8; i++) {
    try {
      other.decrypt(encryptor.encrypt(`secret ${i}`));
    } catch (error) {
      assert.ok(isStratusError(error) && error.code === 'CFG_ERR_DECRYPT');
      failures++;
    }
  }
  assert.ok(failures >= 6);
});

test('rejects an empty key and an odd-length hex salt at construction', () => {
  for (const options of [{ key: '' }, { key: 'k', salt: 'abc' }, { key: 'k', salt: '' }]) {
    assert.throws(
      () => createTextEncryptor(options),
      (error: unknown) => isStratusError(error) && error.code === 'CFG_ERR_INVALID_KEY',
    );
  }
});
