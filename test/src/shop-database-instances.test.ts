// The shop on a real database with two order-service instances sharing it (issue 11,
// docs/datasources.md, reliability.md §2.3 and §3.F). One stack per server, several phases on it
// (a stack takes ~20 s to start; CI has a time budget), each stack first checking every
// service's repository on its server:
//   MariaDB (the course's database, default claims: SKIP LOCKED), reached through a TCP proxy:
//     the course's 200-orders-for-50 scenario, then the database lost and back mid-load.
//   PostgreSQL with lease claims: the same scenario, then one instance SIGKILLed while it holds
//     claimed outbox rows.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { sql } from 'kysely';
import { call, eventually, SEEDED_STOCK } from './support.js';
import {
  countOf,
  counterSum,
  databaseProxy,
  isAlive,
  requireServer,
  SERVERS,
  signUpShopper,
  startShopOnDatabase,
  type ShopOnDatabase,
} from './datasource-support.js';

interface Order {
  orderId: string;
  status: 'PENDING' | 'CONFIRMED' | 'REJECTED';
}

type Auth = Record<string, string>;

const LEASE_MS = 2_000;
// The gateway learns of the second instance from the registry; fetch often in tests.
const FAST_DISCOVERY = '--eureka.client.registry-fetch-interval-seconds=1';

test('mariadb: two order-service instances on one database', { timeout: 150_000 }, async (t) => {
  if (!(await requireServer(t, 'mariadb'))) return;
  const proxy = await databaseProxy(t, SERVERS.mariadb.port);
  await proxy.up();
  const shop = await startShopOnDatabase(t, 'mariadb', {
    orderInstances: 2,
    port: proxy.port,
    flags: [FAST_DISCOVERY, '--stratus.outbox.max-backoff-ms=1000'],
  });
  await t.test("each service's repository reads and writes its own database", (st) =>
    repositories(st, shop),
  );
  await t.test(
    '200 concurrent orders for 50 in stock settle 50 CONFIRMED / 150 REJECTED, each event once',
    (st) => concurrentOrders(st, shop),
  );
  await t.test(
    'orders answer 503 problem+json quickly while the database is away; the shop recovers by itself and no accepted order is lost',
    (st) => databaseOutage(st, shop, proxy),
  );
});

test(
  'postgresql: two order-service instances on one database, lease claims',
  { timeout: 150_000 },
  async (t) => {
    if (!(await requireServer(t, 'postgresql'))) return;
    const shop = await startShopOnDatabase(t, 'postgresql', {
      orderInstances: 2,
      flags: [
        FAST_DISCOVERY,
        '--stratus.outbox.claim-strategy=lease',
        `--stratus.outbox.lease-ms=${LEASE_MS}`,
      ],
    });
    await t.test("each service's repository reads and writes its own database", (st) =>
      repositories(st, shop),
    );
    await t.test(
      '200 concurrent orders for 50 in stock settle 50 CONFIRMED / 150 REJECTED, each event once',
      (st) => concurrentOrders(st, shop),
    );
    await t.test(
      'rows claimed by a SIGKILLed instance are published by the other after the lease expires, each once',
      (st) => relayKilled(st, shop),
    );
  },
);

/**
 * The three repositories on the server, through the gateway: catalog-service's seeded products,
 * user-service's accounts (unique email, password check), order-service's orders by user and
 * by id (another user's order answers 404), each in the service's own database.
 */
