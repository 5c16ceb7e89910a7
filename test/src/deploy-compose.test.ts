// The Compose stack for real, with podman: images from scripts/images.sh (cached by content
// hash), `podman-compose up`, the shop flow through the gateway container, one order-service
// container killed while orders come in, every query of the shipped Grafana dashboards answered
// by the stack's Prometheus, then `podman-compose down -v` leaving nothing behind.
// Skips with a reason when podman or podman-compose is missing; under CI=true it fails then
// (podman runs on this kind of machine: scripts/podman-setup.sh, deploy/README.md).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, writeFileSync, readdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { call, eventually, freePort, tempDir } from './support.js';
import {
  ROOT,
  dashboardQueries,
  imageTag,
  podmanMissingReason,
  promQuery,
  residentMemoryMb,
  runFile as run,
  shopFlow,
  type Order,
} from './deploy-support.js';

const COMPOSE_FILE = join(ROOT, 'deploy/compose/compose.yaml');

interface Stack {
  project: string;
  env: NodeJS.ProcessEnv;
  gateway: string;
  compose(...args: string[]): Promise<string>;
}

/** A git repository of config-repo/ for the config server's git backend. */
async function configRepository(dir: string): Promise<string> {
  const repo = join(dir, 'config-repo');
  mkdirSync(repo);
  for (const file of readdirSync(join(ROOT, 'config-repo')))
    cpSync(join(ROOT, 'config-repo', file), join(repo, file));
  const git = (...args: string[]) =>
    run('git', ['-c', 'user.name=stratus', '-c', 'user.email=ci@stratus.invalid', ...args], {
      cwd: repo,
    });
  await git('init', '-q', '-b', 'main');
  await git('add', '-A');
  await git('commit', '-q', '-m', 'configuration');
  return repo;
}

async function stackEnvironment(dir: string, project: string): Promise<NodeJS.ProcessEnv> {
  mkdirSync(join(dir, 'secrets'));
  writeFileSync(join(dir, 'secrets/encrypt.key'), randomBytes(24).toString('base64'));
  const secret = () => randomBytes(12).toString('hex');
  return {
    ...process.env,
    STRATUS_IMAGE: imageTag('stratus'),
    CONFIG_REPO: await configRepository(dir),
    ENCRYPT_KEY_FILE: join(dir, 'secrets/encrypt.key'),
    TOKEN_SECRET: randomBytes(48).toString('hex'),
    STRATUS_ADMIN_PASSWORD: secret(),
    MARIADB_ROOT_PASSWORD: secret(),
    USER_DB_PASSWORD: secret(),
    CATALOG_DB_PASSWORD: secret(),
    ORDER_DB_PASSWORD: secret(),
    NETWORK_NAME: project,
    GATEWAY_PORT: String(await freePort()),
    REGISTRY_PORT: String(await freePort()),
    CONFIG_PORT: String(await freePort()),
    ZIPKIN_PORT: String(await freePort()),
    PROMETHEUS_PORT: String(await freePort()),
  };
}

const PROJECT_PREFIX = 'stratus-test-';

/**
 * Removes the stacks of earlier runs that were killed before their teardown (the project names
 * the test process's pid; a live pid's stack is another run's and stays), so an interrupted run
 * leaves no containers behind for the next one to run beside.
 */
