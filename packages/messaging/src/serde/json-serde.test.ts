import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createJsonSerde, TYPE_ID_HEADER } from './json-serde.js';

const code = (expected: string) => (error: unknown) =>
  (error as { code?: string }).code === expected;

void test('encodes UTF-8 JSON with content-type and an optional __TypeId__ header, as Spring writes them', () => {
  const serde = createJsonSerde<{ name: string }>({ typeId: 'com.example.Order' });
  const { payload, headers } = serde.encode({ name: 'größe' }, { 'x-trace': '1' });
  assert.equal(payload.toString('utf8'), '{"name":"größe"}');
  assert.deepEqual(headers, {
    'x-trace': '1',
    'content-type': 'application/json',
    [TYPE_ID_HEADER]: 'com.example.Order',
  });
  assert.deepEqual(createJsonSerde({ contentType: null }).encode(1).headers, {});
});

void test('decodes JSON, checks the type header against acceptTypeIds and runs validate', () => {
  const serde = createJsonSerde<{ n: number }>({
    acceptTypeIds: ['order'],
    validate: (value) =>
      typeof (value as { n?: unknown }).n === 'number' ? (value as { n: number }) : null,
  });
  assert.deepEqual(serde.deserialize(Buffer.from('{"n":1}'), { [TYPE_ID_HEADER]: 'order' }, 't'), {
    n: 1,
  });
  assert.deepEqual(
    serde.deserialize(Buffer.from('{"n":2}'), {}, 't'),
    { n: 2 },
    'no header passes',
  );
  assert.throws(
    () => serde.deserialize(Buffer.from('{"n":1}'), { [TYPE_ID_HEADER]: 'java.lang.Runtime' }, 't'),
    code('MSG_ERR_INVALID_PAYLOAD'),
  );
  assert.throws(
    () => serde.deserialize(Buffer.from('{"n":"x"}'), {}, 't'),
    code('MSG_ERR_INVALID_PAYLOAD'),
  );
  assert.throws(
    () => serde.deserialize(Buffer.from('{oops'), {}, 't'),
    code('MSG_ERR_INVALID_JSON'),
  );
  assert.throws(
    () => serde.encode(undefined as unknown as { n: number }),
    code('MSG_ERR_INVALID_MESSAGE'),
  );
});
