import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { isStratusError } from '@stratus/core';
import type { HeaderRecord } from '../exchange.js';
import { problemsOf } from '../errors.js';
import { exchange, filter, validateDefinitions } from '../internal/test-units.js';
import { routes } from '../route-builder.js';
import { removeJsonAttributesResponseBodyFilterFactory as factory } from './remove-json-attributes-response-body.js';

interface Answer {
  readonly body: Readable | Buffer | null;
  readonly headers: HeaderRecord;
  readonly status?: number;
  readonly method?: string;
}

/** Runs the filter's post phase on an upstream answer; returns the exchange after it. */
async function after(
  item: Parameters<typeof filter>[1],
  answer: Answer,
  settings: { maxBufferedBodyBytes?: number } = {},
) {
  const ex = exchange({
    method: answer.method ?? 'GET',
    statusCode: answer.status ?? 200,
    responseHeaders: { ...answer.headers },
    responseBody: answer.body,
  });
  await filter(factory, item, { settings }).post?.(ex);
  return ex;
}

const JSON_TYPE = { 'content-type': 'application/json' };

async function stripped(item: Parameters<typeof filter>[1], json: string): Promise<string> {
  const ex = await after(item, { body: Readable.from([Buffer.from(json)]), headers: JSON_TYPE });
  assert.ok(Buffer.isBuffer(ex.responseBody));
  assert.equal(ex.responseHeaders['content-length'], String(ex.responseBody.length));
  return ex.responseBody.toString('utf8');
}

const isBadGateway = (error: unknown): boolean =>
  isStratusError(error) && error.code === 'GW_ERR_BAD_GATEWAY' && error.httpStatus === 502;

const DOC = '{"id":1,"color":"red","name":"x","nested":{"id":2,"color":"b","k":[{"id":3}]}}';

const ROWS: readonly {
  name: string;
  item: Parameters<typeof filter>[1];
  json: string;
  expected: string;
}[] = [
  {
    name: 'shortcut, top level only',
    item: 'RemoveJsonAttributesResponseBody=id,color',
    json: DOC,
    expected: '{"name":"x","nested":{"id":2,"color":"b","k":[{"id":3}]}}',
  },
  {
    name: 'shortcut with true: at any depth, inside arrays too',
    item: 'RemoveJsonAttributesResponseBody=id,color,true',
    json: DOC,
    expected: '{"name":"x","nested":{"k":[{}]}}',
  },
  {
    name: 'expanded form with a comma-separated list and the flag',
    item: {
      name: 'RemoveJsonAttributesResponseBody',
      args: { fieldList: 'id,color', deleteRecursively: 'true' },
    },
    json: DOC,
    expected: '{"name":"x","nested":{"k":[{}]}}',
  },
  {
    name: 'expanded form with indexed list items, not recursive by default',
    item: {
      name: 'RemoveJsonAttributesResponseBody',
      args: { 'fieldList.0': 'id', 'fieldList.1': 'color' },
    },
    json: DOC,
    expected: '{"name":"x","nested":{"id":2,"color":"b","k":[{"id":3}]}}',
  },
  {
    name: 'a top-level array is left alone unless recursive (as Spring)',
    item: 'RemoveJsonAttributesResponseBody=id',
    json: '[{"id":1}]',
    expected: '[{"id":1}]',
  },
  {
    name: 'a top-level array, recursive',
    item: 'RemoveJsonAttributesResponseBody=id,true',
    json: ' [ {"id":1,"a":2} , [{"b":{"id":3}}] ] ',
    expected: ' [ {"a":2} , [{"b":{}}] ] ',
  },
  {
    name: 'kept text stays byte for byte: large numbers, escapes, spacing',
    item: 'RemoveJsonAttributesResponseBody=id',
    json: '{ "big" : 12345678901234567890123, "id" : 1 , "s" : "\\u00e9\\"}", "f": 1.0e+2 }',
    expected: '{ "big" : 12345678901234567890123, "s" : "\\u00e9\\"}", "f": 1.0e+2 }',
  },
  {
    name: 'a trailing run of members goes with the comma before it',
    item: 'RemoveJsonAttributesResponseBody=b,c,x',
    json: '{"a":1, "b":2, "c":{"d":"}"}}',
    expected: '{"a":1}',
  },
  {
    name: 'every member removed',
    item: 'RemoveJsonAttributesResponseBody=b,c',
    json: '{ "b":[1,{"c":2}], "c":"]" }',
    expected: '{  }',
  },
  {
    name: 'names are compared decoded, duplicates all go',
    item: 'RemoveJsonAttributesResponseBody=id,true',
    json: '{"\\u0069d":1,"id":2,"k":{"id":"x","id":"y","z":0}}',
    expected: '{"k":{"z":0}}',
  },
  {
    name: 'strings holding brackets, quotes and backslashes do not confuse the walk',
    item: 'RemoveJsonAttributesResponseBody=id,true',
    json: '{"a":"x\\\\","b":"{[\\"id\\":1]}","id":{"c":"\\\\\\""},"d":[]}',
    expected: '{"a":"x\\\\","b":"{[\\"id\\":1]}","d":[]}',
  },
  {
    name: 'a scalar document is kept',
    item: 'RemoveJsonAttributesResponseBody=id,true',
    json: '"id"',
    expected: '"id"',
  },
];

