// Observability in a mixed fleet (docs/mixed-fleet.md), with one set of processes for both
// tests: the Stratus registry and gateway, the Spring Boot service (micrometer-tracing Brave with
// the Zipkin reporter, micrometer-registry-prometheus, OpenFeign with feign-micrometer), a
// Stratus service that publishes to Kafka and a Stratus consumer. One real Zipkin
// (scripts/zipkin.sh) collects every span; one real Prometheus (scripts/start-prometheus.sh with
// the shipped deploy/prometheus/prometheus.yml) scrapes every process it finds in the registry.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { call, eventually, freePort, tempDir } from './support.js';
import { ensureKafka } from './messaging-support.js';
import {
  assertParent,
  runScript,
  startZipkin,
  zipkinTrace,
  type QueriedSpan,
} from './tracing-support.js';
import {
  FAST_EUREKA_CLIENT,
  ROOT,
  freePorts,
  healthy,
  registered,
  skipUnlessCi,
  springJars,
  startJava,
  startStratusServer,
  startStratusService,
  type Started,
} from './interop-support.js';

const { jars, reason: springReason } = await springJars('service');
const kafkaReason = springReason ?? (await ensureKafka(9092));
const skip = skipUnlessCi(springReason ?? kafkaReason);

/** The Spring service and Stratus services whose spans and metrics are checked. */
const SERVICES = ['spring-service', 'stratus-service'] as const;

/**
 * Runtime panels with no JVM series in Micrometer (docs/mixed-fleet.md, "Known differences"):
 * Node's event loop has no JVM counterpart, and Micrometer publishes no resident set size (that
 * is Prometheus's client_java `process_resident_memory_bytes`, not a Micrometer meter).
 */
const NODE_ONLY_PANELS = new Set(['Event loop lag p99', 'Resident memory']);

interface Fleet {
  readonly zipkin: string | null;
  readonly prometheus: string | null;
  readonly gateway: Started;
  readonly spring: Started;
  readonly stratus: Started;
  readonly consumer: Started;
  readonly topic: string;
}

