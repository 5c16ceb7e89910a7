// Metrics with Micrometer's names, checked by a real Prometheus (Debian's package, started by
// scripts/start-prometheus.sh with the shipped deploy/prometheus/prometheus.yml): it discovers
// and scrapes every process of the shop, and the names, labels and types it stores are the ones
// a Spring Boot service publishes. Then every query of every shipped Grafana dashboard
// (deploy/grafana/dashboards) runs against that Prometheus and must return data. The shop uses
// no circuit breaker, so one more service joins the stack: a Stratus app with a Resilience4j
// breaker and a consumer that dead-letters, registered with the same registry.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createSilentLogger } from '@stratus/core';
import { createApplication, type Application } from '@stratus/boot';
import { startStack, REPO_ROOT } from '@stratus/cli';
import { bindResilienceMetrics, createResilienceRegistry } from '@stratus/resilience';
import { call, eventually, freePort, tempDir } from './support.js';
import { runScript, signUpAndLogIn } from './tracing-support.js';
import { dashboardQueries, promQuery } from './deploy-support.js';

const query = promQuery;

/** The shipped prometheus.yml pointed at the test registry, scraping every second. */
async function renderedConfig(registryPort: number): Promise<string> {
  const source = await readFile(resolve(REPO_ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8');
  return source
    .replaceAll('127.0.0.1:8761', `127.0.0.1:${registryPort}`)
    .replace(/^(\s*)scrape_interval: \S+$/m, '$1scrape_interval: 1s')
    .replace(/^(\s*)evaluation_interval: \S+$/m, '$1evaluation_interval: 1s')
    .replace(/^(\s*)scrape_timeout: \S+$/m, '$1scrape_timeout: 1s')
    .replace(/^(\s*)refresh_interval: \S+$/gm, '$1refresh_interval: 1s');
}

/** A service with a circuit breaker that opens and a consumer that dead-letters a poison message. */
async function probeService(
  t: TestContext,
  dir: string,
  registryPort: number,
): Promise<Application> {
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'application.yml'),
    [
      'resilience4j:',
      '  circuitbreaker:',
      '    instances:',
      '      catalog:',
      '        slidingWindowSize: 4',
      '        minimumNumberOfCalls: 2',
      '        failureRateThreshold: 50',
      '        waitDurationInOpenState: 60s',
      '  retry:',
      '    instances:',
      '      catalog:',
      '        maxAttempts: 2',
      '        waitDuration: 10ms',
      '',
    ].join('\n'),
  );
  const app = await createApplication({
    name: 'probe-service',
    baseDir: dir,
    env: {},
    logger: createSilentLogger(),
    argv: [
      '--server.port=0',
      '--server.address=127.0.0.1',
      '--spring.config.import=',
      `--stratus.data-dir=${join(dir, 'data')}`,
      `--eureka.client.service-url.defaultZone=http://127.0.0.1:${registryPort}/eureka/`,
      '--eureka.instance.prefer-ip-address=true',
      '--eureka.instance.ip-address=127.0.0.1',
      '--eureka.client.registry-fetch-interval-seconds=1',
      '--management.endpoints.web.exposure.include=health,prometheus',
      '--stratus.tracing.embedded.enabled=false',
      // As the stack: Prometheus keeps one type per metric name across targets, and which
      // target's it reports is arbitrary, so every target must agree.
      '--management.metrics.distribution.percentiles-histogram.http.server.requests=true',
    ],
  });
  t.after(() => app.close());
  const resilience = createResilienceRegistry({ properties: app.config.environment });
  const binding = bindResilienceMetrics(resilience, app.metrics.registry);
  app.onClose(() => binding.close());
  const callCatalog = resilience.decorate(
    async () => {
      throw new Error('catalog down');
    },
    { circuitBreaker: 'catalog', retry: 'catalog' },
  );
  for (let i = 0; i < 4; i++) await callCatalog().catch(() => undefined);
  await app.messaging.subscribe({
    topics: ['probe.events'],
    groupId: 'probe-service',
    retry: { maxAttempts: 2, initialIntervalMs: 10 },
    handler: async () => {
      throw new Error('poison');
    },
  });
  await app.messaging.publish({ topic: 'probe.events', payload: '{"poison":true}' });
  await app.start();
  return app;
}

