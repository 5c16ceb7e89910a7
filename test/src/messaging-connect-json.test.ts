// Stratus's Connect JSON serde against Kafka Connect's own JsonConverter (org.apache.kafka:
// connect-json, from the jars scripts/kafka.sh fetches), through a small Java harness compiled here.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { createConnectJsonSerde, type ConnectSchema } from '@stratus/messaging';
import { ROOT, skipUnlessCi } from './messaging-support.js';

const run = promisify(execFile);
const LIBS = `${ROOT}.infra/kafka/libs`;
const CLASSES = `${ROOT}.infra/connect-json`;
const SOURCE = `${ROOT}test/interop/connect-json/ConnectJsonHarness.java`;

async function prepare(): Promise<string | null> {
  try {
    if (!existsSync(`${LIBS}/connect-json-4.1.1.jar`)) {
      await run('bash', [`${ROOT}scripts/kafka.sh`, 'fetch'], { timeout: 300_000 });
    }
    const compiled = `${CLASSES}/ConnectJsonHarness.class`;
    if (!existsSync(compiled) || statSync(compiled).mtimeMs < statSync(SOURCE).mtimeMs) {
      mkdirSync(CLASSES, { recursive: true });
      await run('javac', ['-cp', `${LIBS}/*`, '-d', CLASSES, SOURCE], { timeout: 120_000 });
    }
    return null;
  } catch (error) {
    return `cannot build the JsonConverter harness (javac, mvn and Maven Central needed): ${(error as Error).message.split('\n')[0]}`;
  }
}

const skip = skipUnlessCi(await prepare());

/** Runs the harness with `input` on stdin; returns what JsonConverter wrote and read. */
function harness(input: Buffer): Promise<{ written: string; read: unknown }> {
  return new Promise((resolve, reject) => {
    const child = spawn('java', [
      '-XX:TieredStopAtLevel=1',
      '-cp',
      `${CLASSES}:${LIBS}/*`,
      'ConnectJsonHarness',
      'users-topic',
    ]);
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const written = /^WRITTEN (.*)$/m.exec(out)?.[1];
      const read = /^READ (.*)$/m.exec(out)?.[1];
      if (code !== 0 || written === undefined || read === undefined)
        reject(new Error(`harness exited ${code}: ${err.slice(0, 2000)}`));
      else resolve({ written, read: JSON.parse(read) });
    });
    child.stdin.end(input);
  });
}

const TIMESTAMP = 'org.apache.kafka.connect.data.Timestamp';
const SCHEMA: ConnectSchema = {
  type: 'struct',
  name: 'users',
  fields: [
    { field: 'id', type: 'int32' },
    { field: 'small', type: 'int8' },
    { field: 'medium', type: 'int16' },
    { field: 'big', type: 'int64' },
    { field: 'ratio', type: 'double' },
    { field: 'active', type: 'boolean' },
    { field: 'user_id', type: 'string', optional: true },
    { field: 'pwd', type: 'string', optional: true },
    { field: 'raw', type: 'bytes' },
    { field: 'created_at', type: 'int64', optional: true, name: TIMESTAMP, version: 1 },
    { field: 'birthday', type: 'int32', name: 'org.apache.kafka.connect.data.Date', version: 1 },
    { field: 'alarm', type: 'int32', name: 'org.apache.kafka.connect.data.Time', version: 1 },
    {
      field: 'price',
      type: 'bytes',
      name: 'org.apache.kafka.connect.data.Decimal',
      version: 1,
      parameters: { scale: '2' },
    },
    { field: 'tags', type: 'array', items: { type: 'string' } },
    { field: 'scores', type: 'map', keys: { type: 'string' }, values: { type: 'int32' } },
  ],
};

void test(
  'Kafka Connect JsonConverter reads what Stratus writes, and Stratus reads what JsonConverter writes',
  { skip, timeout: 120_000 },
  async () => {
    const serde = createConnectJsonSerde({ schema: SCHEMA });
    const { payload } = serde.encode({
      id: 7,
      small: -5,
      medium: 300,
      big: 9007199254740993n,
      ratio: 0.5,
      active: false,
      user_id: 'user2',
      pwd: null,
      raw: Buffer.from([0, 1, 254]),
      created_at: new Date(1_729_631_568_000),
      birthday: new Date(19_000 * 86_400_000),
      alarm: new Date(45_296_789),
      price: '-1234.50',
      tags: ['x'],
      scores: { y: 2 },
    });
    const { written, read } = await harness(payload);

    // JsonConverter's view of Stratus's bytes: every type and logical type intact.
    assert.deepEqual(read, {
      id: 7,
      small: -5,
      medium: 300,
      big: '9007199254740993',
      ratio: 0.5,
      active: false,
      user_id: 'user2',
      pwd: null,
      raw: 'bytes:AAH+',
      created_at: 'Timestamp:1729631568000',
      birthday: `Date:${19_000 * 86_400_000}`,
      alarm: 'Time:45296789',
      price: 'Decimal:-1234.50',
      tags: ['x'],
      scores: { y: 2 },
    });
    // The schema Stratus writes is the one JsonConverter writes, key for key.
    const ours = JSON.parse(payload.toString('utf8')) as { schema: unknown };
    assert.equal(
      JSON.stringify(ours.schema),
      JSON.stringify((JSON.parse(written) as { schema: unknown }).schema),
    );

    // Stratus's view of JsonConverter's bytes, with the schema the message carries.
    const value = createConnectJsonSerde().deserialize(
      Buffer.from(written),
      {},
      'users-topic',
    ) as Record<string, unknown>;
    assert.equal(value.id, 1);
    assert.equal(value.small, -5);
    assert.equal(value.ratio, 0.25);
    assert.equal(value.pwd, null);
    assert.deepEqual(value.raw, Buffer.from([0, 1, 254]));
    assert.deepEqual(value.created_at, new Date(1_729_631_568_000));
    assert.deepEqual(value.birthday, new Date(19_000 * 86_400_000));
    assert.deepEqual(value.alarm, new Date(45_296_789));
    assert.equal(value.price, '-1234.50');
    assert.deepEqual(value.tags, ['a', 'b']);
    assert.deepEqual(value.scores, new Map([['x', 1]]));
    assert.equal(typeof value.big, 'number', 'int64 beyond 2^53 is read as a number (documented)');
  },
);
