// Helpers of the mixed-fleet tests (interop-*.test.ts): the Spring fixtures of
// test/interop/spring/ built once by build.sh, Java and Stratus processes on 127.0.0.1 that
// are killed after the test, and a small Stratus service (`node interop-support.js serve …`).
// Spring fixtures run with small heaps so several fit on a two-core machine.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';
import { createApplication } from '@stratus/boot';
import { createClientFactory, defineClient, endpoint } from '@stratus/http';
import { call, eventually, freePort } from './support.js';

const run = promisify(execFile);
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = resolve(ROOT, 'packages/cli/bin/stratus.js');
const SELF = fileURLToPath(import.meta.url);

/** JVM flags of every fixture: a small heap, the client compiler, one GC thread. */
export const JVM_FLAGS = [
  '-Xmx256m',
  '-Xss512k',
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-XX:ReservedCodeCacheSize=64m',
  '-Djava.security.egd=file:/dev/./urandom',
];

/** Spring Cloud's own client timings, shortened so a test sees changes within a second or two. */
export const FAST_EUREKA_CLIENT = [
  '--eureka.client.registry-fetch-interval-seconds=1',
  '--eureka.client.initial-instance-info-replication-interval-seconds=1',
  '--eureka.client.instance-info-replication-interval-seconds=1',
  '--eureka.instance.lease-renewal-interval-in-seconds=2',
  '--eureka.instance.prefer-ip-address=true',
  '--eureka.instance.ip-address=127.0.0.1',
  '--spring.cloud.loadbalancer.cache.enabled=false',
];

/**
 * Builds the Spring fixtures (cached by build.sh) and returns their jars, or the reason they
 * cannot be had here (no Java, no Maven, a failed build).
 */
export async function springJars<N extends string>(
  ...names: N[]
): Promise<{ jars: Record<N, string>; reason: string | null }> {
  const jars = {} as Record<N, string>;
  for (const name of names) {
    try {
      const { stdout } = await run('bash', [resolve(ROOT, 'test/interop/spring/build.sh'), name], {
        timeout: 900_000,
      });
      jars[name] = stdout.trim().split('\n').pop() ?? '';
    } catch (error) {
      const message = (error as Error & { stderr?: string }).stderr ?? (error as Error).message;
      return {
        jars,
        reason: `Spring fixture ${name} unavailable: ${message.trim().split('\n')[0]}`,
      };
    }
  }
  return { jars, reason: null };
}

/** The skip value of a suite whose backend is missing: the reason, or false under CI=true. */
export function skipUnlessCi(reason: string | null): string | false {
  if (reason === null) return false;
  return process.env.CI === 'true' ? false : reason;
}

/** A child process of a test, with its last output lines for failure messages. */
export interface Started {
  readonly name: string;
  readonly child: ChildProcess;
  readonly url: string;
  /** The last 200 lines of stdout and stderr. */
  readonly lines: string[];
  /** Lines matching `pattern` so far. */
  grep(pattern: RegExp): string[];
  /** SIGTERM, then SIGKILL after `graceMs`; resolves on exit. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<ChildProcess>();
// Backstop for a runner that exits without running t.after (an uncaught error): no orphaned JVMs.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function track(t: TestContext, name: string, port: number, child: ChildProcess): Started {
  running.add(child);
  const lines: string[] = [];
  const collect = (stream: NodeJS.ReadableStream | null) => {
    let rest = '';
    stream?.on('data', (chunk: Buffer) => {
      const parts = (rest + chunk.toString('utf8')).split('\n');
      rest = parts.pop() ?? '';
      lines.push(...parts);
      if (lines.length > 400) lines.splice(0, lines.length - 200);
    });
  };
  collect(child.stdout);
  collect(child.stderr);
  const exited = new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done();
    else child.once('exit', () => done());
  });
  void exited.then(() => running.delete(child));
  const stop = async (graceMs = 10_000) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(killer);
    }
  };
  t.after(() => stop());
  return {
    name,
    child,
    url: `http://127.0.0.1:${port}`,
    lines,
    grep: (pattern) => lines.filter((line) => pattern.test(line)),
    stop,
  };
}

/** One free port per name. */
export async function freePorts<N extends string>(...names: N[]): Promise<Record<N, number>> {
  const ports = {} as Record<N, number>;
  for (const name of names) ports[name] = await freePort();
  return ports;
}

/**
 * The environment of a Spring fixture: the runner's, without the Spring variables a developer's
 * shell may hold. They are removed, not blanked: an empty SPRING_PROFILES_ACTIVE is still a
 * relaxed-binding source above application.properties and would switch the fixture's own
 * profile off (the Config Server then asks for a Git URI).
 */
function javaEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('SPRING_')) delete env[key];
  return env;
}

/** Starts a Spring fixture jar with Spring flags on `port`. */
export function startJava(
  t: TestContext,
  name: string,
  jar: string,
  port: number,
  flags: readonly string[],
): Started {
  const child = spawn('java', [...JVM_FLAGS, '-jar', jar, `--server.port=${port}`, ...flags], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: javaEnv(),
  });
  return track(t, name, port, child);
}

/** Starts `stratus <server>` (registry, config-server, gateway) with Spring flags on `port`. */
export function startStratusServer(
  t: TestContext,
  server: 'registry' | 'config-server' | 'gateway',
  port: number,
  flags: readonly string[],
): Started {
  const child = spawn(
    process.execPath,
    [
      CLI,
      server,
      `--server.port=${port}`,
      '--server.address=127.0.0.1',
      // One process, as under `stratus up`: a gateway otherwise forks a worker per core.
      ...(server === 'gateway' ? ['--stratus.gateway.workers=1'] : []),
      ...flags,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, STRATUS_LOG_FORMAT: 'json' } },
  );
  return track(t, `stratus ${server}`, port, child);
}

