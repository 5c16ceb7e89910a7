// The Spring side of the bus interop tests: the fixture app of test/interop/spring/bus-amqp or
// bus-kafka (a @RefreshScope value from a file the test edits, every bus event it sees printed
// as `EVENT {json}`), and a Stratus application beside it on the same bus.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';
import { createApplication, type Application } from '@stratus/boot';
import { createSilentLogger } from '@stratus/core';
import type { BusActivity } from '@stratus/messaging';
import { ROOT } from './messaging-support.js';
import { freePort, tempDir } from './support.js';

const run = promisify(execFile);
export const ADMIN = `Basic ${Buffer.from('admin:s3cret-pw').toString('base64')}`;
const KEY = 'interop.message';

/** Builds a fixture with test/interop/spring/build.sh; the jar, or why it cannot be had. */
export async function buildFixture(
  name: 'bus-amqp' | 'bus-kafka',
): Promise<{ jar: string | null; reason: string | null }> {
  try {
    const { stdout } = await run('bash', [`${ROOT}test/interop/spring/build.sh`, name], {
      timeout: 600_000,
    });
    return { jar: stdout.trim().split('\n').pop() ?? null, reason: null };
  } catch (error) {
    return {
      jar: null,
      reason: `the Spring fixture ${name} did not build: ${(error as Error).message.split('\n')[0]}`,
    };
  }
}

/** A bus event as the Spring app printed it. */
export interface SpringEvent {
  type: string;
  id: string;
  originService: string;
  destinationService: string;
  ackId?: string;
  event?: string;
}

/** The Spring app and the Stratus app on one bus, both reading `interop.message` from files in `dir`. */
export interface InteropPair {
  dir: string;
  destination: string;
  spring: { base: string; events: SpringEvent[]; child: ChildProcess };
  stratus: { app: Application; base: string; activity: BusActivity[] };
  /** Writes `interop.message` into both files. */
  setMessage(value: string): Promise<void>;
  /** What the Spring app's `@RefreshScope` bean holds now. */
  springMessage(): Promise<string>;
}

/** Starts both apps with `flags` selecting the broker (and the run's own bus destination). */
export async function startPair(
  t: TestContext,
  jar: string,
  flags: { spring: string[]; stratus: string[] },
): Promise<InteropPair> {
  const dir = await tempDir(t, 'stratus-bus-interop-');
  const destination = `springCloudBus.${randomUUID().slice(0, 8)}`;
  const setMessage = async (value: string) => {
    await writeFile(join(dir, 'interop.properties'), `${KEY}=${value}\n`);
    await writeFile(
      join(dir, 'application.yml'),
      `spring:\n  security:\n    user:\n      name: admin\n      password: s3cret-pw\ninterop:\n  message: ${value}\n`,
    );
  };
  await setMessage('first');
  const port = await freePort();
  const spring = startSpring(jar, [
    `--server.port=${port}`,
    `--spring.config.import=optional:file:${join(dir, 'interop.properties')}`,
    `--spring.cloud.bus.destination=${destination}`,
    ...flags.spring,
  ]);
  t.after(() => stopSpring(spring.child));
  const app = await createApplication({
    name: 'stratus-bus-interop',
    baseDir: dir,
    argv: [
      '--server.port=0',
      '--server.address=127.0.0.1',
      '--eureka.client.enabled=false',
      `--stratus.data-dir=${join(dir, 'data')}`,
      '--management.endpoints.web.exposure.include=health,busrefresh,busenv',
      `--spring.cloud.bus.destination=${destination}`,
      ...flags.stratus,
    ],
    env: {},
    logger: createSilentLogger(),
  });
  t.after(() => app.close());
  await app.start();
  const activity: BusActivity[] = [];
  app.bus!.observe((entry) => activity.push(entry));
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    'the Spring app to be up',
    async () => (await fetch(`${base}/actuator/health`).catch(() => null))?.status === 200,
    180_000,
    spring.child,
  );
  return {
    dir,
    destination,
    spring: { base, events: spring.events, child: spring.child },
    stratus: { app, base: `http://127.0.0.1:${app.port}`, activity },
    setMessage,
    springMessage: async () =>
      ((await (await fetch(`${base}/interop/message`)).json()) as { message: string }).message,
  };
}

function startSpring(jar: string, flags: string[]): { child: ChildProcess; events: SpringEvent[] } {
  const child = spawn(
    'java',
    ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Xmx256m', '-jar', jar, ...flags],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const events: SpringEvent[] = [];
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const line of parts)
      if (line.startsWith('EVENT ')) events.push(JSON.parse(line.slice(6)) as SpringEvent);
  });
  child.stderr!.resume();
  return { child, events };
}

async function stopSpring(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(killer);
}

/** Polls an async check every 200 ms; fails with `what` after `timeoutMs` or when `child` died. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  child?: ChildProcess,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (child && child.exitCode !== null)
      throw new Error(`the Spring app exited (${child.exitCode}) while waiting for ${what}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** What each side saw of the acks, for a failure message. */
