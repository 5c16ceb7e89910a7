import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import type { Application } from '@stratus/boot';
import { captureLogger, standaloneArgs, tempDataDir } from '@stratus/testing';
import { createUserService } from './index.js';

const SECRET = 'user-service-test-secret-0123456789abcdef';
const PASSWORD = 'canary-Passw0rd-7f3a';
const ORDER = {
  orderId: 'o-1',
  productId: 'CATALOG-001',
  qty: 2,
  unitPrice: 1500,
  totalPrice: 3000,
};

/** A stand-in order-service whose health the test switches. */
async function orderService(t: TestContext) {
  const state = { isDown: false, calls: 0 };
  const server = Fastify();
  server.get('/:userId/orders', async (_request, reply) => {
    state.calls++;
    if (state.isDown) return reply.code(503).send({ title: 'down' });
    return [ORDER];
  });
  await server.listen({ host: '127.0.0.1', port: 0 });
  t.after(() => server.close());
  const address = server.server.address();
  return {
    state,
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
  };
}

async function userService(t: TestContext, orderServiceUrl: string, extra: string[] = []) {
  const data = tempDataDir('user-service');
  const { logger, text } = captureLogger('user-service');
  const app: Application = await createUserService({
    argv: standaloneArgs(data.dir, [
      `--token.secret=${SECRET}`,
      '--shop.password.argon2.memory-cost=4096',
      '--shop.password.argon2.time-cost=1',
      `--spring.cloud.openfeign.client.config.order-service.url=${orderServiceUrl}`,
      ...extra,
    ]),
    env: {},
    logger,
  });
  await app.start();
  t.after(async () => {
    await app.close();
    data.remove();
  });
  const base = `http://127.0.0.1:${app.port}`;
  const json = { 'content-type': 'application/json' };
  await fetch(`${base}/users`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ email: 'ada@example.com', name: 'Ada', pwd: PASSWORD }),
  });
  const login = await fetch(`${base}/login`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ email: 'ada@example.com', password: PASSWORD }),
  });
  const { userId, token } = (await login.json()) as { userId: string; token: string };
  const detail = async () => {
    const res = await fetch(`${base}/users/${userId}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, 200);
    return (await res.json()) as { orders: unknown[]; ordersUnavailable?: boolean };
  };
  return { app, base, detail, logs: text };
}

test('the orders call runs under the order-service#getOrders breaker: failures answer the fallback, OPEN stops calling, recovery brings the orders back', async (t) => {
  const upstream = await orderService(t);
  const { app, detail, logs } = await userService(t, upstream.url, [
    '--resilience4j.circuitbreaker.configs.default.sliding-window-size=2',
    '--resilience4j.circuitbreaker.configs.default.minimum-number-of-calls=2',
    // Long enough that the OPEN checks below stay inside it on a busy machine.
    '--resilience4j.circuitbreaker.configs.default.wait-duration-in-open-state=2s',
    '--resilience4j.circuitbreaker.configs.default.permitted-number-of-calls-in-half-open-state=1',
    // Resilience4j's 1 s time limiter would turn a slow healthy call into the fallback.
    '--resilience4j.timelimiter.configs.default.timeout-duration=10s',
  ]);
  const healthy = await detail();
  assert.deepEqual(healthy.orders, [ORDER]);
  assert.equal(healthy.ordersUnavailable, undefined);
  upstream.state.isDown = true;
  for (let i = 0; i < 2; i++) assert.deepEqual((await detail()).ordersUnavailable, true);
  const breaker = app.resilience.circuitBreaker('order-service#getOrders');
  assert.equal(breaker.state, 'OPEN');
  const callsWhenOpened = upstream.state.calls;
  const refused = await detail();
  assert.deepEqual([refused.orders, refused.ordersUnavailable], [[], true]);
  assert.equal(upstream.state.calls, callsWhenOpened, 'OPEN: order-service is not called');
  assert.match(logs(), /HTTP_ERR_CIRCUIT_OPEN/);
  upstream.state.isDown = false;
  // OPEN for the wait, then one HALF_OPEN trial call that succeeds and closes the breaker.
  let recovered = await detail();
  for (
    const deadline = Date.now() + 10_000;
    recovered.ordersUnavailable && Date.now() < deadline;
  ) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    recovered = await detail();
  }
  assert.deepEqual(recovered.orders, [ORDER]);
  assert.equal(recovered.ordersUnavailable, undefined);
  assert.equal(breaker.state, 'CLOSED');
});

test('/health_check is timed as @Timed(value = "users.status", longTask = true)', async (t) => {
  const upstream = await orderService(t);
  const { app, base } = await userService(t, upstream.url);
  assert.equal((await fetch(`${base}/health_check`)).status, 200);
  const scrape = await app.metrics.scrape();
  assert.match(scrape, /users_status_seconds_active_count\{[^}]*\} 0/);
  assert.match(scrape, /users_status_seconds_duration_sum\{[^}]*\} /);
});
