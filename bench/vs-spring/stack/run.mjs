// Start-up time and resident memory of the whole shop stack, once on Stratus and once on Spring,
// both started by the same launcher (startStack from @stratus/cli, as `stratus up` does: the
// platform first, then the services, ready when every process answers its health check):
//   Stratus: the default stack (registry, config server, gateway, user, catalog, order).
//   Spring:  Spring's Eureka server, Config Server and Spring Cloud Gateway, the course-style
//            Java catalog-service, and the Spring Boot fixture service run twice under the
//            names user-service and order-service (the course's Java user and order services
//            are not part of this repository). Fixtures from test/interop/spring/, built once
//            and cached by its build.sh.
// The JVMs run with the interop tests' flags (256 MB heap, serial GC, C1 only), which favour
// Spring's memory figures; Stratus processes run with Node's defaults. Bounded: each stack has
// at most --timeout-s to become ready and is stopped at once after measuring.
//
// Usage: node bench/vs-spring/stack/run.mjs [--settle-s=5] [--timeout-s=300] [--only=stratus|spring]
// Writes bench/results/vs-spring-stack.json and prints a table.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultManifest, startStack } from '@stratus/cli';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const JVM_FLAGS = ['-Xmx256m', '-Xss512k', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1'];

const option = (name, fallback) => {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg === undefined ? fallback : arg.slice(name.length + 3);
};
const settleMs = Number(option('settle-s', '5')) * 1000;
const timeoutMs = Number(option('timeout-s', '300')) * 1000;
const only = option('only', 'both');

const freePort = () =>
  new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });

const jar = (name) =>
  execFileSync('bash', [join(ROOT, 'test/interop/spring/build.sh'), name], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .toString()
    .trim()
    .split('\n')
    .pop();

const rssBytes = (pid) => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
};

/** The Spring stack as a stratus.yml: every process a `command`, wired by environment. */
async function springManifest(dir) {
  const ports = {};
  for (const name of ['discovery', 'config', 'gateway', 'catalog', 'user', 'order'])
    ports[name] = await freePort();
  const zone = `http://127.0.0.1:${ports.discovery}/eureka/`;
  const client = {
    EUREKA_CLIENT_SERVICEURL_DEFAULTZONE: zone,
    EUREKA_INSTANCE_PREFERIPADDRESS: 'true',
    EUREKA_INSTANCE_IPADDRESS: '127.0.0.1',
    SPRING_CONFIG_IMPORT: `optional:configserver:http://127.0.0.1:${ports.config}`,
  };
  const java = (name, ...args) =>
    JSON.stringify(['java', ...JVM_FLAGS, '-jar', jar(name), ...args]);
  const env = (vars) =>
    Object.entries(vars)
      .map(([k, v]) => `\n      ${k}: '${v}'`)
      .join('');
  // Also as a flag: EUREKA_CLIENT_SERVICEURL_DEFAULTZONE alone binds the map key `defaultzone`,
  // which Spring Cloud Netflix does not look up when the jar's own configuration names no
  // defaultZone (docs/mixed-fleet.md), and the jar then looks for localhost:8761.
  const zoneFlag = `--eureka.client.service-url.defaultZone=${zone}`;
  const service = (name, fixture, port, extra = []) => `
  ${name}:
    command: ${java(fixture, zoneFlag, ...extra)}
    port: ${port}
    depends-on: [discovery-service, config-service]
    environment:${env(client)}`;
  const yaml = `processes:
  discovery-service:
    command: ${java('eureka-server')}
    port: ${ports.discovery}
  config-service:
    command: ${java('config-server', `--spring.cloud.config.server.native.search-locations=file:${join(ROOT, 'config-repo')}`)}
    port: ${ports.config}
  apigateway-service:
    command: ${java('gateway', '--spring.profiles.active=shop', zoneFlag)}
    port: ${ports.gateway}
    depends-on: [discovery-service, config-service]
    environment:${env({ EUREKA_CLIENT_SERVICEURL_DEFAULTZONE: zone })}${service('catalog-service', 'java-catalog', ports.catalog)}${service('user-service', 'service', ports.user, ['--spring.application.name=user-service'])}${service('order-service', 'service', ports.order, ['--spring.application.name=order-service'])}
`;
  const file = join(dir, 'stratus.yml');
  writeFileSync(file, yaml);
  return { file, gateway: `http://127.0.0.1:${ports.gateway}` };
}

