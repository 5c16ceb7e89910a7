// A real Prometheus (Debian's `prometheus` package, started by scripts/start-prometheus.sh on
// loopback) with the shipped deploy/prometheus/prometheus.yml discovers every instance `npm start`
// registers (the shop, the config server, the gateway) through `eureka_sd_configs` against the
// registry, scrapes the registry itself, and sees every target `up == 1`: the shipped
// configuration exposes /actuator/prometheus on every process and no server asks for credentials
// on it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { startStack, REPO_ROOT } from '@stratus/cli';
import { eventually, freePort, tempDir } from './support.js';

/** Everything that registers with the registry, so job `stratus-services` scrapes it. */
const REGISTERED = [
  'user-service',
  'catalog-service',
  'order-service',
  'config-service',
  'apigateway-service',
] as const;
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
  'Prometheus with the shipped configuration sees every instance of npm start up: shop, config server, gateway, registry',
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
    });
    t.after(() => stack.stop());

    let lastSeen = '';
    const targets = await eventually(
      'every registered target up',
      async () => {
        const data = await prometheusApi<{ activeTargets: Target[] }>(
          prometheus,
          '/api/v1/targets',
        );
        const registered = data.activeTargets.filter((x) => x.labels.job === 'stratus-services');
        lastSeen = registered
          .map(
            (x) => `${x.labels.application}=${x.health}${x.lastError ? ` (${x.lastError})` : ''}`,
          )
          .join(', ');
        const up = REGISTERED.map((s) =>
          registered.find((x) => x.labels.application === s && x.health === 'up'),
        );
        return up.every(Boolean) ? (up as Target[]) : undefined;
      },
      90_000,
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}; targets seen: ${lastSeen}`);
    });
    for (const [i, name] of REGISTERED.entries()) {
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

    let lastUp = '';
    const samples = await eventually(
      'up == 1 for every registered instance and the registry',
      async () => {
        const data = await prometheusApi<{ result: Sample[] }>(
          prometheus,
          `/api/v1/query?query=${encodeURIComponent('up')}`,
        );
        lastUp = data.result.map((r) => `${r.metric.application}=${r.value[1]}`).join(', ');
        const names = [...REGISTERED, 'discovery-service'];
        const allUp = names.every((s) =>
          data.result.some((r) => r.metric.application === s && r.value[1] === '1'),
        );
        return allUp ? data.result : undefined;
      },
      30_000,
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}; up: ${lastUp}`);
    });
    const registry = samples.find((r) => r.metric.job === 'stratus-registry');
    assert.equal(registry?.metric.instance, `127.0.0.1:${registryPort}`);
    assert.equal(registry?.metric.application, 'discovery-service');
    assert.equal(registry?.value[1], '1', 'the registry scrape is up');
    for (const name of REGISTERED) {
      const sample = samples.find((r) => r.metric.application === name);
      assert.equal(sample?.metric.job, 'stratus-services');
      assert.equal(sample?.value[1], '1', `${name} is up`);
    }
    assert.ok(
      samples.every((r) => r.value[1] === '1'),
      `every target is up: ${samples.map((r) => `${r.metric.instance}=${r.value[1]}`).join(', ')}`,
    );
  },
);