/** Starts the Stratus test service below (`serve`) as `name` on `port`. */
export function startStratusService(
  t: TestContext,
  name: string,
  port: number,
  flags: readonly string[],
): Started {
  const child = spawn(
    process.execPath,
    [
      SELF,
      'serve',
      `--spring.application.name=${name}`,
      `--server.port=${port}`,
      '--server.address=127.0.0.1',
      '--eureka.instance.prefer-ip-address=true',
      '--eureka.instance.ip-address=127.0.0.1',
      ...flags,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, STRATUS_LOG_FORMAT: 'json' } },
  );
  return track(t, name, port, child);
}

/** Waits until `process` answers 200 on `path` (default its health), failing early if it exits. */
export async function healthy(
  process: Started,
  path = '/actuator/health',
  timeoutMs = 120_000,
): Promise<void> {
  await eventually(
    `${process.name} on ${process.url}${path}`,
    async () => {
      if (process.child.exitCode !== null || process.child.signalCode !== null)
        throw new Error(
          `${process.name} exited (${process.child.exitCode ?? process.child.signalCode}):\n${process.lines.slice(-40).join('\n')}`,
        );
      const response = await call(`${process.url}${path}`).catch(() => null);
      return response?.status === 200 ? true : undefined;
    },
    timeoutMs,
  ).catch((error: unknown) => {
    const message = (error as Error).message;
    throw new Error(
      message.includes('exited') ? message : `${message}\n${process.lines.slice(-40).join('\n')}`,
    );
  });
}

/** Eureka's applications as JSON, from a Stratus registry or a Spring Eureka server. */
export async function eurekaApps(
  registry: string,
): Promise<Map<string, Array<{ instanceId: string; status: string; vipAddress: string }>>> {
  const response = await call<{
    applications: {
      application: Array<{
        name: string;
        instance: Array<{ instanceId: string; status: string; vipAddress: string }>;
      }>;
    };
  }>(`${registry}/eureka/apps/`, { headers: { accept: 'application/json' } });
  if (response.status !== 200) throw new Error(`GET /eureka/apps: ${response.status}`);
  return new Map(response.body.applications.application.map((a) => [a.name, a.instance]));
}

/** Waits until `registry` lists `app` with `count` UP instances. */
export function registered(registry: string, app: string, count = 1): Promise<void> {
  return eventually(
    `${app} registered with ${registry}`,
    async () => {
      const instances = (await eurekaApps(registry)).get(app) ?? [];
      return instances.filter((i) => i.status === 'UP').length >= count ? true : undefined;
    },
    90_000,
  ).then(() => undefined);
}

// ---------------------------------------------------------------------------------------------
// The Stratus side: a service as small as the Spring fixture, run as its own process so its
// traces and metrics carry its own name.

const SpringService = defineClient({
  name: 'spring-service',
  endpoints: {
    hello: endpoint({ method: 'GET', path: '/hello', response: (value) => value }),
  },
});

async function serve(argv: readonly string[]): Promise<void> {
  const received: unknown[] = [];
  const app = await createApplication({ name: 'stratus-service', baseDir: ROOT, argv });
  const clients = createClientFactory({
    properties: app.config,
    loadBalancer: app.loadBalancer,
    logger: app.logger,
    metricsRegistry: app.metrics.registry,
  });
  // app.loadBalancer read before start() stays the empty balancer (see docs/mixed-fleet.md,
  // "Known differences"), so the documented client gets its own route and this one follows.
  const following = {
    choose: (...args: Parameters<typeof app.loadBalancer.choose>) =>
      app.loadBalancer.choose(...args),
    markFailed: (serviceId: string, instanceId: string) =>
      app.loadBalancer.markFailed(serviceId, instanceId),
    markSucceeded: (serviceId: string, instanceId: string) =>
      app.loadBalancer.markSucceeded?.(serviceId, instanceId),
  };
  const spring = createClientFactory({
    properties: app.config,
    loadBalancer: following,
    logger: app.logger,
  }).create(SpringService);
  const documented = clients.create(SpringService);
  app.server.get('/hello', async () => ({ service: app.name, port: app.port }));
  app.server.get('/spring/hello', async () => ({ via: app.name, spring: await spring.hello() }));
  app.server.get('/spring/hello-documented', async () => ({
    via: app.name,
    spring: await documented.hello(),
  }));
  app.server.post<{ Body: Record<string, unknown> }>('/publish', async (request, reply) => {
    const topic = app.config.getString('interop.topic', 'interop.events')!;
    await app.messaging.publish({ topic, payload: JSON.stringify(request.body) });
    return reply.code(202).send({ published: topic });
  });
  app.server.get<{ Querystring: { key: string | string[] } }>('/config', async (request) => {
    const keys = [request.query.key].flat();
    return Object.fromEntries(keys.map((key) => [key, app.config.get(key) ?? null]));
  });
  app.server.get('/received', async () => received);
  const consume = app.config.getString('interop.consume-topic');
  if (consume)
    await app.messaging.subscribe({
      topics: [consume],
      groupId: app.name,
      handler: async (message) => void received.push(message.json()),
    });
  const stop = () => void app.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await app.start();
}

if (process.argv[1] === SELF && process.argv[2] === 'serve') await serve(process.argv.slice(3));