/** Starts one stack, measures it, stops it. */
async function measure(label, options, gatewayOf) {
  const dir = mkdtempSync(join(tmpdir(), `stratus-stack-bench-${label}-`));
  const loadBefore = loadavg()[0];
  const started = performance.now();
  let stack;
  try {
    stack = await startStack({
      ...(await options(dir)),
      dataDir: join(dir, 'data'),
      output: null,
      startTimeoutMs: timeoutMs,
    });
    const readyMs = performance.now() - started;
    // Then the first request the gateway routes to catalog-service (a gateway's route cache and
    // its registry fetch come after its own health).
    const gateway = gatewayOf(stack);
    let catalogStatus = 0;
    while (catalogStatus !== 200 && performance.now() - started < timeoutMs) {
      const catalogs = await fetch(`${gateway}/catalog-service/catalogs`).catch(() => null);
      await catalogs?.arrayBuffer();
      catalogStatus = catalogs?.status ?? 0;
      if (catalogStatus !== 200) await new Promise((done) => setTimeout(done, 100));
    }
    const routedMs = performance.now() - started;
    await new Promise((done) => setTimeout(done, settleMs));
    const processes = [...stack.processes.values()].map((p) => ({
      name: p.name,
      rssMiB: Math.round(rssBytes(p.child.pid) / 1048576),
    }));
    return {
      label,
      readyMs: Math.round(readyMs),
      routedMs: Math.round(routedMs),
      catalogStatus,
      totalRssMiB: processes.reduce((sum, p) => sum + p.rssMiB, 0),
      processes,
      loadavgBefore: Number(loadBefore.toFixed(2)),
    };
  } finally {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const results = [];
if (only !== 'spring')
  results.push(
    await measure(
      'stratus',
      async () => ({
        // Without gateway-checks, so both sides count the same thing: every process healthy.
        manifest: {
          ...defaultManifest(),
          processes: defaultManifest().processes.map((p) => ({ ...p, gatewayCheck: null })),
        },
        registryPort: await freePort(),
        configPort: await freePort(),
        gatewayPort: await freePort(),
      }),
      (stack) => stack.urls.gateway,
    ),
  );
if (only !== 'stratus') {
  let gateway = '';
  results.push(
    await measure(
      'spring',
      async (dir) => {
        const manifest = await springManifest(dir);
        gateway = manifest.gateway;
        return { manifest: manifest.file };
      },
      () => gateway,
    ),
  );
}

const names = [...new Set(results.flatMap((r) => r.processes.map((p) => p.name)))];
console.log(`| | ${results.map((r) => r.label).join(' | ')} |`);
console.log(`|---|${results.map(() => '---:').join('|')}|`);
console.log(
  `| whole stack ready (s) | ${results.map((r) => (r.readyMs / 1000).toFixed(1)).join(' | ')} |`,
);
console.log(
  `| first request routed to catalog-service (s) | ${results.map((r) => (r.routedMs / 1000).toFixed(1)).join(' | ')} |`,
);
console.log(`| total RSS (MiB) | ${results.map((r) => r.totalRssMiB).join(' | ')} |`);
for (const name of names)
  console.log(
    `| ${name} RSS (MiB) | ${results.map((r) => r.processes.find((p) => p.name === name)?.rssMiB ?? '-').join(' | ')} |`,
  );
console.log(`| load average before | ${results.map((r) => r.loadavgBefore).join(' | ')} |`);
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(
  join(ROOT, 'bench/results/vs-spring-stack.json'),
  `${JSON.stringify({ date: new Date().toISOString(), jvmFlags: JVM_FLAGS, results }, null, 2)}\n`,
);