for (const row of ROWS) {
  test(`removes JSON attributes: ${row.name}`, async () => {
    const out = await stripped(row.item, row.json);
    assert.equal(out, row.expected);
    JSON.parse(out);
  });
}

test('deep nesting is walked without overflowing the stack', async () => {
  const depth = 20_000;
  const json = `${'{"a":['.repeat(depth)}{"id":1,"k":2}${']}'.repeat(depth)}`;
  const out = await stripped('RemoveJsonAttributesResponseBody=id,true', json);
  assert.equal(out, json.replace('"id":1,', ''));
});

test('JSON media types with parameters and +json suffixes are filtered', async () => {
  for (const type of [
    'application/json; charset=utf-8',
    'Application/JSON',
    'application/problem+json',
    'application/vnd.api+json;v=2',
  ]) {
    const ex = await after('RemoveJsonAttributesResponseBody=id', {
      body: Buffer.from('{"id":1,"k":2}'),
      headers: { 'content-type': type },
    });
    assert.equal(String(ex.responseBody), '{"k":2}', type);
  }
});

test('other media types pass through untouched, the stream not read', async () => {
  const variants: HeaderRecord[] = [
    { 'content-type': 'text/plain' },
    { 'content-type': 'application/jsonp' },
    {},
  ];
  for (const headers of variants) {
    const body = Readable.from([Buffer.from('{"id":1}')]);
    const ex = await after('RemoveJsonAttributesResponseBody=id', {
      body,
      headers: { ...headers, 'content-encoding': 'br' },
    });
    assert.equal(ex.responseBody, body);
    assert.equal(body.readableDidRead, false);
    assert.equal(ex.responseHeaders['content-encoding'], 'br');
  }
});

test('HEAD, 204 and an empty body are left as they are', async () => {
  const head = await after('RemoveJsonAttributesResponseBody=id', {
    method: 'HEAD',
    body: null,
    headers: { ...JSON_TYPE, 'content-length': '10' },
  });
  assert.equal(head.responseHeaders['content-length'], '10');
  const empty = await after('RemoveJsonAttributesResponseBody=id', {
    status: 201,
    body: Readable.from([]),
    headers: JSON_TYPE,
  });
  assert.ok(Buffer.isBuffer(empty.responseBody));
  assert.equal(empty.responseBody.length, 0);
  assert.equal(empty.responseHeaders['content-length'], '0');
});

test('a gzip body is gunzipped, filtered and sent uncompressed with its length', async () => {
  const ex = await after('RemoveJsonAttributesResponseBody=secret', {
    body: Readable.from([gzipSync('{"secret":"s3","ok":true}')]),
    headers: { ...JSON_TYPE, 'content-encoding': 'gzip', 'content-length': '999' },
  });
  assert.equal(String(ex.responseBody), '{"ok":true}');
  assert.equal(ex.responseHeaders['content-encoding'], undefined);
  assert.equal(ex.responseHeaders['content-length'], '11');
});

