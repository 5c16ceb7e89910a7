import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createConnectJsonSerde } from './connect-json.js';
import type { ConnectSchema } from './connect-schema.js';

const code = (expected: string) => (error: unknown) =>
  (error as { code?: string }).code === expected;

// What the course's JDBC source connector produced for the `users` table (the seed's example).
const SEED_MESSAGE =
  '{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},{"type":"string","optional":true,"field":"user_id"},{"type":"string","optional":true,"field":"pwd"},{"type":"string","optional":true,"field":"name"},{"type":"int64","optional":true,"name":"org.apache.kafka.connect.data.Timestamp","version":1,"field":"created_at"}],"optional":false,"name":"users"},"payload":{"id":1,"user_id":"user1","pwd":"test1111","name":"username","created_at":1729631568000}}';

const USERS: ConnectSchema = {
  type: 'struct',
  name: 'users',
  fields: [
    { field: 'id', type: 'int32' },
    { field: 'user_id', type: 'string', optional: true },
    { field: 'pwd', type: 'string', optional: true },
    { field: 'name', type: 'string', optional: true },
    {
      field: 'created_at',
      type: 'int64',
      optional: true,
      name: 'org.apache.kafka.connect.data.Timestamp',
      version: 1,
    },
  ],
};

void test('reads the seed JDBC source connector message with its Timestamp as a Date', () => {
  const value = createConnectJsonSerde().deserialize(
    Buffer.from(SEED_MESSAGE),
    {},
    'my_topic_users',
  );
  assert.deepEqual(value, {
    id: 1,
    user_id: 'user1',
    pwd: 'test1111',
    name: 'username',
    created_at: new Date(1_729_631_568_000),
  });
});

void test('writes byte for byte what JsonConverter wrote for the same record', () => {
  const serde = createConnectJsonSerde({ schema: USERS });
  const { payload } = serde.encode({
    id: 1,
    user_id: 'user1',
    pwd: 'test1111',
    name: 'username',
    created_at: new Date(1_729_631_568_000),
  });
  assert.equal(payload.toString('utf8'), SEED_MESSAGE);
});

void test('writes decimals as Java BigInteger bytes and int64 bigints exactly; reads them back', () => {
  const schema: ConnectSchema = {
    type: 'struct',
    fields: [
      {
        field: 'price',
        type: 'bytes',
        name: 'org.apache.kafka.connect.data.Decimal',
        parameters: { scale: '2' },
      },
      { field: 'big', type: 'int64' },
    ],
  };
  const serde = createConnectJsonSerde({ schema, schemasEnable: false });
  for (const [text, base64] of [
    ['-1234.50', '/h3G'],
    ['0.00', 'AA=='],
    ['1.28', 'AIA='],
    ['-1.28', 'gA=='],
    ['-1.29', '/38='],
  ]) {
    const { payload } = serde.encode({ price: text, big: 9007199254740993n });
    const json = payload.toString('utf8');
    assert.equal(json, `{"price":"${base64}","big":9007199254740993}`);
    assert.equal((serde.deserialize(payload, {}, 't') as { price: string }).price, text);
  }
});

void test('rejects payloads that fail their schema as poison, and bad schemas as options', () => {
  const serde = createConnectJsonSerde({ schema: USERS });
  const bad = (text: string) => () => serde.deserialize(Buffer.from(text), {}, 't');
  assert.throws(bad('{"schema":null,"payload":{},"extra":1}'), code('MSG_ERR_INVALID_PAYLOAD'));
  assert.throws(bad('{"schema":null,"payload":{"id":"one"}}'), code('MSG_ERR_INVALID_PAYLOAD'));
  assert.throws(
    bad('{"schema":null,"payload":{"user_id":"x"}}'),
    code('MSG_ERR_INVALID_PAYLOAD'),
    'id is required',
  );
  assert.throws(
    bad('{"schema":null,"payload":{"id":3000000000}}'),
    code('MSG_ERR_INVALID_PAYLOAD'),
    'int32 range',
  );
  assert.throws(bad('[1]'), code('MSG_ERR_INVALID_PAYLOAD'));
  assert.throws(bad('not json'), code('MSG_ERR_INVALID_JSON'));
  assert.throws(
    () =>
      createConnectJsonSerde().deserialize(
        Buffer.from('{"schema":{"type":"nope"},"payload":1}'),
        {},
        't',
      ),
    code('MSG_ERR_INVALID_PAYLOAD'),
  );
  assert.throws(
    () => createConnectJsonSerde({ schema: { type: 'struct' } as ConnectSchema }),
    code('MSG_ERR_INVALID_OPTIONS'),
  );
  assert.throws(() => serde.encode({ id: 1.5 }), code('MSG_ERR_INVALID_MESSAGE'));
  assert.throws(() => createConnectJsonSerde().encode({}), code('MSG_ERR_INVALID_OPTIONS'));
});