function describeAcks(pair: InteropPair): string {
  const sent = pair.stratus.activity.flatMap((a) =>
    a.kind === 'sent' && a.event.type === 'AckRemoteApplicationEvent' ? [a.event.ackId] : [],
  );
  const atSpring = pair.spring.events
    .filter((e) => e.type === 'AckRemoteApplicationEvent')
    .map((e) => e.originService);
  return `Stratus sent acks of ${JSON.stringify(sent)}; Spring received acks from ${JSON.stringify(atSpring)}`;
}

/**
 * The scenario both interop tests run: a refresh posted to Stratus's `/actuator/busrefresh` is
 * applied by the Spring app, one posted to Spring's is applied by Stratus, a `busenv` from Spring
 * reaches Stratus, and each side receives the other's acks.
 */
export async function assertRefreshBothWays(
  pair: InteropPair,
): Promise<{ springRefreshId: string }> {
  const { spring, stratus } = pair;
  // Stratus → Spring. A Kafka consumer of an anonymous group starts at the latest offset once
  // it has its partitions, which it gets a moment after the app reports UP: post until seen.
  await pair.setMessage('second');
  const sent: string[] = [];
  let lastPost = 0;
  await waitFor(
    'the Spring app to apply the refresh Stratus published',
    async () => {
      if ((await pair.springMessage()) === 'second') return true;
      if (Date.now() - lastPost > 5_000) {
        lastPost = Date.now();
        const response = await fetch(`${stratus.base}/actuator/busrefresh`, {
          method: 'POST',
          headers: { authorization: ADMIN },
        });
        assert.equal(response.status, 204);
        const own = stratus.activity.findLast(
          (a) => a.kind === 'sent' && a.event.type === 'RefreshRemoteApplicationEvent',
        );
        if (own) sent.push(own.event.id);
      }
      return false;
    },
    90_000,
    spring.child,
  );
  assert.equal(stratus.app.config.getString(KEY), 'second', 'the sender refreshed itself');
  await waitFor(
    'a Spring ack at Stratus',
    () =>
      stratus.activity.some(
        (a) =>
          a.kind === 'received' &&
          a.event.type === 'AckRemoteApplicationEvent' &&
          a.event.originService.startsWith('spring-bus-interop:') &&
          sent.includes(a.event.ackId ?? '') &&
          a.event.event === 'org.springframework.cloud.bus.event.RefreshRemoteApplicationEvent',
      ),
    30_000,
  );
  await waitFor(
    'a Stratus ack at Spring',
    () =>
      spring.events.some(
        (e) =>
          e.type === 'AckRemoteApplicationEvent' &&
          e.originService.startsWith('stratus-bus-interop:'),
      ),
    30_000,
  );

  // Spring → Stratus.
  await pair.setMessage('third');
  assert.equal((await fetch(`${spring.base}/actuator/busrefresh`, { method: 'POST' })).status, 204);
  await waitFor(
    'Stratus to apply the refresh Spring published',
    () => stratus.app.config.getString(KEY) === 'third',
    30_000,
  );
  const springRefresh = spring.events.find(
    (e) =>
      e.type === 'RefreshRemoteApplicationEvent' &&
      e.originService.startsWith('spring-bus-interop:'),
  );
  assert.ok(springRefresh, 'Spring printed its own refresh event');
  // Stratus acks Spring's event, and Spring receives that ack. (Spring Cloud Bus 5 on Jackson 3
  // reads no ackId from any ack — its fields are final — so the wire checks look at ackId.)
  await waitFor(
    'the Stratus ack of the Spring refresh',
    () =>
      stratus.activity.some(
        (a) =>
          a.kind === 'sent' &&
          a.event.type === 'AckRemoteApplicationEvent' &&
          a.event.ackId === springRefresh.id,
      ),
    30_000,
  );
  const stratusAcksAtSpring = () =>
    spring.events.filter(
      (e) =>
        e.type === 'AckRemoteApplicationEvent' &&
        e.originService.startsWith('stratus-bus-interop:'),
    );
  // Spring's bus consumer is an anonymous group, which starts at the latest offset whenever it
  // is given its partitions again: an ack published while a loaded machine made it rebalance is
  // never read. So, as above, Spring refreshes again every 10 s until one of Stratus's acks of a
  // Spring refresh arrives; the failure message says what each side saw.
  let lastSpringPost = Date.now();
  await waitFor(
    'both Stratus acks at Spring',
    async () => {
      if (stratusAcksAtSpring().length >= 2) return true;
      if (Date.now() - lastSpringPost > 10_000) {
        lastSpringPost = Date.now();
        await fetch(`${spring.base}/actuator/busrefresh`, { method: 'POST' });
      }
      return false;
    },
    60_000,
    spring.child,
  ).catch((error: Error) => {
    throw new Error(`${error.message}: ${describeAcks(pair)}`);
  });

  // busenv from Spring sets the property on Stratus.
  const env = await fetch(`${spring.base}/actuator/busenv`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: KEY, value: 'from-spring-busenv' }),
  });
  assert.equal(env.status, 204);
  await waitFor(
    'Stratus to apply the environment change',
    () => stratus.app.config.getString(KEY) === 'from-spring-busenv',
    30_000,
  );
  return { springRefreshId: springRefresh.id };
}
