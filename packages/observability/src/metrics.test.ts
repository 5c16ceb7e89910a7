import { test } from 'node:test';
import { Summary } from 'prom-client';
import assert from 'node:assert/strict';
import {
  createMetrics,
  distributionFromConfig,
  histogramBuckets,
  negotiateExposition,
  timed,
  Timed,
  toOpenMetrics,
  setGlobalObservability,
} from './index.js';

test('http.server.requests is exposed with Micrometer names and tags', async () => {
  const metrics = createMetrics({ application: 'user-service', collectProcessMetrics: false });
  metrics.recordHttpServerRequest({
    method: 'GET',
    uri: '/users/{userId}',
    status: 200,
    durationSeconds: 0.25,
  });
  metrics.recordHttpServerRequest({
    method: 'GET',
    uri: '/users/{userId}',
    status: 404,
    exception: 'NotFoundError',
    durationSeconds: 0.5,
  });
  const text = await metrics.scrape();
  assert.match(
    text,
    /http_server_requests_seconds_count\{error="none",exception="none",method="GET",outcome="SUCCESS",status="200",uri="\/users\/\{userId\}",application="user-service"\} 1/,
  );
  assert.match(text, /# TYPE http_server_requests_seconds summary/);
  assert.match(text, /# TYPE http_server_requests_seconds_max gauge/);
  assert.match(text, /http_server_requests_seconds_max\{[^\n]*status="404"[^\n]*\} 0.5/);
  assert.match(text, /exception="NotFoundError"[^}]*outcome="CLIENT_ERROR"/);
  const described = await metrics.describe('http.server.requests', { status: '200' });
  assert.deepEqual(described?.measurements, [
    { statistic: 'COUNT', value: 1 },
    { statistic: 'TOTAL_TIME', value: 0.25 },
    { statistic: 'MAX', value: 0.25 },
  ]);
  assert.ok(
    described?.availableTags.some((t) => t.tag === 'uri' && t.values.includes('/users/{userId}')),
  );
  assert.equal(await metrics.describe('no.such.meter'), null);
});

test('the max decays to 0 after the expiry window, as Micrometer TimeWindowMax does', async () => {
  let now = 1_000_000;
  const metrics = createMetrics({ application: 'a', collectProcessMetrics: false, now: () => now });
  metrics.recordHttpServerRequest({ method: 'GET', uri: '/x', status: 200, durationSeconds: 2 });
  now += 60_000;
  metrics.recordHttpServerRequest({ method: 'GET', uri: '/x', status: 200, durationSeconds: 1 });
  assert.match(await metrics.scrape(), /http_server_requests_seconds_max\{[^}]*\} 2\n/);
  now += 121_000;
  assert.match(await metrics.scrape(), /http_server_requests_seconds_max\{[^}]*\} 0\n/);
});

