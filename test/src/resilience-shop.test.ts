// Issue 13 in the shop, with real processes: user-service asks order-service for a user's orders
// through the declarative client under the `order-service#getOrders` breaker. With order-service
// killed, GET /user-service/users/{id} through the gateway still answers 200 with the fallback
// (no orders, marked unavailable) and the breaker opens; once order-service runs again the breaker
// closes and the orders are back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '@stratus/cli';
import { call, eventually, freePort, tempDir } from './support.js';

interface UserDetail {
  userId: string;
  orders: Array<{ orderId: string }>;
  ordersUnavailable?: boolean;
}

/** A small window and a short open wait, so the test sees OPEN → HALF_OPEN → CLOSED in seconds. */
const BREAKER_FLAGS = [
  '--resilience4j.circuitbreaker.configs.default.sliding-window-size=2',
  '--resilience4j.circuitbreaker.configs.default.minimum-number-of-calls=2',
  '--resilience4j.circuitbreaker.configs.default.wait-duration-in-open-state=1s',
  '--resilience4j.circuitbreaker.configs.default.permitted-number-of-calls-in-half-open-state=1',
  // Resilience4j's 1 s time limiter would turn a slow healthy call into the fallback.
  '--resilience4j.timelimiter.configs.default.timeout-duration=10s',
];

/** The breaker's state as user-service's /actuator/prometheus reports it (Resilience4j's gauge). */
async function breakerState(userServicePort: number): Promise<string | undefined> {
  const scrape = await (
    await fetch(`http://127.0.0.1:${userServicePort}/actuator/prometheus`)
  ).text();
  const line = scrape
    .split('\n')
    .find(
      (l) =>
        /^resilience4j_circuitbreaker_state\{/.test(l) &&
        l.includes('order-service#getOrders') &&
        / 1$/.test(l),
    );
  return /state="([a-z_]+)"/.exec(line ?? '')?.[1];
}

test(
  'user-service answers the fallback while order-service is down, and shows the orders again once it is back',
  { timeout: 240_000 },
  async (t) => {
    const dataDir = await tempDir(t, 'stratus-resilience-shop-');
    const stack = await startStack({
      dataDir,
      only: ['apigateway-service', 'user-service', 'order-service'],
      registryPort: await freePort(),
      configPort: await freePort(),
      gatewayPort: await freePort(),
      flags: BREAKER_FLAGS,
      output: null,
    });
    t.after(() => stack.stop());
    const G = stack.urls.gateway;

    const signup = await call<{ userId: string }>(`${G}/user-service/users`, {
      json: { email: 'fallback@example.com', name: 'Fallback Test', pwd: 'fallback test pwd' },
    });
    assert.equal(signup.status, 201);
    const login = await call<{ token: string }>(`${G}/user-service/login`, {
      json: { email: 'fallback@example.com', password: 'fallback test pwd' },
    });
    const auth = { authorization: `Bearer ${login.body.token}` };
    const userId = signup.body.userId;
    const placed = await call<{ orderId: string }>(`${G}/order-service/${userId}/orders`, {
      json: { productId: 'CATALOG-001', qty: 1, unitPrice: 1500 },
      headers: auth,
    });
    assert.equal(placed.status, 201, JSON.stringify(placed.body));
    const detail = () => call<UserDetail>(`${G}/user-service/users/${userId}`, { headers: auth });

    // user-service may not have fetched order-service from the registry yet (5 s interval).
    const healthy = await eventually(
      'the user with their order',
      async () => {
        const r = await detail();
        assert.equal(r.status, 200);
        return r.body.ordersUnavailable === undefined ? r.body : undefined;
      },
      30_000,
    );
    assert.deepEqual(
      healthy.orders.map((o) => o.orderId),
      [placed.body.orderId],
    );
    const userServicePort = stack.processes.get('user-service')!.port!;
    assert.equal(await breakerState(userServicePort), 'closed');

    await stack.processes.get('order-service')!.kill();
    for (let i = 0; i < 3; i++) {
      const down = await detail();
      assert.equal(down.status, 200, 'the user is still served while order-service is down');
      assert.deepEqual([down.body.orders, down.body.ordersUnavailable], [[], true]);
    }
    assert.equal(await breakerState(userServicePort), 'open');

    await stack.restart('order-service');
    const recovered = await eventually(
      'orders are back',
      async () => {
        const r = await detail();
        assert.equal(r.status, 200);
        return r.body.ordersUnavailable === undefined ? r.body : undefined;
      },
      60_000,
    );
    assert.deepEqual(
      recovered.orders.map((o) => o.orderId),
      [placed.body.orderId],
    );
    assert.equal(await breakerState(userServicePort), 'closed');
  },
);