test(
  'a real Prometheus scrapes every service with Micrometer names, labels and types, and every dashboard query returns data',
  { timeout: 360_000 },
  async (t) => {
    const dir = await tempDir(t, 'stratus-metrics-');
    const registryPort = await freePort();
    const prometheusPort = await freePort();
    const configFile = join(dir, 'prometheus.yml');
    await writeFile(configFile, await renderedConfig(registryPort));
    t.after(() => runScript('scripts/stop-prometheus.sh', [`--port=${prometheusPort}`, '--purge']));
    const started = await runScript('scripts/start-prometheus.sh', [
      `--config=${configFile}`,
      `--port=${prometheusPort}`,
      `--data-dir=${join(dir, 'prometheus')}`,
    ]);
    if (started.code === 3 && process.env.CI !== 'true') {
      t.skip('prometheus is not installed and apt-get could not install it');
      return;
    }
    assert.equal(started.code, 0, started.output);
    const prometheus = `http://127.0.0.1:${prometheusPort}`;

    const stack = await startStack({
      dataDir: join(dir, 'shop'),
      registryPort,
      configPort: await freePort(),
      gatewayPort: await freePort(),
      output: null,
      flags: [
        '--management.metrics.distribution.percentiles-histogram.http.server.requests=true',
        '--management.tracing.sampling.probability=1.0',
        '--stratus.tracing.embedded.enabled=false',
      ],
    });
    t.after(() => stack.stop());
    await probeService(t, join(dir, 'probe'), registryPort);

    // Traffic: a user, an order through the event log, a read across two services, a 404.
    const gateway = stack.urls.gateway;
    const { userId, token } = await signUpAndLogIn(gateway);
    const auth = { authorization: `Bearer ${token}` };
    const order = await call(`${gateway}/order-service/${userId}/orders`, {
      json: { productId: 'CATALOG-001', qty: 1, unitPrice: 1500 },
      headers: auth,
    });
    assert.equal(order.status, 201);
    assert.equal(
      (await call(`${gateway}/user-service/users/${userId}`, { headers: auth })).status,
      200,
    );
    await call(`${gateway}/catalog-service/catalogs`);
    await call(`${gateway}/catalog-service/no-such-path`);
    // Dashboards show rates: keep a bounded trickle of orders and reads going while they are checked.
    let isTrafficOn = true;
    const traffic = (async () => {
      for (let i = 0; isTrafficOn && i < 400; i++) {
        await call(`${gateway}/order-service/${userId}/orders`, {
          json: { productId: 'CATALOG-002', qty: 1, unitPrice: 100 },
          headers: auth,
        }).catch(() => undefined);
        await call(`${gateway}/user-service/users/${userId}`, { headers: auth }).catch(
          () => undefined,
        );
        await new Promise((done) => setTimeout(done, 250));
      }
    })();
    t.after(async () => {
      isTrafficOn = false;
      await traffic;
    });

    const services = [
      'user-service',
      'catalog-service',
      'order-service',
      'apigateway-service',
      'config-service',
      'discovery-service',
      'probe-service',
    ];
    await eventually(
      'every service and the shop traffic in Prometheus',
      async () => {
        const seen = await query(
          prometheus,
          'count by (application) (http_server_requests_seconds_count)',
        );
        const apps = new Set(seen.map((s) => s.metric.application));
        const listened = await query(
          prometheus,
          'spring_kafka_listener_seconds_count{application="order-service"}',
        );
        const deadLetters = await query(prometheus, 'stratus_messaging_dead_letter_total');
        return services.every((s) => apps.has(s)) && listened.length > 0 && deadLetters.length > 0
          ? true
          : undefined;
      },
      120_000,
    );

    await t.test('names, label sets and types are the Micrometer ones', async () => {
      const metadata = (
        await call<{ data: Record<string, Array<{ type: string }>> }>(
          `${prometheus}/api/v1/metadata`,
        )
      ).body.data;
      const typeOf = (name: string) => metadata[name]?.[0]?.type;
      const expected: Record<string, string> = {
        http_server_requests_seconds: 'histogram',
        http_server_requests_seconds_max: 'gauge',
        http_client_requests_seconds: 'summary',
        http_client_requests_seconds_max: 'gauge',
        spring_kafka_template_seconds: 'summary',
        spring_kafka_listener_seconds: 'summary',
        spring_kafka_listener_seconds_max: 'gauge',
        process_cpu_usage: 'gauge',
        system_cpu_usage: 'gauge',
        system_cpu_count: 'gauge',
        process_uptime_seconds: 'gauge',
        process_start_time_seconds: 'gauge',
        process_files_open_files: 'gauge',
        resilience4j_circuitbreaker_state: 'gauge',
        nodejs_eventloop_lag_p99_seconds: 'gauge',
        nodejs_gc_duration_seconds: 'histogram',
      };
      for (const [name, type] of Object.entries(expected)) assert.equal(typeOf(name), type, name);

      const server = await query(
        prometheus,
        'http_server_requests_seconds_count{application="order-service", method="POST"}',
      );
      assert.ok(server.length > 0);
      for (const { metric } of server) {
        assert.deepEqual(
          Object.keys(metric)
            .filter((k) => !['__name__', 'instance', 'job', 'vip_address'].includes(k))
            .sort(),
          ['application', 'error', 'exception', 'method', 'outcome', 'status', 'uri'],
        );
        assert.match(metric.status!, /^\d{3}$/, "the metric's own status, not the instance's");
      }
      assert.ok(
        server.some(
          (s) =>
            s.metric.uri === '/{userId}/orders' &&
            s.metric.status === '201' &&
            s.metric.outcome === 'SUCCESS',
        ),
      );
      const notFound = await query(
        prometheus,
        'http_server_requests_seconds_count{application="catalog-service", uri="NOT_FOUND", status="404"}',
      );
      assert.equal(notFound.length, 1, 'an unknown path is uri="NOT_FOUND", never the raw path');
      const buckets = await query(
        prometheus,
        'http_server_requests_seconds_bucket{application="order-service", uri="/{userId}/orders", le="0.001048576"}',
      );
      assert.ok(buckets.length > 0, "Micrometer's percentile-histogram buckets");

      const client = await query(
        prometheus,
        'http_client_requests_seconds_count{application="user-service"}',
      );
      assert.ok(
        client.some((s) => s.metric.client_name === '127.0.0.1' && s.metric.method === 'GET'),
      );
      const template = await query(
        prometheus,
        'spring_kafka_template_seconds_count{application="order-service"}',
      );
      assert.ok(
        template.some(
          (s) =>
            s.metric.messaging_destination_name === 'order.created' &&
            s.metric.messaging_operation === 'publish',
        ),
      );
      const listener = await query(
        prometheus,
        'spring_kafka_listener_seconds_count{application="catalog-service"}',
      );
      assert.ok(
        listener.some(
          (s) =>
            s.metric.messaging_source_name === 'order.created' &&
            s.metric.messaging_kafka_consumer_group !== undefined,
        ),
      );
      const up = await query(prometheus, 'up{job="stratus-services"}');
      assert.ok(
        up.every((s) => s.metric.status === 'UP'),
        'the instance status stays on target series',
      );
      const exported = await query(
        prometheus,
        'count({__name__=~".+", exported_status=~".+"}) or count({__name__=~".+", exported_application=~".+"})',
      );
      assert.deepEqual(exported, [], 'no exported_* labels leak');
    });

    await t.test('every query of every shipped Grafana dashboard returns data', async () => {
      for (const { dashboard, panel, promql } of dashboardQueries('30s')) {
        await eventually(
          `data for ${dashboard} / ${panel}`,
          async () => {
            const samples = await query(prometheus, promql);
            return samples.length > 0 ? samples : undefined;
          },
          30_000,
        ).catch((error: unknown) => {
          throw new Error(`${(error as Error).message}\n${promql}`);
        });
      }
    });
  },
);