test('percentiles-histogram publishes Micrometer buckets between the expected values, plus SLOs', async () => {
  const config: Record<string, unknown> = {
    'management.metrics.distribution.percentiles-histogram.http.server.requests': 'true',
    'management.metrics.distribution.slo.http': '50ms, 250ms',
    'management.metrics.distribution.percentiles.all': '0.5,0.99',
  };
  const { resolve, problems } = distributionFromConfig((key) => config[key]);
  const server = resolve('http.server.requests');
  assert.equal(server.percentilesHistogram, true);
  assert.deepEqual(server.slos, [0.05, 0.25]);
  assert.deepEqual(resolve('http.client.requests').percentilesHistogram, false);
  assert.deepEqual(
    resolve('http.client.requests').slos,
    [0.05, 0.25],
    'the `http` prefix covers it',
  );
  assert.deepEqual(resolve('users.status').percentiles, [0.5, 0.99], '`all` covers every meter');
  assert.deepEqual(problems('http.server.requests'), []);
  const buckets = histogramBuckets(server);
  assert.deepEqual(buckets.slice(0, 4), [0.001, 0.001048576, 0.001398101, 0.001747626]);
  assert.equal(buckets.at(-1), 30);
  assert.match(
    await (async () => {
      const m = createMetrics({
        application: 'a',
        collectProcessMetrics: false,
        distribution: resolve,
      });
      m.recordHttpServerRequest({ method: 'GET', uri: '/x', status: 200, durationSeconds: 99 });
      return m.scrape();
    })(),
    /le="30.0",[^\n]*\} 0\n[^\n]*le="\+Inf",[^\n]*\} 1/,
    "bounds are written as Java writes them (30.0), so they match a Spring service's",
  );
  assert.ok(buckets.includes(0.05) && buckets.includes(0.25));
  const metrics = createMetrics({
    application: 'a',
    collectProcessMetrics: false,
    distribution: resolve,
  });
  metrics.recordHttpServerRequest({ method: 'GET', uri: '/x', status: 200, durationSeconds: 0.04 });
  metrics.recordHttpClientRequest({
    method: 'GET',
    status: 200,
    clientName: 'h',
    durationSeconds: 0.04,
  });
  const text = await metrics.scrape();
  assert.match(text, /# TYPE http_server_requests_seconds histogram/);
  assert.match(text, /http_server_requests_seconds_bucket\{[^\n]*le="0.05",[^\n]*\} 1/);
  assert.match(text, /http_server_requests_seconds_bucket\{[^\n]*le="0.001",[^\n]*\} 0/);
  assert.match(
    text,
    /# TYPE http_client_requests_seconds histogram/,
    'SLOs alone publish a histogram',
  );
});

test('bad distribution settings are listed, not thrown', () => {
  const config: Record<string, unknown> = {
    'management.metrics.distribution.slo.http.server.requests': 'soon',
    'management.metrics.distribution.percentiles.http.server.requests': '1.5',
    'management.metrics.distribution.percentiles-histogram.http': 'maybe',
  };
  const { problems } = distributionFromConfig((key) => config[key]);
  assert.deepEqual(problems('http.server.requests'), [
    'management.metrics.distribution.percentiles.http.server.requests: every percentile must be between 0 and 1',
    "management.metrics.distribution.slo.http.server.requests: 'soon' is not a duration",
    "management.metrics.distribution.percentiles-histogram.http: 'maybe' is not true or false",
  ]);
});

test('timed() records a Micrometer timer with the exception tag, sync and async', async () => {
  const metrics = createMetrics({ application: 'a', collectProcessMetrics: false });
  const ok = metrics.timed('orders.place', { tags: { region: 'eu' } }, async (n: number) => n * 2);
  assert.equal(await ok(21), 42);
  const failing = metrics.timed('orders.place', { tags: { region: 'eu' } }, () => {
    throw new RangeError('no');
  });
  assert.throws(() => failing(), RangeError);
  const text = await metrics.scrape();
  assert.match(
    text,
    /orders_place_seconds_count\{exception="none",region="eu",application="a"\} 1/,
  );
  assert.match(
    text,
    /orders_place_seconds_count\{exception="RangeError",region="eu",application="a"\} 1/,
  );
  assert.ok(metrics.names().includes('orders.place'));
});

