// Trace propagation as Spring Boot configures it (`management.tracing.propagation.produce` /
// `consume`: w3c, b3, b3_multi): a Stratus application continues a trace that arrives in a
// consumed format, ignores formats it does not consume (a new trace), writes exactly the
// produced formats on its outgoing calls — through `fetch` and through `@stratus/http` — and
// never fails on a malformed header.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { createSilentLogger } from '@stratus/core';
import { createApplication } from '@stratus/boot';
import { currentTraceId } from '@stratus/observability';
import { tempDir } from './support.js';

type Format = 'w3c' | 'b3' | 'b3_multi';
const TRACE = '80f198ee56343ba864fe8b2a57d3eff7';
const PARENT = 'e457b5a2e4d86bd1';

const INCOMING: Record<Format, Record<string, string>> = {
  w3c: { traceparent: `00-${TRACE}-${PARENT}-01` },
  b3: { b3: `${TRACE}-${PARENT}-1-05e3ac9a4f6e3b90` },
  b3_multi: {
    'X-B3-TraceId': TRACE,
    'X-B3-SpanId': PARENT,
    'X-B3-ParentSpanId': '05e3ac9a4f6e3b90',
    'X-B3-Sampled': '1',
  },
};
const NAMES: Record<Format, string[]> = {
  w3c: ['traceparent'],
  b3: ['b3'],
  b3_multi: ['x-b3-sampled', 'x-b3-spanid', 'x-b3-traceid'],
};
const ALL_TRACE_HEADERS = [
  'traceparent',
  'tracestate',
  'b3',
  'x-b3-traceid',
  'x-b3-spanid',
  'x-b3-parentspanid',
  'x-b3-sampled',
  'x-b3-flags',
];

async function upstream(t: TestContext) {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((request, response) => {
    seen.push(request.headers);
    response.setHeader('content-type', 'application/json');
    response.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

/** An application with the given propagation settings whose `/relay` calls `target` twice. */
async function relayApp(t: TestContext, target: string, produce: Format[], consume: Format[]) {
  const dir = await tempDir(t, 'stratus-propagation-');
  await writeFile(join(dir, 'application.yml'), 'info: {}\n');
  const app = await createApplication({
    name: 'relay-service',
    baseDir: dir,
    env: {},
    logger: createSilentLogger(),
    argv: [
      '--server.port=0',
      '--server.address=127.0.0.1',
      '--eureka.client.enabled=false',
      '--spring.config.import=',
      `--stratus.data-dir=${join(dir, 'data')}`,
      '--management.tracing.sampling.probability=1.0',
      `--management.tracing.propagation.produce=${produce.join(',')}`,
      `--management.tracing.propagation.consume=${consume.join(',')}`,
    ],
  });
  app.server.get('/relay', async () => {
    await fetch(`${target}/by-fetch`);
    await app.http.json(`${target}/by-stratus-http`);
    return { trace: currentTraceId() };
  });
  t.after(() => app.close());
  await app.start();
  return `http://127.0.0.1:${app.port}`;
}

function traceHeadersOf(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(
    ALL_TRACE_HEADERS.filter((name) => headers[name] !== undefined).map((name) => [
      name,
      String(headers[name]),
    ]),
  );
}

function traceIdWritten(format: Format, headers: Record<string, string>): string | undefined {
  if (format === 'w3c') return headers.traceparent?.split('-')[1];
  if (format === 'b3') return headers.b3?.split('-')[0];
  return headers['x-b3-traceid'];
}

for (const format of ['w3c', 'b3', 'b3_multi'] as const) {
  test(`${format} is accepted when consumed and written, alone, when produced`, async (t) => {
    const target = await upstream(t);
    const app = await relayApp(t, target.url, [format], [format]);
    const response = await fetch(`${app}/relay`, { headers: INCOMING[format] });
    assert.deepEqual(await response.json(), { trace: TRACE });
    assert.equal(target.seen.length, 2);
    for (const seen of target.seen) {
      const written = traceHeadersOf(seen);
      assert.deepEqual(Object.keys(written).sort(), NAMES[format]);
      assert.equal(traceIdWritten(format, written), TRACE);
      assert.ok(
        !Object.values(written).some((value) => value.includes(PARENT)),
        'a new client span, not the caller’s',
      );
    }
    // A format the application does not consume starts a new trace.
    const other = format === 'w3c' ? 'b3' : 'w3c';
    const fresh = (await (await fetch(`${app}/relay`, { headers: INCOMING[other] })).json()) as {
      trace: string;
    };
    assert.match(fresh.trace, /^[0-9a-f]{32}$/);
    assert.notEqual(fresh.trace, TRACE);
  });
}

test("the seed's settings: B3 single in, B3 multi out", async (t) => {
  const target = await upstream(t);
  const app = await relayApp(t, target.url, ['b3_multi'], ['b3']);
  assert.deepEqual(await (await fetch(`${app}/relay`, { headers: INCOMING.b3 })).json(), {
    trace: TRACE,
  });
  assert.deepEqual(Object.keys(traceHeadersOf(target.seen[0]!)).sort(), NAMES.b3_multi);
  // Consuming `b3` reads the multi-header encoding too, as Brave does.
  assert.deepEqual(await (await fetch(`${app}/relay`, { headers: INCOMING.b3_multi })).json(), {
    trace: TRACE,
  });
});

test('several produce formats are all written, with one trace', async (t) => {
  const target = await upstream(t);
  const app = await relayApp(t, target.url, ['w3c', 'b3', 'b3_multi'], ['w3c']);
  await fetch(`${app}/relay`, { headers: INCOMING.w3c });
  const written = traceHeadersOf(target.seen[0]!);
  assert.deepEqual(Object.keys(written).sort(), ['b3', ...NAMES.w3c, ...NAMES.b3_multi].sort());
  for (const format of ['w3c', 'b3', 'b3_multi'] as const)
    assert.equal(traceIdWritten(format, written), TRACE);
});

test('malformed traceparent and b3 headers start a new trace and never fail the request', async (t) => {
  const target = await upstream(t);
  const app = await relayApp(t, target.url, ['w3c'], ['w3c', 'b3', 'b3_multi']);
  const hostile: Array<Record<string, string>> = [
    { traceparent: `00-${TRACE.toUpperCase()}-${PARENT}-01` },
    { traceparent: `00-${TRACE}-${PARENT}-01-trailing` },
    { traceparent: '00-zz' },
    { b3: `${TRACE}-${PARENT}-7` },
    { b3: `${'0'.repeat(32)}-${PARENT}-1` },
    { 'X-B3-TraceId': TRACE, 'X-B3-SpanId': 'short', 'X-B3-Sampled': '1' },
    { traceparent: 'x'.repeat(8000) },
  ];
  for (const headers of hostile) {
    const response = await fetch(`${app}/relay`, { headers });
    assert.equal(response.status, 200, JSON.stringify(headers).slice(0, 80));
    const { trace } = (await response.json()) as { trace: string };
    assert.notEqual(trace, TRACE);
    assert.match(trace, /^[0-9a-f]{32}$/);
  }
});
