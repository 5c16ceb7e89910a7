import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createLoggingSystem, createSilentLogger, isStratusError } from '@stratus/core';
import { ConfigEnvironment, type LoadedConfiguration } from '@stratus/config';
import { currentSpanId, currentTraceId } from '@stratus/observability';
import { LiveConfig } from './live-config.js';
import { setupObservability } from './observability-setup.js';

function configOf(properties: Record<string, unknown>): LiveConfig {
  const loaded = {
    environment: new ConfigEnvironment([{ name: 'test', properties }]),
    configServer: null,
  } as unknown as LoadedConfiguration;
  return new LiveConfig(loaded, async () => loaded, createSilentLogger());
}

/** A Zipkin collector stand-in recording what `POST /api/v2/spans` receives. */
async function collector(t: TestContext) {
  const posts: Array<{ headers: IncomingHttpHeaders; body: unknown }> = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      posts.push({ headers: request.headers, body: JSON.parse(body) });
      response.statusCode = 202;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v2/spans`, posts };
}

test("the course's settings trace every request, propagate B3 multi, and export Zipkin v2 JSON", async (t) => {
  const zipkin = await collector(t);
  const setup = setupObservability({
    config: configOf({
      'management.tracing.sampling.probability': '1.0',
      'management.tracing.propagation.produce': 'b3_multi',
      'management.tracing.propagation.consume': 'b3',
      'management.zipkin.tracing.endpoint': zipkin.url,
    }),
    name: 'user-service',
    logger: createSilentLogger(),
  });
  t.after(() => setup.close());
  assert.deepEqual(setup.tracing.propagation, { produce: ['B3_MULTI'], consume: ['B3'] });
  const written: Record<string, string> = {};
  await setup.tracing.withSpan('health check', async () => {
    setup.tracing.inject((k, v) => (written[k] = v));
  });
  assert.deepEqual(Object.keys(written).sort(), ['x-b3-sampled', 'x-b3-spanid', 'x-b3-traceid']);
  await setup.tracing.forceFlush();
  assert.equal(zipkin.posts.length, 1);
  assert.equal(zipkin.posts[0]?.headers['content-type'], 'application/json');
  const [span] = zipkin.posts[0]?.body as Array<Record<string, unknown>>;
  assert.equal(span?.name, 'health check');
  assert.equal((span?.localEndpoint as { serviceName: string }).serviceName, 'user-service');
  assert.equal(span?.traceId, written['x-b3-traceid']);
});

test('bad observability settings stop the boot with every problem listed', () => {
  assert.throws(
    () =>
      setupObservability({
        config: configOf({
          'management.tracing.sampling.probability': 2,
          'management.tracing.propagation.produce': 'jaeger',
          'management.zipkin.tracing.endpoint': 'ftp://zipkin',
          'management.zipkin.tracing.read-timeout': 'later',
          'management.metrics.distribution.slo.http.server.requests': 'soon',
        }),
        name: 'x',
        logger: createSilentLogger(),
      }),
    (error: unknown) => {
      assert.ok(isStratusError(error));
      assert.equal(error.code, 'BOOT_ERR_INVALID_CONFIG');
      assert.deepEqual(error.details.problems, [
        'management.tracing.sampling.probability (test): must be at most 1',
        "management.zipkin.tracing.endpoint (test): 'ftp://zipkin' is not an http(s) URL",
        "management.zipkin.tracing.read-timeout (test): 'later' is not a duration (like 5s or 500ms)",
        "management.metrics.distribution.slo.http.server.requests: 'soon' is not a duration",
        "management.tracing.propagation.produce: 'jaeger' is not one of w3c, b3, b3_multi",
      ]);
      return true;
    },
  );
});

test('with no Zipkin configured, spans go to the registry of eureka.client.serviceUrl.defaultZone', async (t) => {
  const registry = await collector(t);
  const defaultZone = registry.url.replace('/api/v2/spans', '/eureka/');
  const setup = setupObservability({
    config: configOf({
      'management.tracing.sampling.probability': 1,
      'eureka.client.serviceUrl.defaultZone': defaultZone,
    }),
    name: 'catalog-service',
    logger: createSilentLogger(),
  });
  await setup.tracing.withSpan('work', async () => undefined);
  await setup.close();
  assert.equal(registry.posts.length, 1);

  const offline = setupObservability({
    config: configOf({
      'eureka.client.enabled': false,
      'management.tracing.sampling.probability': 1,
    }),
    name: 'standalone',
    logger: createSilentLogger(),
  });
  await offline.tracing.withSpan('work', async () => undefined);
  await offline.close();
  assert.equal(registry.posts.length, 1, 'no discovery, no export');
});

test('log lines carry traceId and spanId inside a span, in JSON and in the seed level pattern', async (t) => {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const json = createLoggingSystem({ name: 'user-service', destination });
  const setup = setupObservability({
    config: configOf({
      'management.tracing.sampling.probability': 1,
      'eureka.client.enabled': false,
    }),
    name: 'user-service',
    logger: json.logger,
  });
  t.after(() => setup.close());
  let ids = { traceId: '', spanId: '' };
  await setup.tracing.withSpan('work', async () => {
    ids = { traceId: currentTraceId()!, spanId: currentSpanId()! };
    json.logger.info({ userId: 'u-1' }, 'user found');
  });
  json.logger.info('outside');
  const inside = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(inside.traceId, ids.traceId);
  assert.equal(inside.spanId, ids.spanId);
  assert.equal((JSON.parse(lines[1]!) as Record<string, unknown>).traceId, undefined);

  json.configureOutput({
    console: { format: 'text', pattern: '%5p [%X{traceId:-},%X{spanId:-}] %m%n' },
  });
  await setup.tracing.withSpan('work', async () => json.logger.info('patterned'));
  assert.match(lines.at(-1)!, /^ INFO \[[0-9a-f]{32},[0-9a-f]{16}\] patterned/);
  json.logger.info('no trace');
  assert.match(lines.at(-1)!, /^ INFO \[,\] no trace/);
});

test('exchanges are recorded only when httpexchanges or httptrace is exposed', async () => {
  const hidden = setupObservability({
    config: configOf({ 'eureka.client.enabled': false }),
    name: 'a',
    logger: createSilentLogger(),
  });
  assert.equal(hidden.exchanges, null);
  await hidden.close();
  const shown = setupObservability({
    config: configOf({
      'eureka.client.enabled': false,
      'management.endpoints.web.exposure.include': 'health, httptrace',
      'management.httpexchanges.recording.include': 'time-taken, principal',
      'stratus.httpexchanges.capacity': 5,
    }),
    name: 'a',
    logger: createSilentLogger(),
  });
  assert.equal(shown.exchanges?.capacity, 5);
  assert.deepEqual([...(shown.exchanges?.include ?? [])], ['TIME_TAKEN', 'PRINCIPAL']);
  await shown.close();
});

test("Spring Boot 4's management.tracing.export.zipkin.* keys are read, and win over Boot 3's", async (t) => {
  const boot4 = await collector(t);
  const boot3 = await collector(t);
  const setup = setupObservability({
    config: configOf({
      'management.tracing.sampling.probability': 1,
      'management.tracing.export.zipkin.endpoint': boot4.url,
      'management.zipkin.tracing.endpoint': boot3.url,
    }),
    name: 'user-service',
    logger: createSilentLogger(),
  });
  await setup.tracing.withSpan('work', async () => undefined);
  await setup.close();
  assert.equal(boot4.posts.length, 1);
  assert.equal(boot3.posts.length, 0);

  const off = await collector(t);
  const disabled = setupObservability({
    config: configOf({
      'management.tracing.sampling.probability': 1,
      'management.tracing.export.zipkin.enabled': false,
      'management.zipkin.tracing.endpoint': off.url,
    }),
    name: 'user-service',
    logger: createSilentLogger(),
  });
  await disabled.tracing.withSpan('work', async () => undefined);
  await disabled.close();
  assert.equal(off.posts.length, 0);
});