async function repositories(t: TestContext, shop: ShopOnDatabase): Promise<void> {
  const G = shop.gateway;
  const catalog = await call<Array<{ productId: string; stock: number }>>(
    `${G}/catalog-service/catalogs`,
  );
  assert.equal(catalog.status, 200);
  assert.deepEqual(
    catalog.body.map((p) => [p.productId, p.stock]),
    SEEDED_STOCK,
  );
  const ada = await signUpShopper(G, 'ada@example.com');
  const again = await call(`${G}/user-service/users`, {
    json: { email: 'ada@example.com', name: 'Ada Again', pwd: 'another password' },
  });
  assert.equal(again.status, 409, 'the email is unique in the users table');
  assert.match(again.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const wrong = await call(`${G}/user-service/login`, {
    json: { email: 'ada@example.com', password: 'not the password' },
  });
  assert.equal(wrong.status, 401);
  const placed = await call<Order>(`${G}/order-service/${ada.userId}/orders`, {
    json: { productId: 'CATALOG-002', qty: 2, unitPrice: 1000 },
    headers: ada.auth,
  });
  assert.equal(placed.status, 201);
  const [order] = await allSettled(shop.orderInstances()[0]!, ada.userId, ada.auth);
  assert.equal(order?.status, 'CONFIRMED');
  const byId = await call<Order>(`${G}/order-service/orders/${placed.body.orderId}`, {
    headers: ada.auth,
  });
  assert.deepEqual([byId.status, byId.body.orderId], [200, placed.body.orderId]);
  const bob = await signUpShopper(G, 'bob@example.com');
  const foreign = await call(`${G}/order-service/orders/${placed.body.orderId}`, {
    headers: bob.auth,
  });
  assert.equal(foreign.status, 404);
  const user = await call<{ email: string; orders: Order[] }>(
    `${G}/user-service/users/${ada.userId}`,
    {
      headers: ada.auth,
    },
  );
  assert.equal(user.status, 200);
  assert.equal(user.body.email, 'ada@example.com');
  assert.deepEqual(
    user.body.orders.map((o) => o.orderId),
    [placed.body.orderId],
    "user-service shows the user's orders from order-service",
  );
  const stock = await call<Array<{ productId: string; stock: number }>>(
    `${G}/catalog-service/catalogs`,
  );
  assert.equal(stock.body.find((p) => p.productId === 'CATALOG-002')?.stock, 108);
  t.diagnostic(`${shop.prefix}users, ${shop.prefix}catalog, ${shop.prefix}orders`);
}

/** The course's scenario: 200 orders of 1 for a product with 50 in stock, all at once. */
async function concurrentOrders(t: TestContext, shop: ShopOnDatabase): Promise<void> {
  const ORDERS = 200;
  const STOCK = 50;
  const PRODUCT = 'CATALOG-001';
  const instances = shop.orderInstances();
  assert.equal(instances.length, 2);
  const catalog = shop.db('catalog');
  const orders = shop.db('orders');
  await sql`update catalog set stock = ${STOCK} where product_id = ${PRODUCT}`.execute(catalog);
  const before = await eventCounts(shop);
  const postedBefore = await Promise.all(instances.map((url) => requestsAnswered(url, 'POST')));
  const { userId, auth } = await signUpShopper(shop.gateway, 'concurrent@example.com');
  await gatewaySeesAll(shop.gateway, instances, `/order-service/${userId}/orders`, auth);
  const started = Date.now();

  // Watch the stock while the orders go in: it must never read below zero.
  let lowestStock = STOCK;
  let placing = true;
  const stockOf = async () =>
    Number(
      (
        await sql<{
          stock: number;
        }>`select stock from catalog where product_id = ${PRODUCT}`.execute(catalog)
      ).rows[0]!.stock,
    );
  const watching = (async () => {
    while (placing) {
      lowestStock = Math.min(lowestStock, await stockOf());
      await sleep(20);
    }
  })();
  const placed = await Promise.all(
    Array.from({ length: ORDERS }, () =>
      call<Order>(`${shop.gateway}/order-service/${userId}/orders`, {
        json: { productId: PRODUCT, qty: 1, unitPrice: 1500 },
        headers: auth,
      }),
    ),
  );
  assert.deepEqual(
    placed.filter((r) => r.status !== 201).map((r) => r.body),
    [],
    'every order accepted',
  );
  const servedBy = (await Promise.all(instances.map((url) => requestsAnswered(url, 'POST')))).map(
    (n, i) => n - postedBefore[i]!,
  );
  assert.ok(
    servedBy.every((n) => n > 0),
    `both instances took orders (${servedBy.join(' + ')})`,
  );
  assert.equal(servedBy[0]! + servedBy[1]!, ORDERS);

  const settled = await eventually(
    'every order settled',
    async () => {
      const list = await call<Order[]>(`${instances[0]}/${userId}/orders`, { headers: auth });
      return list.body.length === ORDERS && list.body.every((o) => o.status !== 'PENDING')
        ? list.body
        : undefined;
    },
    60_000,
  );
  const settledMs = Date.now() - started;
  placing = false;
  await watching;
  const count = (status: Order['status']) => settled.filter((o) => o.status === status).length;
  assert.equal(count('CONFIRMED'), STOCK);
  assert.equal(count('REJECTED'), ORDERS - STOCK);
  assert.ok(lowestStock >= 0, `stock read ${lowestStock}`);
  assert.equal(await stockOf(), 0);

  // Both instances answer with the same orders, placed through either.
  const other = await call<Order[]>(`${instances[1]}/${userId}/orders`, { headers: auth });
  const idsAndStatus = (list: Order[]) => list.map((o) => `${o.orderId} ${o.status}`).sort();
  assert.deepEqual(idsAndStatus(other.body), idsAndStatus(settled));
  assert.deepEqual(settled.map((o) => o.orderId).sort(), placed.map((r) => r.body.orderId).sort());

  // Each event published once and taking effect once: one outbox row per order and per decision,
  // all published; one inbox entry per message consumed; one decision per order.
  // A relay marks its rows published after the broker took them, so a reply can be consumed
  // (and its order read as settled) before the marking commits: wait for the counts to settle.
  const expected = {
    orderOutboxRows: ORDERS,
    orderOutboxUnpublished: 0,
    stockDecisions: ORDERS,
    ordersDecided: ORDERS,
    catalogInboxEntries: ORDERS,
    catalogOutboxPublished: ORDERS,
    orderInboxEntries: ORDERS,
  };
  let grown: Record<string, number> = {};
  await eventually(
    'the outboxes and inboxes settled',
    async () => {
      const after = await eventCounts(shop);
      grown = Object.fromEntries(
        Object.entries(after).map(([name, n]) => [name, n - before[name as keyof typeof before]]),
      );
      return isDeepStrictEqual(grown, expected) ? true : undefined;
    },
    15_000,
  ).catch(() => undefined);
  assert.deepEqual(grown, expected);
  t.diagnostic(
    `orders per instance ${servedBy.join(' + ')}; placed and settled in ${settledMs} ms; duplicates the inboxes dropped: ${await duplicatesDropped(shop)}`,
  );
}

/** Rows that count published and consumed events, in the shop's databases. */
async function eventCounts(shop: ShopOnDatabase) {
  const orders = shop.db('orders');
  const catalog = shop.db('catalog');
  return {
    orderOutboxRows: await countOf(orders, sql`select count(*) as n from stratus_outbox`),
    orderOutboxUnpublished: await countOf(
      orders,
      sql`select count(*) as n from stratus_outbox where published_at is null`,
    ),
    stockDecisions: await countOf(catalog, sql`select count(*) as n from stock_reservations`),
    ordersDecided: await countOf(
      catalog,
      sql`select count(distinct order_id) as n from stock_reservations`,
    ),
    catalogInboxEntries: await countOf(catalog, sql`select count(*) as n from stratus_inbox`),
    catalogOutboxPublished: await countOf(
      catalog,
      sql`select count(*) as n from stratus_outbox where published_at is not null`,
    ),
    orderInboxEntries: await countOf(orders, sql`select count(*) as n from stratus_inbox`),
  };
}

/** The database cut off (through the proxy) for a few seconds while orders keep coming. */
async function databaseOutage(
  t: TestContext,
  shop: ShopOnDatabase,
  proxy: { up(): Promise<void>; down(): Promise<void> },
): Promise<void> {
  const OUTAGE_MS = 4_000;
  const WORKERS = 4;
  const QUICK_MS = 2_500;
  const { userId, auth } = await signUpShopper(shop.gateway, 'outage@example.com');
  const pids = [...shop.stack.processes.values()].map((p) => p.child.pid);

  interface Answer {
    phase: 'before' | 'down' | 'after';
    status: number;
    contentType: string;
    ms: number;
    orderId?: string;
  }
  let phase: Answer['phase'] = 'before';
  const answers: Answer[] = [];
  let running = true;
  const place = async () => {
    const startedAt = Date.now();
    const sentIn = phase;
    const r = await call<Order>(`${shop.gateway}/order-service/${userId}/orders`, {
      json: { productId: 'CATALOG-002', qty: 1, unitPrice: 1000 },
      headers: auth,
    });
    answers.push({
      // An answer counts for the outage only if it was asked and answered during it.
      phase: sentIn === phase ? sentIn : 'before',
      status: r.status,
      contentType: r.headers.get('content-type') ?? '',
      ms: Date.now() - startedAt,
      orderId: r.status === 201 ? r.body.orderId : undefined,
    });
  };
  const workers = Array.from({ length: WORKERS }, async () => {
    while (running) {
      await place();
      await sleep(20);
    }
  });
  await sleep(1_500);
  phase = 'down';
  await proxy.down();
  await sleep(OUTAGE_MS);
  phase = 'after';
  await proxy.up();
  const upAt = Date.now();
  await eventually(
    'orders accepted again',
    async () => (answers.some((a) => a.phase === 'after' && a.status === 201) ? true : undefined),
    30_000,
  );
  const recoveredMs = Date.now() - upAt;
  await sleep(1_000);
  running = false;
  await Promise.all(workers);

  const during = answers.filter((a) => a.phase === 'down');
  assert.ok(answers.some((a) => a.phase === 'before' && a.status === 201));
  assert.ok(during.length > 0, 'requests were answered during the outage');
  assert.deepEqual(
    [...new Set(during.map((a) => a.status))],
    [503],
    'every order during the outage answered 503',
  );
  assert.ok(during.every((a) => a.contentType.startsWith('application/problem+json')));
  const slowest = Math.max(...during.map((a) => a.ms));
  assert.ok(slowest < QUICK_MS, `slowest answer during the outage took ${slowest} ms`);
  assert.deepEqual(
    [...shop.stack.processes.values()].map((p) => p.child.pid),
    pids,
    'no process restarted',
  );

  const accepted = answers.filter((a) => a.orderId !== undefined).map((a) => a.orderId!);
  const settled = await allSettled(shop.orderInstances()[0]!, userId, auth);
  const inDatabase = new Set(settled.map((o) => o.orderId));
  assert.deepEqual(
    accepted.filter((id) => !inDatabase.has(id)),
    [],
    'no accepted order lost',
  );
  // A COMMIT that reached the database as the connection was cut is stored although its
  // request failed (the driver never heard the answer; a JDBC client is in the same place).
  // Only requests in flight at the cut can be such, at most one per worker, each answered
  // 503; and nothing is half-written: every stored order, those included, has its decision.
  const unanswered = settled.filter((o) => !accepted.includes(o.orderId));
  const unavailable = answers.filter((a) => a.status === 503).length;
  assert.ok(
    unanswered.length <= Math.min(WORKERS, unavailable),
    `stored without a 201: ${unanswered.length} (workers ${WORKERS}, 503 answers ${unavailable})`,
  );
  const stored = settled.map((o) => o.orderId);
  const decisions = await countOf(
    shop.db('catalog'),
    sql`select count(*) as n from stock_reservations where order_id in (${sql.join(stored)})`,
  );
  assert.equal(decisions, stored.length, 'one stock decision per stored order');
  if (unanswered.length > 0)
    t.diagnostic(
      `stored although answered 503 (commit acknowledgement lost): ${unanswered.length}`,
    );
  t.diagnostic(
    `${answers.length} answers: ${accepted.length} accepted, ${during.length} during the outage (slowest ${slowest} ms); accepted again ${recoveredMs} ms after the database came back`,
  );
}

/**
 * One instance frozen (SIGSTOP) until it is caught holding lease claims on unpublished rows,
 * then SIGKILLed; the other must publish those rows once the lease has run out.
 */
async function relayKilled(t: TestContext, shop: ShopOnDatabase): Promise<void> {
  const [victim, survivor] = [...shop.stack.processes.values()].filter(
    (p) => p.name === 'order-service',
  );
  assert.ok(victim && survivor);
  const victimUrl = `http://127.0.0.1:${victim.port}`;
  const survivorUrl = `http://127.0.0.1:${survivor.port}`;
  const { userId, auth } = await signUpShopper(shop.gateway, 'relay-kill@example.com');
  const orders = shop.db('orders');
  const catalog = shop.db('catalog');
  const stockBefore = Number(
    (
      await sql<{
        stock: number;
      }>`select stock from catalog where product_id = 'CATALOG-003'`.execute(catalog)
    ).rows[0]!.stock,
  );
  const outboxBefore = await countOf(orders, sql`select count(*) as n from stratus_outbox`);
  const decisionsBefore = await countOf(catalog, sql`select count(*) as n from stock_reservations`);
  const inboxBefore = await countOf(catalog, sql`select count(*) as n from stratus_inbox`);

  // Orders go straight to both instances, a few at a time, until the victim is dead and the
  // survivor has taken some more.
  const accepted: string[] = [];
  let placing = true;
  let afterKill = 0;
  const workers = Array.from({ length: 8 }, async (_, worker) => {
    while (placing || afterKill < 40) {
      const base = worker % 2 === 0 && isAlive(victim) ? victimUrl : survivorUrl;
      const r = await call<Order>(`${base}/${userId}/orders`, {
        json: { productId: 'CATALOG-003', qty: 1, unitPrice: 2000 },
        headers: auth,
      }).catch(() => null); // requests in flight to the victim die with it: not accepted
      if (r?.status === 201) accepted.push(r.body.orderId);
      if (!placing) afterKill += 1;
    }
  });

  // Claims of the victim's own (`claimed_by` names its pid) that stay unpublished while it is
  // frozen are rows it claimed and had not marked yet. Kill it then; otherwise thaw and retry.
  const victimPid = victim.child.pid!;
  let held: Array<{ id: string; claimed_until: number }> = [];
  for (let attempt = 0; attempt < 200 && held.length === 0; attempt++) {
    await sleep(30);
    process.kill(victimPid, 'SIGSTOP');
    await sleep(150);
    const rows = await sql<{
      id: string;
      claimed_until: number;
    }>`select id, claimed_until from stratus_outbox where published_at is null and claimed_by like ${`%:${victimPid}:%`} and claimed_until > ${Date.now()}`.execute(
      orders,
    );
    held = rows.rows.map((row) => ({ id: row.id, claimed_until: Number(row.claimed_until) }));
    if (held.length === 0) process.kill(victimPid, 'SIGCONT');
  }
  assert.ok(held.length > 0, 'the victim was caught holding claimed rows');
  await victim.kill();
  placing = false;
  await Promise.all(workers);

  // Its rows are published, by the survivor, not before their lease ran out.
  const ids = held.map((claim) => claim.id);
  const published = await eventually(
    "the killed instance's rows published",
    async () => {
      const rows = await sql<{
        id: string;
        published_at: number | null;
      }>`select id, published_at from stratus_outbox where id in (${sql.join(ids)})`.execute(
        orders,
      );
      return rows.rows.every((row) => row.published_at !== null) ? rows.rows : undefined;
    },
    30_000,
  );
  const leaseEnd = new Map(held.map((claim) => [claim.id, claim.claimed_until]));
  for (const row of published)
    assert.ok(
      Number(row.published_at) >= leaseEnd.get(row.id)!,
      `${row.id} published after its lease expired`,
    );

  // Every order settles once; every accepted one is there; each took effect once.
  const settled = await allSettled(survivorUrl, userId, auth);
  const inDatabase = new Set(settled.map((o) => o.orderId));
  assert.deepEqual(
    accepted.filter((id) => !inDatabase.has(id)),
    [],
    'no accepted order lost',
  );
  // The survivor's relay marks the last rows after their replies may already have settled them.
  const unpublished = () =>
    countOf(orders, sql`select count(*) as n from stratus_outbox where published_at is null`);
  await eventually('every outbox row published', async () =>
    (await unpublished()) === 0 ? true : undefined,
  ).catch(() => undefined);
  assert.equal(await unpublished(), 0);
  assert.equal(
    (await countOf(orders, sql`select count(*) as n from stratus_outbox`)) - outboxBefore,
    settled.length,
  );
  const decisions = await countOf(catalog, sql`select count(*) as n from stock_reservations`);
  assert.equal(decisions - decisionsBefore, settled.length, 'one stock decision per order');
  const inbox = await countOf(catalog, sql`select count(*) as n from stratus_inbox`);
  assert.equal(inbox - inboxBefore, settled.length, 'one inbox entry per order event');
  const confirmed = settled.filter((o) => o.status === 'CONFIRMED').length;
  const stock = await sql<{
    stock: number;
  }>`select stock from catalog where product_id = 'CATALOG-003'`.execute(catalog);
  assert.equal(
    Number(stock.rows[0]!.stock),
    stockBefore - confirmed,
    'stock moved once per confirmed order',
  );
  t.diagnostic(
    `the killed instance held ${held.length} claimed rows; ${accepted.length} orders accepted, ${settled.length} stored; duplicates the inboxes dropped: ${await duplicatesDropped(shop)}`,
  );
}

/** The user's orders once none is PENDING. */
function allSettled(base: string, userId: string, auth: Auth): Promise<Order[]> {
  return eventually(
    'every order settled',
    async () => {
      const list = await call<Order[]>(`${base}/${userId}/orders`, { headers: auth });
      return list.status === 200 && list.body.every((o) => o.status !== 'PENDING')
        ? list.body
        : undefined;
    },
    60_000,
  );
}

/** Waits until requests to `path` through the gateway have reached every instance. */
async function gatewaySeesAll(
  gateway: string,
  instances: string[],
  path: string,
  headers: Auth,
): Promise<void> {
  await eventually(
    'the gateway routes to every instance',
    async () => {
      for (let i = 0; i < instances.length * 2; i++) await call(`${gateway}${path}`, { headers });
      const served = await Promise.all(instances.map((url) => requestsAnswered(url, 'GET')));
      return served.every((n) => n > 0) ? true : undefined;
    },
    60_000,
  );
}

async function metricsText(base: string): Promise<string> {
  const response = await fetch(`${base}/actuator/prometheus`);
  assert.equal(response.status, 200);
  return response.text();
}

/** How many `<method> /{userId}/orders` the instance at `base` answered (its Micrometer timer). */
async function requestsAnswered(base: string, method: string): Promise<number> {
  const text = await metricsText(base);
  return text
    .split('\n')
    .filter(
      (line) =>
        line.startsWith('http_server_requests_seconds_count{') &&
        line.includes(`method="${method}"`) &&
        line.includes('orders'),
    )
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** Duplicates the inboxes of the running order-service instances and catalog-service skipped. */
async function duplicatesDropped(shop: ShopOnDatabase): Promise<number> {
  const catalog = `http://127.0.0.1:${shop.stack.processes.get('catalog-service')!.port}`;
  const counts = await Promise.all(
    [...shop.orderInstances(), catalog].map(async (url) =>
      counterSum(await metricsText(url), 'stratus_inbox_duplicates_total'),
    ),
  );
  return counts.reduce((a, b) => a + b, 0);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
