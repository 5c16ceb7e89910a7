import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRoundRobinLoadBalancer, createStaticDiscovery } from '@stratus/discovery';
import { createMetrics, instrumentHttpClients, type Metrics } from '@stratus/observability';
import {
  createClientFactory,
  createHttpClient,
  defineClient,
  endpoint,
  type PropertySource,
} from './index.js';

async function upstream(t: TestContext): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    res.statusCode = req.url?.includes('/missing/') ? 404 : 200;
    res.setHeader('content-type', 'application/json');
    res.end('[]');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const Orders = defineClient({
  name: 'order-service',
  endpoints: {
    getOrders: endpoint({ method: 'GET', path: '/order-service/{userId}/orders' }),
  },
});

function instrumented(t: TestContext): Metrics {
  const metrics = createMetrics({ application: 'caller', collectProcessMetrics: false });
  const instrumentation = instrumentHttpClients({ tracing: null, metrics });
  t.after(() => instrumentation.close());
  return metrics;
}

function clientsOver(t: TestContext, uri: string, properties: PropertySource = {}) {
  const clients = createClientFactory({
    properties,
    loadBalancer: createRoundRobinLoadBalancer(
      createStaticDiscovery({ instances: { 'order-service': [{ uri }] } }),
    ),
  });
  t.after(() => clients.close());
  return clients.create(Orders);
}

const countLines = (text: string) =>
  text.split('\n').filter((line) => line.startsWith('http_client_requests_seconds_count{'));

test('http_client_requests_seconds has one owner: each call is counted once, tagged with its path template and client_name', async (t) => {
  const metrics = instrumented(t);
  const orders = clientsOver(t, await upstream(t));
  await orders.getOrders({ userId: 'secret-user-42' });
  await assert.rejects(orders.getOrders({ userId: 'missing' }));
  const text = await metrics.scrape();
  const lines = countLines(text);
  const tags = (status: string, outcome: string) =>
    `client_name="127.0.0.1",error="none",exception="none",method="GET",outcome="${outcome}",status="${status}",uri="/order-service/{userId}/orders"`;
  assert.ok(
    lines.some((l) => l.includes(tags('200', 'SUCCESS')) && l.endsWith(' 1')),
    lines.join('\n'),
  );
  assert.ok(lines.some((l) => l.includes(tags('404', 'CLIENT_ERROR')) && l.endsWith(' 1')));
  assert.equal(lines.length, 2, 'no second series from the client itself');
  assert.ok(!text.includes('clientName'), 'Micrometer’s client.name is client_name');
  assert.ok(!text.includes('secret-user-42'), 'the raw path never becomes a tag');
});

test('spring.cloud.openfeign.micrometer.enabled=false leaves the client’s calls unobserved', async (t) => {
  const metrics = instrumented(t);
  const orders = clientsOver(t, await upstream(t), {
    'spring.cloud.openfeign.micrometer.enabled': false,
  });
  await orders.getOrders({ userId: 'u1' });
  assert.deepEqual(countLines(await metrics.scrape()), []);
});

test('createHttpClient gives the instrumentation the uriTemplate of a call', async (t) => {
  const metrics = instrumented(t);
  const uri = await upstream(t);
  const http = createHttpClient();
  t.after(() => http.close());
  await http.json(`${uri}/order-service/u7/orders`, {
    uriTemplate: '/order-service/{userId}/orders',
  });
  const lines = countLines(await metrics.scrape());
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /uri="\/order-service\/\{userId\}\/orders"/);
});