test('fails closed with 502: too large, another coding, a gzip bomb, not JSON', async () => {
  const secret = Buffer.from(`{"password":"hunter2","pad":"${'x'.repeat(2000)}"}`);
  const cases: { name: string; answer: Answer }[] = [
    {
      name: 'streamed body over the limit',
      answer: { body: Readable.from([secret]), headers: JSON_TYPE },
    },
    {
      name: 'announced length over the limit',
      answer: {
        body: Readable.from([secret]),
        headers: { ...JSON_TYPE, 'content-length': String(secret.length) },
      },
    },
    {
      name: 'brotli',
      answer: {
        body: Buffer.from(brotliCompressSync('{"password":1}')),
        headers: { ...JSON_TYPE, 'content-encoding': 'br' },
      },
    },
    {
      name: 'gzip then another coding',
      answer: {
        body: gzipSync('{"password":1}'),
        headers: { ...JSON_TYPE, 'content-encoding': 'gzip, br' },
      },
    },
    {
      name: 'gzip that inflates beyond the limit',
      answer: {
        body: gzipSync(`{"p":"${'0'.repeat(100_000)}"}`),
        headers: { ...JSON_TYPE, 'content-encoding': 'gzip' },
      },
    },
    {
      name: 'corrupt gzip',
      answer: {
        body: Buffer.from('not gzip'),
        headers: { ...JSON_TYPE, 'content-encoding': 'gzip' },
      },
    },
    { name: 'not JSON', answer: { body: Buffer.from('{"password":"x",'), headers: JSON_TYPE } },
    { name: 'not UTF-8', answer: { body: Buffer.from([0x22, 0xff, 0x22]), headers: JSON_TYPE } },
    { name: 'an upstream that fails mid-body', answer: { body: failing(), headers: JSON_TYPE } },
  ];
  for (const { name, answer } of cases) {
    const ex = exchange({
      statusCode: 200,
      responseHeaders: { ...answer.headers },
      responseBody: answer.body,
    });
    const run = filter(factory, 'RemoveJsonAttributesResponseBody=password', {
      settings: { maxBufferedBodyBytes: 1000 },
    }).post?.(ex);
    await assert.rejects(Promise.resolve(run), isBadGateway, name);
    assert.equal(ex.responseBody, null, `${name}: the body is never passed on`);
    if (answer.body instanceof Readable)
      assert.ok(answer.body.destroyed, `${name}: the stream is released`);
  }
});

function failing(): Readable {
  return new Readable({
    read() {
      this.push('{"password":');
      this.destroy(new Error('upstream reset'));
    },
  });
}

test('bad arguments are problems when the route compiles', () => {
  for (const [item, problem] of [
    ['RemoveJsonAttributesResponseBody', /at least one attribute name/],
    ['RemoveJsonAttributesResponseBody=true', /at least one attribute name/],
    [
      {
        name: 'RemoveJsonAttributesResponseBody',
        args: { fieldList: 'id', deleteRecursively: 'yes' },
      },
      /'deleteRecursively' must be true or false/,
    ],
    [
      { name: 'RemoveJsonAttributesResponseBody', args: { fields: 'id' } },
      /unknown argument 'fields'/,
    ],
  ] as const) {
    assert.throws(
      () =>
        validateDefinitions({ routes: [{ id: 'r', uri: 'http://127.0.0.1:1', filters: [item] }] }),
      (error) => problem.test(problemsOf(error).join('\n')),
      JSON.stringify(item),
    );
  }
});

test("the route builder's removeJsonAttributesResponseBody(fields, recursive) builds the same filter", async () => {
  for (const [recursive, expected] of [
    [undefined, '{"name":"x","nested":{"id":2,"color":"b","k":[{"id":3}]}}'],
    [true, '{"name":"x","nested":{"k":[{}]}}'],
  ] as const) {
    const built = routes()
      .route('r', (r) =>
        r
          .filters((f) => f.removeJsonAttributesResponseBody(['id', 'color'], recursive))
          .uri('http://127.0.0.1:1'),
      )
      .build();
    const definition = built.routes[0]?.filters[0];
    assert.ok(definition);
    assert.equal(await stripped(definition, DOC), expected);
  }
});