/** Prometheus on `port` with the shipped configuration pointed at the test registry, or null. */
async function startPrometheus(t: TestContext, dir: string, port: number, registryPort: number) {
  const source = await readFile(resolve(ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8');
  const configFile = join(dir, 'prometheus.yml');
  await writeFile(
    configFile,
    source
      .replaceAll('127.0.0.1:8761', `127.0.0.1:${registryPort}`)
      .replace(/^(\s*)scrape_interval: \S+$/m, '$1scrape_interval: 1s')
      .replace(/^(\s*)evaluation_interval: \S+$/m, '$1evaluation_interval: 1s')
      .replace(/^(\s*)scrape_timeout: \S+$/m, '$1scrape_timeout: 1s')
      .replace(/^(\s*)refresh_interval: \S+$/gm, '$1refresh_interval: 1s'),
  );
  t.after(() => runScript('scripts/stop-prometheus.sh', [`--port=${port}`, '--purge']));
  const started = await runScript('scripts/start-prometheus.sh', [
    `--config=${configFile}`,
    `--port=${port}`,
    `--data-dir=${join(dir, 'prometheus')}`,
  ]);
  if (started.code === 3 && process.env.CI !== 'true') return null;
  assert.equal(started.code, 0, started.output);
  return `http://127.0.0.1:${port}`;
}

/** Starts the whole fleet once; both tests below read from it. */
async function startFleet(t: TestContext): Promise<Fleet> {
  const dir = await tempDir(t, 'stratus-interop-observability-');
  const ports = await freePorts(
    'zipkin',
    'prometheus',
    'registry',
    'gateway',
    'spring',
    'stratus',
    'consumer',
  );
  const topic = `interop.trace.${randomBytes(4).toString('hex')}`;
  const [zipkin, prometheus] = await Promise.all([
    startZipkin(t, ports.zipkin),
    startPrometheus(t, dir, ports.prometheus, ports.registry),
  ]);
  const registry = startStratusServer(t, 'registry', ports.registry, [
    '--eureka.server.wait-time-in-ms-when-sync-empty=0',
  ]);
  await healthy(registry);
  const zone = `--eureka.client.service-url.defaultZone=http://127.0.0.1:${ports.registry}/eureka/`;
  const spans = `http://127.0.0.1:${ports.zipkin}/api/v2/spans`;
  const stratusFlags = [
    zone,
    '--spring.config.import=',
    '--eureka.client.registry-fetch-interval-seconds=1',
    '--eureka.instance.lease-renewal-interval-in-seconds=2',
    '--stratus.tracing.embedded.enabled=false',
    '--management.tracing.sampling.probability=1.0',
    `--management.zipkin.tracing.endpoint=${spans}`,
    '--management.metrics.distribution.percentiles-histogram.http.server.requests=true',
    '--stratus.messaging.transport=kafka',
    '--spring.kafka.bootstrap-servers=127.0.0.1:9092',
    '--spring.kafka.consumer.auto-offset-reset=earliest',
    // Spring's default exposes health only; config-repo/application.yml adds prometheus.
    '--management.endpoints.web.exposure.include=health,info,prometheus',
  ];
  const spring = startJava(t, 'spring-service', jars.service, ports.spring, [
    zone,
    '--spring.config.import=',
    `--management.tracing.export.zipkin.endpoint=${spans}`,
    // The Stratus gateway writes W3C (Boot 3's default); this service writes B3 multi.
    '--management.tracing.propagation.consume=w3c,b3',
    // Micrometer 1.16 writes trace exemplars on summary counts in OpenMetrics, which Prometheus
    // 2.42 (Debian 12) refuses for the whole scrape ("metric name
    // http_client_requests_seconds_count does not support exemplars"); see docs/mixed-fleet.md.
    '--spring.autoconfigure.exclude=org.springframework.boot.micrometer.tracing.autoconfigure.prometheus.PrometheusExemplarsAutoConfiguration',
    ...FAST_EUREKA_CLIENT,
  ]);
  const stratus = startStratusService(t, 'stratus-service', ports.stratus, [
    ...stratusFlags,
    `--interop.topic=${topic}`,
  ]);
  const consumer = startStratusService(t, 'stratus-consumer', ports.consumer, [
    ...stratusFlags,
    `--interop.consume-topic=${topic}`,
  ]);
  const gateway = startStratusServer(t, 'gateway', ports.gateway, [
    ...stratusFlags,
    '--spring.cloud.gateway.routes[0].id=spring-service',
    '--spring.cloud.gateway.routes[0].uri=lb://SPRING-SERVICE',
    '--spring.cloud.gateway.routes[0].predicates[0]=Path=/spring-service/**',
    '--spring.cloud.gateway.routes[0].filters[0]=RewritePath=/spring-service/(?<segment>.*), /$\\{segment}',
  ]);
  // A JVM's start on a busy two-core machine can take minutes.
  await Promise.all([
    healthy(spring, '/actuator/health', 240_000),
    healthy(stratus),
    healthy(consumer),
    healthy(gateway),
  ]);
  await Promise.all([
    registered(registry.url, 'SPRING-SERVICE'),
    registered(registry.url, 'STRATUS-SERVICE'),
  ]);
  return { zipkin, prometheus, gateway, spring, stratus, consumer, topic };
}

function find(spans: QueriedSpan[], service: string, kind: string): QueriedSpan {
  const span = spans.find((s) => s.localEndpoint?.serviceName === service && s.kind === kind);
  const seen = spans.map((s) => `${s.localEndpoint?.serviceName}:${s.kind}:${s.name}`);
  assert.ok(span, `no ${kind} span of ${service} among ${seen.join(', ')}`);
  return span;
}

const has = (service: string, kind: string) => (spans: QueriedSpan[]) =>
  spans.some((s) => s.localEndpoint?.serviceName === service && s.kind === kind);

async function checkTrace(fleet: Fleet & { zipkin: string }): Promise<void> {
  const callerSpan = randomBytes(8).toString('hex');
  // A new trace per attempt: an attempt the gateway could not route yet leaves spans of its own,
  // which must not be mistaken for the routed request's.
  const { relayed, traceId } = await eventually(
    'the gateway routes /spring-service/relay',
    async () => {
      const attemptTrace = randomBytes(16).toString('hex');
      const response = await call(`${fleet.gateway.url}/spring-service/relay`, {
        json: { orderId: `trace-${attemptTrace}` },
        headers: { traceparent: `00-${attemptTrace}-${callerSpan}-01` },
      });
      return response.status === 200 ? { relayed: response, traceId: attemptTrace } : undefined;
    },
  );
  assert.deepEqual(relayed.body, { published: fleet.topic });
  const expected: Array<[string, string]> = [
    ['apigateway-service', 'SERVER'],
    ['apigateway-service', 'CLIENT'],
    ['spring-service', 'SERVER'],
    ['spring-service', 'CLIENT'],
    ['stratus-service', 'SERVER'],
    ['stratus-service', 'PRODUCER'],
    ['stratus-consumer', 'CONSUMER'],
  ];
  // Each process reports on its own schedule; wait for the last of them.
  const spans = await zipkinTrace(
    fleet.zipkin,
    traceId,
    (seen) => expected.every(([service, kind]) => has(service, kind)(seen)),
    60_000,
  );

  const edge = find(spans, 'apigateway-service', 'SERVER');
  const proxied = find(spans, 'apigateway-service', 'CLIENT');
  const springServer = find(spans, 'spring-service', 'SERVER');
  const feign = find(spans, 'spring-service', 'CLIENT');
  const stratusServer = find(spans, 'stratus-service', 'SERVER');
  const produced = find(spans, 'stratus-service', 'PRODUCER');
  const consumed = find(spans, 'stratus-consumer', 'CONSUMER');
  assertParent(spans, edge, callerSpan, "the gateway continues the caller's W3C trace");
  assertParent(spans, proxied, edge);
  assertParent(spans, springServer, proxied, 'Brave continues the W3C traceparent');
  assertParent(spans, feign, springServer, 'the OpenFeign call is a child of the request');
  assertParent(spans, stratusServer, feign, "Stratus continues Brave's B3 headers");
  assertParent(spans, produced, stratusServer);
  assertParent(spans, consumed, produced, 'the consumer continues from the Kafka headers');
  assert.ok(spans.every((s) => s.traceId === traceId));
  assert.equal(springServer.tags?.['http.url'] ?? springServer.tags?.uri, '/relay');
}

async function query(
  prometheus: string,
  promql: string,
): Promise<Array<{ metric: Record<string, string> }>> {
  const response = await call<{
    status: string;
    data?: { result: Array<{ metric: Record<string, string> }> };
    error?: string;
  }>(`${prometheus}/api/v1/query?query=${encodeURIComponent(promql)}`);
  assert.equal(response.body.status, 'success', `${promql}: ${response.body.error}`);
  return response.body.data!.result;
}

/** Calls in both directions every 250 ms until stopped, so rate() panels have data. */
function keepTraffic(fleet: Fleet): () => Promise<void> {
  let isOn = true;
  const loop = (async () => {
    for (let i = 0; isOn && i < 1_000; i++) {
      await Promise.all([
        call(`${fleet.gateway.url}/spring-service/hello`).catch(() => undefined),
        call(`${fleet.spring.url}/stratus/hello`).catch(() => undefined),
        call(`${fleet.stratus.url}/spring/hello`).catch(() => undefined),
      ]);
      await new Promise((done) => setTimeout(done, 250));
    }
  })();
  return async () => {
    isOn = false;
    await loop;
  };
}

/** Every query of the fleet-overview and runtime dashboards, for one application. */
async function dashboardQueries(
  application: string,
): Promise<Array<{ panel: string; promql: string }>> {
  const queries: Array<{ panel: string; promql: string }> = [];
  for (const file of ['fleet-overview.json', 'runtime.json']) {
    const dashboard = JSON.parse(
      await readFile(resolve(ROOT, 'deploy/grafana/dashboards', file), 'utf8'),
    ) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
    for (const panel of dashboard.panels)
      for (const target of panel.targets)
        queries.push({
          panel: panel.title,
          promql: target.expr
            .replaceAll('$__rate_interval', '30s')
            .replaceAll('$application', application)
            .replace(/\$[a-z_]+/g, '.+'),
        });
  }
  return queries;
}

async function checkDashboards(fleet: Fleet & { prometheus: string }): Promise<void> {
  await eventually(
    'both kinds of service scraped',
    async () => {
      const up = await query(fleet.prometheus, 'up{job="stratus-services"} == 1');
      const apps = new Set(up.map((s) => s.metric.application));
      return SERVICES.every((s) => apps.has(s)) ? true : undefined;
    },
    60_000,
  ).catch(async (error: unknown) => {
    const targets = await call<{ data: { activeTargets: unknown[] } }>(
      `${fleet.prometheus}/api/v1/targets`,
    );
    throw new Error(
      `${(error as Error).message}: ${JSON.stringify(targets.body.data.activeTargets)}`,
    );
  });
  const missing: string[] = [];
  for (const application of SERVICES) {
    for (const { panel, promql } of await dashboardQueries(application)) {
      if (application === 'spring-service' && NODE_ONLY_PANELS.has(panel)) continue;
      const samples = await eventually(
        `${panel} for ${application}`,
        async () => {
          const result = await query(fleet.prometheus, promql);
          return result.some((s) => s.metric.application === application) ? result : undefined;
        },
        45_000,
      ).catch(() => null);
      if (samples === null) missing.push(`${application}: ${panel}: ${promql}`);
    }
  }
  assert.deepEqual(missing, [], 'dashboard queries without data');
}

test(
  'a Spring Boot service and Stratus services share one Zipkin trace and one Prometheus with the shipped dashboards',
  { skip, timeout: 480_000 },
  async (t) => {
    const fleet = await startFleet(t);
    const stopTraffic = keepTraffic(fleet);
    t.after(stopTraffic);

    await t.test(
      'one request through the Stratus gateway, the Spring service, a Stratus service, Kafka and a Stratus consumer is one trace with correct parents',
      { skip: fleet.zipkin === null ? 'Zipkin could not start here' : false },
      () => checkTrace({ ...fleet, zipkin: fleet.zipkin! }),
    );
    await t.test(
      "one Prometheus scrapes both kinds of service and the fleet and runtime dashboards' queries return data for both",
      {
        skip:
          fleet.prometheus === null
            ? 'prometheus is not installed and apt-get could not install it'
            : false,
      },
      () => checkDashboards({ ...fleet, prometheus: fleet.prometheus! }),
    );
  },
);