test('@Timed(longTask = true) counts running calls as a long task timer', async () => {
  const metrics = createMetrics({ application: 'user-service', collectProcessMetrics: false });
  setGlobalObservability({ tracing: null, metrics });
  let release!: () => void;
  class UserController {
    @Timed('users.status', { longTask: true })
    async status(): Promise<string> {
      await new Promise<void>((resolve) => (release = resolve));
      return "It's Working in User Service";
    }
  }
  const controller = new UserController();
  const running = controller.status();
  const during = await metrics.scrape();
  assert.match(during, /# TYPE users_status_seconds_active_count gauge/);
  assert.match(during, /users_status_seconds_active_count\{application="user-service"\} 1/);
  assert.match(during, /users_status_seconds_duration_sum\{application="user-service"\} \d/);
  assert.match(during, /users_status_seconds_max\{application="user-service"\} \d/);
  release();
  assert.equal(await running, "It's Working in User Service");
  assert.match(
    await metrics.scrape(),
    /users_status_seconds_active_count\{application="user-service"\} 0/,
  );
  const described = await metrics.describe('users.status');
  assert.deepEqual(
    described?.measurements.map((m) => m.statistic),
    ['ACTIVE_TASKS', 'DURATION', 'MAX'],
  );
  // The wrapper form records to the process's registry too.
  assert.equal(await timed('users.status', { longTask: true }, async () => 'ok')(), 'ok');
  setGlobalObservability({ tracing: null, metrics: null });
});

test('a registry whose http_client_requests_seconds another library owns is left to it', async () => {
  const metrics = createMetrics({ application: 'a', collectProcessMetrics: false });
  const foreign = new Summary({
    name: 'http_client_requests_seconds',
    help: 'owned elsewhere',
    labelNames: ['clientName'],
    registers: [metrics.registry],
  });
  metrics.recordHttpClientRequest({
    method: 'GET',
    status: 200,
    clientName: 'h',
    durationSeconds: 0.1,
  });
  foreign.observe({ clientName: 'h' }, 0.2);
  assert.match(
    await metrics.scrape(),
    /http_client_requests_seconds_count\{clientName="h",application="a"\} 1/,
  );
});

test('gateway and messaging observations carry Spring Cloud Gateway and Spring Kafka tags', async () => {
  const metrics = createMetrics({
    application: 'apigateway-service',
    collectProcessMetrics: false,
  });
  metrics.recordMessagePublished({
    system: 'kafka',
    topic: 'order.created.DLT',
    durationSeconds: 0.001,
  });
  const text = await metrics.scrape();
  assert.match(
    text,
    /spring_kafka_template_seconds_count\{error="none",messaging_destination_kind="topic",messaging_destination_name="order.created.DLT",messaging_operation="publish",messaging_system="kafka",spring_kafka_template_name="apigateway-service"/,
  );
});

test('runtime meters carry Micrometer process and system names beside Node.js ones', async () => {
  const metrics = createMetrics({ application: 'a' });
  const text = await metrics.scrape();
  for (const name of [
    'process_cpu_usage',
    'system_cpu_usage',
    'system_cpu_count',
    'process_uptime_seconds',
    'process_start_time_seconds',
    'process_files_open_files',
    'nodejs_eventloop_lag_seconds',
    'nodejs_heap_size_used_bytes',
    'nodejs_active_handles_total',
  ])
    assert.match(
      text,
      new RegExp(`^${name}\\{[^}]*application="a"[^}]*\\} [0-9.e+-]+$`, 'm'),
      name,
    );
  assert.match(text, /# TYPE nodejs_gc_duration_seconds histogram/);
});

test('Prometheus negotiation prefers OpenMetrics when asked, as Spring Boot does', async () => {
  assert.equal(negotiateExposition(undefined), 'prometheus');
  assert.equal(negotiateExposition('*/*'), 'prometheus');
  assert.equal(
    negotiateExposition(
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
    ),
    'openmetrics',
  );
  assert.equal(
    negotiateExposition('text/plain;q=1, application/openmetrics-text;q=0.5'),
    'prometheus',
  );
  const metrics = createMetrics({ application: 'a', collectProcessMetrics: false });
  metrics.counter('orders.created', 'Orders created').inc();
  metrics.recordHttpServerRequest({ method: 'GET', uri: '/x', status: 200, durationSeconds: 0.1 });
  const open = await metrics.expose('application/openmetrics-text;version=1.0.0');
  assert.equal(open.contentType, 'application/openmetrics-text; version=1.0.0; charset=utf-8');
  assert.match(
    open.body,
    /# TYPE orders_created counter\norders_created_total\{application="a"\} 1/,
  );
  assert.ok(open.body.endsWith('# EOF\n'));
  assert.ok(!open.body.includes('\n\n'));
  const plain = await metrics.expose('text/plain');
  assert.equal(plain.contentType, 'text/plain; version=0.0.4; charset=utf-8');
  assert.match(plain.body, /# TYPE orders_created_total counter/);
  assert.equal(
    toOpenMetrics('# HELP x_total a\n# TYPE x_total counter\nx_total 1\n'),
    '# HELP x a\n# TYPE x counter\nx_total 1\n# EOF\n',
  );
});
