// The shipped Grafana provisioning (deploy/grafana): one datasource the dashboards name by uid,
// dashboards whose every query is valid PromQL (checked offline by Debian's promtool) and uses
// Micrometer's metric names wherever a Spring Boot service has the meter, so the same panel
// shows Java and Node services. metrics-prometheus.test.ts runs the same queries against a live
// Prometheus scraping the shop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from '@stratus/cli';
import { tempDir } from './support.js';

const GRAFANA = resolve(REPO_ROOT, 'deploy/grafana');

interface Dashboard {
  uid: string;
  title: string;
  templating: { list: Array<{ name: string; datasource?: { uid: string } }> };
  panels: Array<{
    id: number;
    title: string;
    datasource: { type: string; uid: string };
    gridPos: { h: number; w: number; x: number; y: number };
    targets: Array<{ refId: string; expr: string; datasource: { uid: string } }>;
  }>;
}

/** Metric names Spring Boot (Micrometer, Resilience4j, Spring Kafka, Spring Cloud Gateway) publishes. */
const SPRING_NAMES = new Set([
  'up',
  'http_server_requests_seconds_count',
  'http_server_requests_seconds_sum',
  'http_server_requests_seconds_bucket',
  'http_server_requests_seconds_max',
  'http_client_requests_seconds_count',
  'spring_cloud_gateway_requests_seconds_count',
  'spring_cloud_gateway_requests_seconds_sum',
  'spring_cloud_gateway_requests_seconds_max',
  'resilience4j_circuitbreaker_state',
  'resilience4j_circuitbreaker_failure_rate',
  'resilience4j_circuitbreaker_calls_seconds_count',
  'resilience4j_circuitbreaker_not_permitted_calls_total',
  'resilience4j_circuitbreaker_buffered_calls',
  'resilience4j_retry_calls_total',
  'spring_kafka_template_seconds_count',
  'spring_kafka_template_seconds_max',
  'spring_kafka_listener_seconds_count',
  'spring_kafka_listener_seconds_sum',
  'kafka_consumer_fetch_manager_records_lag_max',
  'process_cpu_usage',
  'process_uptime_seconds',
  'process_files_open_files',
  'jvm_memory_used_bytes',
  'jvm_gc_pause_seconds_sum',
  'jvm_threads_live_threads',
]);
/** Meters only Node.js or Stratus has, each next to its Spring counterpart where there is one. */
const OWN_NAMES = new Set([
  'nodejs_eventloop_lag_p99_seconds',
  'nodejs_heap_size_used_bytes',
  'nodejs_gc_duration_seconds_sum',
  'nodejs_active_handles_total',
  'process_resident_memory_bytes',
  'stratus_messaging_dead_letter_total',
  'stratus_messaging_consumer_lag_records',
]);
const PROMQL_WORDS = new Set([
  'sum',
  'max',
  'min',
  'avg',
  'count',
  'by',
  'without',
  'rate',
  'increase',
  'irate',
  'topk',
  'histogram_quantile',
  'label_replace',
  'label_values',
  'or',
  'and',
  'unless',
  'on',
  'vector',
]);

async function dashboards(): Promise<Array<{ file: string; dashboard: Dashboard }>> {
  const folder = join(GRAFANA, 'dashboards');
  const files = (await readdir(folder)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (file) => ({
      file,
      dashboard: JSON.parse(await readFile(join(folder, file), 'utf8')) as Dashboard,
    })),
  );
}

/** Metric names in a PromQL expression: identifiers not followed by `(`, outside label matchers and strings. */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\[[^\]]*\]/g, '[]')
    .replace(/\b(?:by|without|on|ignoring)\s*\([^)]*\)/g, '');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const word = match[0];
    const next = stripped.slice(match.index + word.length).trimStart()[0];
    if (next === '(' || PROMQL_WORDS.has(word)) continue;
    names.add(word);
  }
  return [...names];
}

