import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTextEncryptor } from './text-encryptor.js';
import { decryptProperties, parseCipherValue } from './decrypt-properties.js';

const encryptor = createTextEncryptor({ key: 'props-key' });

test('decrypts {cipher} values, strips key/name/profiles prefixes and keeps other values and order', () => {
  const flat = {
    'a.plain': 'hello',
    'db.password': `{cipher}${encryptor.encrypt('pa55')}`,
    'api.token': `{cipher}{key:mykey}{name:foo}{profiles:dev}${encryptor.encrypt('tok')}`,
    port: 8080,
    'list[0]': true,
  };
  const out = decryptProperties(flat, encryptor);
  assert.deepEqual(out, {
    'a.plain': 'hello',
    'db.password': 'pa55',
    'api.token': 'tok',
    port: 8080,
    'list[0]': true,
  });
  assert.deepEqual(Object.keys(out), Object.keys(flat));
  assert.equal(flat['db.password'].startsWith('{cipher}'), true, 'input is not modified');
});

test('an undecryptable value becomes invalid.<key> = <n/a> and the cipher text is dropped', () => {
  const wrong = createTextEncryptor({ key: 'another-key' }).encrypt('x'.repeat(40));
  const seen: string[] = [];
  const out = decryptProperties(
    { 'db.password': '{cipher}not-hex', other: `{cipher}${wrong}`, ok: 1 },
    encryptor,
    { onInvalid: (key) => seen.push(key) },
  );
  assert.equal(out['db.password'], undefined);
  assert.equal(out['invalid.db.password'], '<n/a>');
  assert.equal(out['ok'], 1);
  assert.ok(seen.includes('db.password'));
  assert.ok(!JSON.stringify(out).includes('not-hex'));
});

test('a __proto__ key stays an ordinary own property', () => {
  const flat = JSON.parse('{"__proto__": "x", "a": "b"}') as Record<string, unknown>;
  const out = decryptProperties(flat, encryptor);
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.deepEqual(Object.keys(out), ['__proto__', 'a']);
});

test('parseCipherValue splits prefixes from cipher text', () => {
  assert.deepEqual(parseCipherValue('{cipher}{key:a}{secret:b}abcd'), {
    prefixes: [
      ['key', 'a'],
      ['secret', 'b'],
    ],
    cipherText: 'abcd',
  });
  assert.deepEqual(parseCipherValue('abcd'), { prefixes: [], cipherText: 'abcd' });
});
