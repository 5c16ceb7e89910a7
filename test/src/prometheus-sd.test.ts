// A real Prometheus (Debian's `prometheus` package, started by scripts/start-prometheus.sh on
// loopback) discovers the shop's instances through `eureka_sd_configs` against the registry
// (deploy/prometheus/prometheus.yml) and scrapes their /actuator/prometheus: `up == 1`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { startStack, REPO_ROOT } from '@stratus/cli';
import { eventually, freePort, tempDir } from './support.js';

const SERVICES = ['user-service', 'catalog-service', 'order-service'] as const;
const START_SCRIPT = resolve(REPO_ROOT, 'scripts/start-prometheus.sh');
const STOP_SCRIPT = resolve(REPO_ROOT, 'scripts/stop-prometheus.sh');
/** start-prometheus.sh's exit code when no binary exists and apt-get cannot install one. */
const EXIT_UNAVAILABLE = 3;

function run(file: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    execFile('bash', [file, ...args], { timeout: 300_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      done({ code, output: `${stdout}${stderr}`.trim() });
    });
  });
}

/**
 * deploy/prometheus/prometheus.yml pointed at a test registry, with short intervals. The file
 * documents these substitutions; the test fails if one of them stops matching.
 */
async function renderConfig(registryPort: number): Promise<string> {
  const source = await readFile(resolve(REPO_ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8');
  const substitutions: [RegExp, string][] = [
    [/127\.0\.0\.1:8761/g, `127.0.0.1:${registryPort}`],
    [/^(\s*)scrape_interval: \S+$/m, '$1scrape_interval: 1s'],
    [/^(\s*)evaluation_interval: \S+$/m, '$1evaluation_interval: 1s'],
    [/^(\s*)scrape_timeout: \S+$/m, '$1scrape_timeout: 1s'],
    [/^(\s*)refresh_interval: \S+$/gm, '$1refresh_interval: 1s'],
  ];
  let rendered = source;
  for (const [pattern, replacement] of substitutions) {
    assert.match(rendered, pattern, `prometheus.yml no longer has ${pattern}`);
    rendered = rendered.replace(pattern, replacement);
  }
  return rendered;
}

interface Target {
  labels: Record<string, string>;
  discoveredLabels: Record<string, string>;
  health: 'up' | 'down' | 'unknown';
  scrapeUrl: string;
  lastError: string;
}
interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

async function prometheusApi<T>(base: string, path: string): Promise<T> {
  const response = await fetch(`${base}${path}`);
  assert.equal(response.status, 200, path);
  const body = (await response.json()) as { status: string; data: T };
  assert.equal(body.status, 'success');
  return body.data;
}

test(
  'Prometheus discovers the shop through eureka_sd_configs and scrapes every service: up == 1',
  {
    timeout: 300_000,
  },
  async (t) => {
    const dir = await tempDir(t, 'stratus-prometheus-');
    const registryPort = await freePort();
    const prometheusPort = await freePort();
    const configFile = join(dir, 'prometheus.yml');
    await writeFile(configFile, await renderConfig(registryPort));

    // Prometheus first: when it is missing and cannot be installed, skip before starting the shop.
    t.after(() => run(STOP_SCRIPT, [`--port=${prometheusPort}`, '--purge']));
    const started = await run(START_SCRIPT, [
      `--config=${configFile}`,
      `--port=${prometheusPort}`,
      `--data-dir=${join(dir, 'data')}`,
    ]);
    if (started.code === EXIT_UNAVAILABLE && process.env.CI !== 'true') {
      t.skip('prometheus is not installed and apt-get could not install it');
      return;
    }
    assert.equal(started.code, 0, `start-prometheus.sh failed: ${started.output}`);
    const prometheus = `http://127.0.0.1:${prometheusPort}`;

    const stack = await startStack({
      dataDir: join(dir, 'shop'),
      registryPort,
      configPort: await freePort(),
      gatewayPort: await freePort(),
      output: null,
      // The services read prometheus as public from config-repo/application.yml; the registry
      // does not import the config repository, so its own scrape needs the same setting here.
      flags: ['--stratus.management.public-endpoints=health,info,prometheus'],
    });
    t.after(() => stack.stop());

    const targets = await eventually(
      'every service target up',
      async () => {
        const data = await prometheusApi<{ activeTargets: Target[] }>(
          prometheus,
          '/api/v1/targets',
        );
        const services = data.activeTargets.filter((x) => x.labels.job === 'stratus-services');
        const up = SERVICES.map((s) =>
          services.find((x) => x.labels.application === s && x.health === 'up'),
        );
        return up.every(Boolean) ? (up as Target[]) : undefined;
      },
      90_000,
    );
    for (const [i, name] of SERVICES.entries()) {
      const target = targets[i]!;
      const port = stack.processes.get(name)!.port;
      // Relabelled from the instance metadata: management.port → address, app → application,
      // instance id → instance.
      assert.equal(target.discoveredLabels.__meta_eureka_app_name, name.toUpperCase());
      assert.equal(
        target.discoveredLabels.__meta_eureka_app_instance_metadata_management_port,
        String(port),
      );
      assert.equal(target.scrapeUrl, `http://127.0.0.1:${port}/actuator/prometheus`);
      assert.equal(target.labels.instance, target.discoveredLabels.__meta_eureka_app_instance_id);
      assert.match(target.labels.instance!, new RegExp(`:${name}:${port}$`));
      assert.equal(target.labels.status, 'UP');
    }

    const samples = await eventually(
      'up == 1 for every service and the registry',
      async () => {
        const data = await prometheusApi<{ result: Sample[] }>(
          prometheus,
          `/api/v1/query?query=${encodeURIComponent('up == 1')}`,
        );
        const names = [...SERVICES, 'discovery-service'];
        return names.every((s) => data.result.some((r) => r.metric.application === s))
          ? data.result
          : undefined;
      },
      30_000,
    );
    const registry = samples.find((r) => r.metric.job === 'stratus-registry');
    assert.equal(registry?.metric.instance, `127.0.0.1:${registryPort}`);
    for (const name of SERVICES) {
      const sample = samples.find((r) => r.metric.application === name);
      assert.equal(sample?.metric.job, 'stratus-services');
      assert.equal(sample?.value[1], '1');
    }
  },
);