async function removeAbandonedProjects(t: TestContext): Promise<void> {
  const label = 'io.podman.compose.project';
  const format = `{{index .Labels "${label}"}}`;
  const listed = await run('podman', [
    'ps',
    '-a',
    '--filter',
    `label=${label}`,
    '--format',
    format,
  ]);
  const projects = new Set(listed.stdout.split('\n').filter((p) => p.startsWith(PROJECT_PREFIX)));
  for (const project of projects) {
    const pid = Number(project.slice(PROJECT_PREFIX.length));
    if (Number.isInteger(pid) && isRunning(pid)) continue;
    t.diagnostic(`removing the abandoned stack ${project}`);
    const byProject = `label=${label}=${project}`;
    await run('podman', ['rm', '-f', '-v', '--filter', byProject]).catch(() => undefined);
    await run('podman', ['volume', 'prune', '-f', '--filter', byProject]).catch(() => undefined);
    await run('podman', ['network', 'rm', '-f', project]).catch(() => undefined);
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function bringUp(t: TestContext): Promise<Stack & { startMs: number }> {
  await run('bash', [join(ROOT, 'scripts/images.sh'), 'build'], { timeout: 40 * 60_000 });
  await removeAbandonedProjects(t);
  const dir = await tempDir(t, 'stratus-compose-');
  const project = `${PROJECT_PREFIX}${process.pid}`;
  const env = await stackEnvironment(dir, project);
  const compose = async (...args: string[]) =>
    (
      await run('podman-compose', ['-f', COMPOSE_FILE, '-p', project, ...args], {
        env,
        maxBuffer: 64 * 1024 * 1024,
      })
    ).stdout;
  const stack = { project, env, gateway: `http://127.0.0.1:${env.GATEWAY_PORT}`, compose };
  t.after(() => tearDown(stack));
  const started = Date.now();
  await compose('up', '-d');
  // Up means routed: the catalogue answers, and the gateway reaches user-service and both
  // order-service instances (the kill test needs the second one registered before it starts).
  const registry = `http://127.0.0.1:${env.REGISTRY_PORT}`;
  await eventually(
    'the shop routed through the gateway container, both order-services registered',
    async () => {
      const routed = await Promise.all(
        [
          '/catalog-service/catalogs',
          '/user-service/actuator/health',
          '/order-service/actuator/health',
        ].map(async (path) => (await call(`${stack.gateway}${path}`)).status === 200),
      );
      const orders = await call<{ application?: { instance?: Array<{ status: string }> } }>(
        `${registry}/eureka/apps/ORDER-SERVICE`,
        { headers: { accept: 'application/json' } },
      );
      const up = (orders.body.application?.instance ?? []).filter((i) => i.status === 'UP');
      return routed.every(Boolean) && up.length === 2 ? true : undefined;
    },
    8 * 60_000,
  );
  return { ...stack, startMs: Date.now() - started };
}

async function tearDown(stack: Stack): Promise<void> {
  await stack.compose('down', '-v').catch(() => '');
  await run('podman', ['network', 'rm', '-f', stack.project]).catch(() => undefined);
}

/** Containers and volumes of the project that are still there, and its network. */
async function leftovers(project: string): Promise<{ items: string[]; network: string[] }> {
  const label = `label=io.podman.compose.project=${project}`;
  const list = async (...args: string[]) =>
    (await run('podman', args)).stdout.split('\n').filter((line) => line.trim() !== '');
  return {
    items: [
      ...(await list('ps', '-a', '--filter', label, '--format', '{{.Names}}')),
      ...(await list('volume', 'ls', '--filter', label, '--format', '{{.Name}}')),
    ],
    network: (await list('network', 'ls', '--format', '{{.Name}}')).filter((n) => n === project),
  };
}

/** Orders placed one after another while order-service-1 is killed: every one is accepted. */
async function ordersThroughAKill(stack: Stack, userId: string, auth: Record<string, string>) {
  const placed: string[] = [];
  const failures: string[] = [];
  let killed = false;
  for (let i = 0; i < 40; i++) {
    if (i === 10) {
      await run('podman', ['kill', `${stack.project}_order-service-1_1`]);
      killed = true;
    }
    const order = await call<Order>(`${stack.gateway}/order-service/${userId}/orders`, {
      json: { productId: 'CATALOG-003', qty: 1, unitPrice: 100 },
      headers: auth,
    });
    if (order.status === 201) placed.push(order.body.orderId);
    else failures.push(`${order.status} ${JSON.stringify(order.body)}`);
  }
  assert.ok(killed);
  return { placed, failures };
}

/** Panels whose meters appear only after an event the shop does not cause; metrics-prometheus
 *  .test.ts causes each with a probe service. Their queries must still be valid. */
const PANELS_WAITING_FOR_AN_EVENT: Record<string, string> = {
  'Stratus / Circuit breakers / Calls not permitted': 'no breaker has refused a call',
  'Stratus / Circuit breakers / Retries by outcome': 'the shop configures no Resilience4j retry',
  'Stratus / Messaging / Dead letters': 'no message was dead-lettered',
};

/** Every query of every shipped Grafana dashboard answered by the stack's Prometheus, while a
 *  trickle of orders and reads keeps the rates above zero. Grafana's `$__rate_interval` is four
 *  scrape intervals (15 s here): 1m; a query without data yet waits for the next scrapes. */
async function dashboardsAnswer(stack: Stack, userId: string, auth: Record<string, string>) {
  const prometheus = `http://127.0.0.1:${stack.env.PROMETHEUS_PORT}`;
  const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
  let isTrafficOn = true;
  const traffic = (async () => {
    while (isTrafficOn) {
      await call(`${stack.gateway}/order-service/${userId}/orders`, {
        json: { productId: 'CATALOG-002', qty: 1, unitPrice: 100 },
        headers: auth,
      }).catch(() => undefined);
      await call(`${stack.gateway}/user-service/users/${userId}`, { headers: auth }).catch(
        () => undefined,
      );
      await sleep(500);
    }
  })();
  try {
    const queries = dashboardQueries('1m');
    const panel = (q: (typeof queries)[number]) => `${q.dashboard} / ${q.panel}`;
    let pending = queries;
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const answered = await Promise.all(
        pending.map(async (q) => (await promQuery(prometheus, q.promql)).length > 0),
      );
      pending = pending.filter((_, i) => !answered[i]);
      if (pending.every((q) => panel(q) in PANELS_WAITING_FOR_AN_EVENT)) break;
      await sleep(2_000);
    }
    assert.deepEqual(
      pending.filter((q) => !(panel(q) in PANELS_WAITING_FOR_AN_EVENT)).map((q) => q.promql),
      [],
      'every dashboard query returns data',
    );
    return {
      total: queries.length,
      answered: queries.length - pending.length,
      waiting: pending.map(panel),
    };
  } finally {
    isTrafficOn = false;
    await traffic;
  }
}

const reason = podmanMissingReason(['podman', 'podman-compose', 'git']);

test(
  'podman-compose runs the stack: the shop through the gateway container, every Grafana dashboard query answered by its Prometheus, a killed order-service, down -v leaves nothing',
  { skip: reason !== null && process.env.CI !== 'true' ? reason : false, timeout: 60 * 60_000 },
  async (t) => {
    assert.equal(reason, null, `CI=true and ${reason}`);
    const stack = await bringUp(t);
    t.diagnostic(
      `stack up (gateway serving the catalogue) in ${Math.round(stack.startMs / 1000)} s`,
    );
    const { userId, auth } = await shopFlow(stack.gateway);
    const prefix = `${stack.project}_`;
    const memory = await residentMemoryMb((name) =>
      name.startsWith(prefix) ? name.slice(prefix.length) : null,
    );
    t.diagnostic(`resident memory (MB): ${JSON.stringify(memory)}`);
    const started = Date.now();
    const { total, answered, waiting } = await dashboardsAnswer(stack, userId, auth);
    t.diagnostic(
      `${answered} of ${total} dashboard queries answered by the stack's Prometheus in ${Math.round((Date.now() - started) / 1000)} s`,
    );
    for (const panel of waiting)
      t.diagnostic(`no data yet for ${panel}: ${PANELS_WAITING_FOR_AN_EVENT[panel]}`);
    const { placed, failures } = await ordersThroughAKill(stack, userId, auth);
    t.diagnostic(
      `orders during the kill: ${placed.length} accepted, failures ${JSON.stringify(failures)}`,
    );
    assert.deepEqual(
      failures,
      [],
      'the gateway routes to order-service-2 once order-service-1 is gone',
    );
    await eventually(
      'every accepted order settled',
      async () => {
        const list = await call<Order[]>(`${stack.gateway}/order-service/${userId}/orders`, {
          headers: auth,
        });
        const ids = new Set(list.body.filter((o) => o.status !== 'PENDING').map((o) => o.orderId));
        return placed.every((id) => ids.has(id)) ? true : undefined;
      },
      120_000,
    );
    await stack.compose('down', '-v');
    const left = await leftovers(stack.project);
    assert.deepEqual(left.items, [], 'no container and no volume of the stack is left');
    // podman-compose 1.0.3 (Debian 12) never removes networks on down; docker compose does.
    if (left.network.length > 0) {
      t.diagnostic(`podman-compose left the network ${stack.project}; removing it`);
      await run('podman', ['network', 'rm', stack.project]);
    }
    assert.deepEqual((await leftovers(stack.project)).network, []);
  },
);
