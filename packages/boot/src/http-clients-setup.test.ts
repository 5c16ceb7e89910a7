import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isStratusError } from '@stratus/core';
import { defineClient, endpoint } from '@stratus/http';
import { testApp } from './internal/testing.js';

async function upstream(
  t: TestContext,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ uri: string; close: () => Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  t.after(() => (server.listening ? close() : undefined));
  return { uri: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close };
}

const Orders = defineClient({
  name: 'order-service',
  endpoints: {
    getOrders: endpoint({ method: 'GET', path: '/order-service/{userId}/orders' }),
  },
  fallback: { getOrders: () => ['unavailable'] },
});

const clientYaml = (uri: string, readTimeout: number | string) =>
  [
    'stratus.discovery.mode: static',
    `spring.cloud.discovery.client.simple.instances.order-service[0].uri: ${uri}`,
    'spring.cloud.openfeign:',
    '  circuitbreaker.enabled: true',
    `  client.config.order-service: { connectTimeout: 500, readTimeout: ${readTimeout} }`,
    'resilience4j.circuitbreaker.configs.default: { slidingWindowSize: 2, minimumNumberOfCalls: 2 }',
    'resilience4j.timelimiter.configs.default.timeoutDuration: 5s',
    '',
  ].join('\n');

test('app.feignClient calls lb:// through discovery, its breaker in app.resilience, its calls in the app’s meters', async (t) => {
  const orders = await upstream(t, (req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify([{ orderId: 'o-1', path: req.url }]));
  });
  const { app } = await testApp(t, { yaml: clientYaml(orders.uri, 2000) });
  await app.start();
  const client = app.feignClient(Orders);
  assert.deepEqual(await client.getOrders({ userId: 'u 1' }), [
    { orderId: 'o-1', path: '/order-service/u%201/orders' },
  ]);
  assert.equal(
    app.resilience.circuitBreaker('order-service#getOrders').metrics.numberOfBufferedCalls,
    1,
  );
  const scrape = await app.metrics.scrape();
  assert.match(
    scrape,
    /http_client_requests_seconds_count\{client_name="127\.0\.0\.1",[^}]*uri="\/order-service\/\{userId\}\/orders"[^}]*\} 1/,
  );
  await orders.close();
  for (let i = 0; i < 2; i++)
    assert.deepEqual(
      await client.getOrders({ userId: 'u1' }),
      ['unavailable'],
      'the fallback answers',
    );
  assert.equal(app.resilience.circuitBreaker('order-service#getOrders').state, 'OPEN');
  await app.close();
  await assert.rejects(client.getOrders({ userId: 'u1' }), { code: 'HTTP_ERR_CLOSED' });
});

test('a refresh that would break a client made so far is rejected, and a good one applies to its next call', async (t) => {
  let delayMs = 300;
  const slow = await upstream(t, (_req, res) => {
    setTimeout(() => res.end('[]'), delayMs).unref();
  });
  const { app, dir } = await testApp(t, { yaml: clientYaml(slow.uri, 2000) });
  await app.start();
  const client = app.feignClient(Orders);
  assert.deepEqual(await client.getOrders({ userId: 'u1' }), []);
  await writeFile(join(dir, 'application.yml'), clientYaml(slow.uri, "'soon'"));
  await assert.rejects(app.config.refresh(), (error: unknown) => {
    assert.ok(isStratusError(error));
    assert.equal(error.code, 'BOOT_ERR_REFRESH_REJECTED');
    assert.match(String(error.details.problems), /readTimeout|read-timeout/i);
    return true;
  });
  await writeFile(join(dir, 'application.yml'), clientYaml(slow.uri, 100));
  await app.config.refresh();
  delayMs = 1_500;
  const startedMs = performance.now();
  assert.deepEqual(await client.getOrders({ userId: 'u1' }), ['unavailable']);
  assert.ok(performance.now() - startedMs < 1_000, 'the refreshed 100 ms read timeout ended it');
});

test('app.http takes its timeouts from spring.http.client.*, and a value that does not bind stops the boot', async (t) => {
  const slow = await upstream(t, (_req, res) => {
    setTimeout(() => res.end('{}'), 1_000).unref();
  });
  const { app } = await testApp(t, { yaml: 'spring.http.client.read-timeout: 100ms\n' });
  const startedMs = performance.now();
  await assert.rejects(app.http.json(`${slow.uri}/slow`), { code: 'HTTP_ERR_TIMEOUT' });
  assert.ok(performance.now() - startedMs < 900, 'the read timeout, not the upstream, ended it');
  await assert.rejects(testApp(t, { yaml: 'spring.http.client.read-timeout: later\n' }), {
    code: 'BOOT_ERR_INVALID_CONFIG',
  });
});
