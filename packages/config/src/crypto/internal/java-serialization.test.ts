import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStratusError } from '@stratus/core';
import { ByteReader } from './byte-reader.js';
import { skipSerializedObject } from './java-serialization.js';

const formatError = (error: unknown) =>
  isStratusError(error) && error.code === 'CFG_ERR_KEYSTORE_FORMAT';

/** `new String[]{"a"}` as ObjectOutputStream writes it, followed by a marker byte. */
const STRING_ARRAY = Buffer.from(
  'aced0005' +
    '7572' +
    '0013' +
    Buffer.from('[Ljava.lang.String;').toString('hex') +
    'add256e7e91d7b47' +
    '02' +
    '0000' +
    '78' +
    '70' +
    '00000001' +
    '74' +
    '0001' +
    '61' +
    'ff',
  'hex',
);

test('skipSerializedObject steps over exactly one object', () => {
  const reader = new ByteReader(STRING_ARRAY);
  skipSerializedObject(reader);
  assert.equal(reader.remaining, 1);
  assert.equal(reader.u8(), 0xff);
});

test('a bad header, an unknown reference, endless nesting and truncation are format errors', () => {
  const cases = [
    Buffer.from('acee0005', 'hex'),
    Buffer.from('aced0005' + '71' + '007e0005', 'hex'),
    Buffer.from('aced0005' + '75'.repeat(40), 'hex'),
    STRING_ARRAY.subarray(0, 30),
    Buffer.from('aced0005' + '7c' + '00000001' + '00000000', 'hex'),
  ];
  for (const bytes of cases)
    assert.throws(() => skipSerializedObject(new ByteReader(bytes)), formatError);
});
