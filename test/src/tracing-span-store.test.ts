// The embedded default: with no Zipkin configured, services send their spans to the registry,
// which keeps the last few thousand in memory behind Zipkin's v2 API (`stratus.tracing.
// span-store.enabled`). A Zipkin UI or the console reads them back; hostile bodies get
// problem+json answers, never a crash or unbounded memory.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { createSilentLogger } from '@stratus/core';
import { createApplication } from '@stratus/boot';
import { createRegistryServer } from '@stratus/registry';
import { call, eventually, tempDir } from './support.js';

async function registryWithStore(t: TestContext): Promise<string> {
  const dir = await tempDir(t, 'stratus-span-store-');
  const app = await createRegistryServer({
    argv: [
      '--server.port=0',
      '--server.address=127.0.0.1',
      '--spring.config.import=',
      `--stratus.data-dir=${join(dir, 'data')}`,
      '--stratus.tracing.span-store.enabled=true',
      '--stratus.tracing.span-store.max-spans=1000',
    ],
    env: {},
    logger: createSilentLogger(),
  });
  t.after(() => app.close());
  await app.start();
  return `http://127.0.0.1:${app.port}`;
}

async function service(t: TestContext, registry: string) {
  const dir = await tempDir(t, 'stratus-span-store-svc-');
  await writeFile(join(dir, 'application.yml'), 'info: {}\n');
  const app = await createApplication({
    name: 'greeting-service',
    baseDir: dir,
    env: {},
    logger: createSilentLogger(),
    argv: [
      '--server.port=0',
      '--server.address=127.0.0.1',
      '--spring.config.import=',
      `--stratus.data-dir=${join(dir, 'data')}`,
      `--eureka.client.service-url.defaultZone=${registry}/eureka/`,
      '--eureka.instance.prefer-ip-address=true',
      '--eureka.instance.ip-address=127.0.0.1',
      '--management.tracing.sampling.probability=1.0',
    ],
  });
  app.server.get('/greetings/:name', async () => ({ hello: 'world' }));
  t.after(() => app.close());
  await app.start();
  return `http://127.0.0.1:${app.port}`;
}

const SPAN = {
  traceId: '5982fe77008310cc80f1da5e10147517',
  id: '67fae42571535f60',
  name: 'GET /api/users/{id}',
  kind: 'SERVER',
  timestamp: Date.now() * 1000,
  duration: 150000,
  localEndpoint: { serviceName: 'customers', ipv4: '10.0.0.5', port: 8080 },
  tags: { 'http.method': 'GET', error: '500' },
};

test('services without Zipkin report to the registry, which answers the Zipkin v2 API', async (t) => {
  const registry = await registryWithStore(t);
  const greeting = await service(t, registry);
  const response = await fetch(`${greeting}/greetings/ada`);
  assert.equal(response.status, 200);
  const traces = await eventually('the service span in the registry', async () => {
    const found = await call<unknown[][]>(`${registry}/api/v2/traces?serviceName=greeting-service`);
    return found.status === 200 && found.body.length > 0 ? found.body : undefined;
  });
  const [span] = traces[0] as Array<{ name: string; kind: string; traceId: string }>;
  assert.equal(span?.name, 'http get /greetings/{name}');
  assert.equal(span?.kind, 'SERVER');
  const trace = await call<unknown[]>(`${registry}/api/v2/trace/${span?.traceId}`);
  assert.equal(trace.status, 200);
  const services = await call<string[]>(`${registry}/api/v2/services`);
  assert.ok(services.body.includes('greeting-service'));
  const names = await call<string[]>(`${registry}/api/v2/spans?serviceName=greeting-service`);
  assert.ok(names.body.includes('http get /greetings/{name}'));
  // The store's own API is not traced: reading it adds no spans of the registry.
  const registrySpans = await call<unknown[][]>(
    `${registry}/api/v2/traces?serviceName=discovery-service&spanName=http%20get%20%2Fapi%2Fv2%2Ftraces`,
  );
  assert.deepEqual(registrySpans.body, []);
});

test('a Java service can report too: gzip JSON from zipkin-reporter is accepted', async (t) => {
  const registry = await registryWithStore(t);
  const posted = await fetch(`${registry}/api/v2/spans`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    body: gzipSync(JSON.stringify([SPAN])),
  });
  assert.equal(posted.status, 202);
  const trace = await call<Array<{ name: string; localEndpoint: { serviceName: string } }>>(
    `${registry}/api/v2/trace/${SPAN.traceId}`,
  );
  assert.equal(trace.body[0]?.name, 'get /api/users/{id}');
  assert.equal(trace.body[0]?.localEndpoint.serviceName, 'customers');
  const byTag = await call<unknown[][]>(`${registry}/api/v2/traces?annotationQuery=error%3D500`);
  assert.equal(byTag.body.length, 1);
});

test('hostile span bodies and queries get problem+json, never a crash', async (t) => {
  const registry = await registryWithStore(t);
  const post = (
    body: string | Buffer,
    headers: Record<string, string> = { 'content-type': 'application/json' },
  ) => fetch(`${registry}/api/v2/spans`, { method: 'POST', headers, body });
  const cases: Array<[Promise<Response>, number, string?]> = [
    [post('{not json'), 400],
    [post('{"traceId":"x"}'), 400, 'OBS_ERR_INVALID_SPANS'],
    [post(JSON.stringify([{ ...SPAN, id: 'zz' }])), 400, 'OBS_ERR_INVALID_SPANS'],
    [post('[{"__proto__":{"polluted":true}}]'), 400],
    [post(Buffer.from([0x0a, 0x01]), { 'content-type': 'application/x-protobuf' }), 415],
    [
      post('[]', { 'content-type': 'application/json', 'content-encoding': 'br' }),
      415,
      'OBS_ERR_UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      post(Buffer.from('not gzip'), {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      }),
      400,
    ],
    // 64 MiB of zeros in about 64 KiB: the limit applies to the inflated body.
    [
      post(gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20)), {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      }),
      413,
    ],
    [fetch(`${registry}/api/v2/trace/not-hex`), 400, 'OBS_ERR_INVALID_QUERY'],
    [fetch(`${registry}/api/v2/trace/${'f'.repeat(32)}`), 404, 'OBS_ERR_TRACE_NOT_FOUND'],
    [fetch(`${registry}/api/v2/traces?limit=0`), 400, 'OBS_ERR_INVALID_QUERY'],
    [fetch(`${registry}/api/v2/traces?endTs=yesterday`), 400, 'OBS_ERR_INVALID_QUERY'],
  ];
  for (const [pending, status, code] of cases) {
    const response = await pending;
    assert.equal(response.status, status, `${response.url} ${code ?? ''}`);
    assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const problem = (await response.json()) as { code: string; status: number };
    assert.equal(problem.status, status);
    if (code) assert.equal(problem.code, code);
  }
  assert.deepEqual((await call(`${registry}/api/v2/services`)).body, [], 'nothing was stored');
  assert.equal(
    (await fetch(`${registry}/actuator/health`)).status,
    200,
    'the registry still serves',
  );
});
