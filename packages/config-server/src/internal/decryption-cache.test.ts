import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTextEncryptor, type TextEncryptor } from '@stratus/config';
import { cachingDecryptor } from './decryption-cache.js';

/** Two real keys behind `{key:alias}`, each counting its decryptions. */
function twoKeys() {
  const counts = { first: 0, second: 0 };
  const counting = (key: string, name: keyof typeof counts): TextEncryptor => {
    const real = createTextEncryptor({ key });
    return {
      encrypt: (plain) => real.encrypt(plain),
      decrypt: (cipher) => {
        counts[name] += 1;
        return real.decrypt(cipher);
      },
    };
  };
  const first = counting('first-key', 'first');
  const second = counting('second-key', 'second');
  const keystore: TextEncryptor = {
    ...first,
    locate: (prefixes) => (prefixes.some(([, v]) => v === 'second') ? second : first),
  };
  return { keystore, first, second, counts };
}

test('a decryption is made once per (key, cipher text); another key decrypts for itself', () => {
  const { keystore, first, counts } = twoKeys();
  const cached = cachingDecryptor(keystore);
  const cipher = first.encrypt('s3cret');
  assert.equal(cached.decrypt(cipher), 's3cret');
  assert.equal(cached.decrypt(cipher), 's3cret');
  assert.equal(cached.locate!([['key', 'first']]).decrypt(cipher), 's3cret');
  assert.equal(cached.locate!([['key', 'first']]).decrypt(cipher), 's3cret');
  assert.equal(counts.first, 2, 'once unlocated, once under {key:first}');

  // The same cipher text under the other key is that key's question, answered by that key.
  const underSecond = cached.locate!([['key', 'second']]);
  assert.throws(() => underSecond.decrypt(cipher), { code: 'CFG_ERR_DECRYPT' });
  assert.throws(() => underSecond.decrypt(cipher), { code: 'CFG_ERR_DECRYPT' });
  assert.equal(counts.second, 1, 'a failure is remembered too');
  assert.equal(counts.first, 2);
});

test('beyond maxEntries the oldest decryption goes first; encryption is never cached', () => {
  const { keystore, first, counts } = twoKeys();
  const cached = cachingDecryptor(keystore, 2);
  const [a, b, c] = ['a', 'b', 'c'].map((plain) => first.encrypt(plain)) as [
    string,
    string,
    string,
  ];
  for (const cipher of [a, b, c]) cached.decrypt(cipher);
  assert.equal(counts.first, 3);
  cached.decrypt(c);
  cached.decrypt(b);
  assert.equal(counts.first, 3, 'b and c are still held');
  assert.equal(cached.decrypt(a), 'a');
  assert.equal(counts.first, 4, 'a was the oldest and had gone');
  assert.notEqual(cached.encrypt('x'), cached.encrypt('x'), 'a fresh IV each time');
});