test('the datasource and the dashboard provider are provisioned as the dashboards expect', async () => {
  const datasource = await readFile(
    join(GRAFANA, 'provisioning/datasources/prometheus.yml'),
    'utf8',
  );
  assert.match(datasource, /^\s+uid: stratus-prometheus$/m);
  assert.match(datasource, /^\s+type: prometheus$/m);
  const provider = await readFile(join(GRAFANA, 'provisioning/dashboards/stratus.yml'), 'utf8');
  assert.match(provider, /path: \/var\/lib\/grafana\/dashboards\/stratus/);
  const titles = (await dashboards()).map((d) => d.dashboard.title);
  assert.deepEqual(titles, [
    'Stratus / Circuit breakers',
    'Stratus / Fleet overview',
    'Stratus / Gateway routes',
    'Stratus / Messaging',
    'Stratus / Runtime (Node.js and JVM)',
  ]);
});

test('every panel is laid out, targets the provisioned datasource, and uses Micrometer names where Spring has them', async () => {
  const uids = new Set<string>();
  for (const { file, dashboard } of await dashboards()) {
    assert.ok(!uids.has(dashboard.uid), `${file}: uid ${dashboard.uid} is unique`);
    uids.add(dashboard.uid);
    const ids = new Set<number>();
    for (const panel of dashboard.panels) {
      assert.ok(!ids.has(panel.id), `${file}: panel id ${panel.id} is unique`);
      ids.add(panel.id);
      assert.equal(panel.datasource.uid, 'stratus-prometheus', `${file} / ${panel.title}`);
      assert.ok(
        panel.gridPos.w > 0 && panel.gridPos.x + panel.gridPos.w <= 24,
        `${file} / ${panel.title} fits the grid`,
      );
      assert.ok(panel.targets.length > 0, `${file} / ${panel.title} has a query`);
      for (const target of panel.targets) {
        assert.equal(target.datasource.uid, 'stratus-prometheus');
        const names = metricNames(target.expr);
        assert.ok(names.length > 0, `${file} / ${panel.title}: no metric in ${target.expr}`);
        for (const name of names)
          assert.ok(
            SPRING_NAMES.has(name) || OWN_NAMES.has(name),
            `${file} / ${panel.title}: ${name} is neither a Micrometer name nor a listed Node/Stratus one`,
          );
      }
    }
    for (const variable of dashboard.templating.list)
      assert.equal(
        variable.datasource?.uid,
        'stratus-prometheus',
        `${file}: variable ${variable.name}`,
      );
  }
});

test('every dashboard query and the shipped rules are valid PromQL (promtool)', async (t) => {
  const dir = await tempDir(t, 'stratus-grafana-');
  const rules: string[] = ['groups:', '  - name: dashboards', '    rules:'];
  let n = 0;
  for (const { dashboard } of await dashboards())
    for (const panel of dashboard.panels)
      for (const target of panel.targets) {
        const expr = target.expr.replaceAll('$__rate_interval', '1m').replace(/\$[a-z_]+/g, '.+');
        rules.push(
          `      - record: dashboard:query:${n++}`,
          `        expr: ${JSON.stringify(expr)}`,
        );
      }
  const file = join(dir, 'dashboards.rules.yml');
  await writeFile(file, `${rules.join('\n')}\n`);
  const check = (path: string) =>
    new Promise<{ code: number | string; output: string }>((done) =>
      execFile('promtool', ['check', 'rules', path], (error, stdout, stderr) =>
        done({ code: error ? (error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
      ),
    );
  const dashboardsChecked = await check(file);
  if (dashboardsChecked.code === 'ENOENT') {
    if (process.env.CI === 'true') assert.fail('promtool (Debian package prometheus) is missing');
    t.skip('promtool is not installed (Debian package prometheus)');
    return;
  }
  assert.equal(dashboardsChecked.code, 0, dashboardsChecked.output);
  assert.match(dashboardsChecked.output, new RegExp(`SUCCESS: ${n} rules found`));
  const shipped = await check(resolve(REPO_ROOT, 'deploy/prometheus/rules/stratus.yml'));
  assert.equal(shipped.code, 0, shipped.output);
});
