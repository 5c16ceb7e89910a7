import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { createMetrics, instrumentHttpClients } from '@stratus/observability';
import { toProblem } from '@stratus/core';
import {
  bearerTokenRelay,
  createClientFactory,
  defineClient,
  endpoint,
  HttpErrors,
  jsonBody,
  staticHeaders,
  type ClientFactoryOptions,
  type ErrorDecoder,
} from '@stratus/http';
import {
  answer,
  balancerOver,
  environmentOf,
  liveConfiguration,
  listen,
  refusingUri,
  type Handler,
} from './http-client-support.js';

interface Order {
  orderId: string;
  qty: number;
}

function toOrders(value: unknown): Order[] {
  if (!Array.isArray(value)) throw new TypeError('expected a list of orders');
  for (const item of value) {
    const order = item as Partial<Order>;
    if (typeof order?.orderId !== 'string' || typeof order.qty !== 'number')
      throw new TypeError('expected {orderId, qty}');
  }
  return value as Order[];
}

interface Echo {
  method: string;
  url: string;
  tenant: string | null;
  contentType: string | null;
  body: unknown;
}

const echo: Handler = (req, res) => {
  let text = '';
  req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        method: String(req.method),
        url: String(req.url),
        tenant: (req.headers['x-tenant'] as string | undefined) ?? null,
        contentType: req.headers['content-type'] ?? null,
        body: text === '' ? null : JSON.parse(text),
      } satisfies Echo),
    );
  });
};

const OrderServiceClient = defineClient({
  name: 'order-service',
  endpoints: {
    getOrders: endpoint({
      method: 'GET',
      path: '/order-service/{userId}/orders',
      response: toOrders,
    }),
    createOrder: endpoint({
      method: 'POST',
      path: '/order-service/{userId}/orders',
      query: ['dryRun'],
      headers: { tenant: 'X-Tenant' },
      body: jsonBody<{ productId: string; qty: number }>(),
      response: (value) => value as Echo,
    }),
  },
});

function factory(t: TestContext, options: ClientFactoryOptions) {
  const clients = createClientFactory(options);
  t.after(() => clients.close());
  return clients;
}

test('a typed client expands and encodes path parameters, adds query and header arguments and sends a JSON body', async (t) => {
  const upstream = await listen(t, echo);
  const clients = factory(t, { loadBalancer: balancerOver('order-service', [upstream.uri]) });
  const orders = clients.create(OrderServiceClient);
  const sent = await orders.createOrder({
    userId: 'a b/c',
    dryRun: true,
    tenant: 'shop',
    body: { productId: 'CATALOG-001', qty: 2 },
  });
  assert.deepEqual(sent, {
    method: 'POST',
    url: '/order-service/a%20b%2Fc/orders?dryRun=true',
    tenant: 'shop',
    contentType: 'application/json',
    body: { productId: 'CATALOG-001', qty: 2 },
  });
  // The compiler holds the definition to its parameters.
  // @ts-expect-error userId is required by the path template
  await assert.rejects(orders.getOrders({}), { code: 'HTTP_ERR_INVALID_REQUEST' });
});

test('an answer the response validator refuses, or that is not JSON, is HTTP_ERR_DECODE', async (t) => {
  const upstream = await listen(t, (req, res) => {
    if (req.url?.startsWith('/order-service/u1/')) return answer([{ orderId: 7 }])(req, res);
    res.setHeader('content-type', 'application/json');
    res.end('{"truncated":');
  });
  const clients = factory(t, { loadBalancer: balancerOver('order-service', [upstream.uri]) });
  const orders = clients.create(OrderServiceClient);
  await assert.rejects(orders.getOrders({ userId: 'u1' }), {
    code: 'HTTP_ERR_DECODE',
    httpStatus: 502,
    retryable: false,
  });
  await assert.rejects(orders.getOrders({ userId: 'u2' }), { code: 'HTTP_ERR_DECODE' });
});

test('path parameters that would change the path and headers with line breaks are refused before sending', async (t) => {
  const upstream = await listen(t, echo);
  const clients = factory(t, { loadBalancer: balancerOver('order-service', [upstream.uri]) });
  const orders = clients.create(OrderServiceClient);
  for (const userId of ['..', '.', ''])
    await assert.rejects(orders.getOrders({ userId }), { code: 'HTTP_ERR_INVALID_REQUEST' });
  await assert.rejects(
    orders.getOrders({ userId: 'u1' }, { headers: { 'x-note': 'a\r\nx-admin: true' } }),
    { code: 'HTTP_ERR_INVALID_REQUEST' },
  );
  await assert.rejects(
    orders.createOrder({ userId: 'u1', tenant: 'a\nb', body: { productId: 'p', qty: 1 } }),
    { code: 'HTTP_ERR_INVALID_REQUEST' },
  );
  assert.deepEqual(upstream.seen, []);
});

test('lb:// across two instances with one down: every call succeeds on the live one', async (t) => {
  const alive = await listen(t, (req, res) =>
    req.method === 'POST' ? echo(req, res) : answer([{ orderId: 'o1', qty: 1 }])(req, res),
  );
  const balancer = balancerOver('order-service', [await refusingUri(), alive.uri]);
  const clients = factory(t, { loadBalancer: balancer });
  const orders = clients.create(OrderServiceClient);
  for (let i = 0; i < 6; i++)
    assert.deepEqual(await orders.getOrders({ userId: 'u1' }), [{ orderId: 'o1', qty: 1 }]);
  const created = await orders.createOrder({ userId: 'u1', body: { productId: 'p', qty: 1 } });
  assert.equal(created.method, 'POST', 'a refused connection proves the POST never left');
  assert.equal(alive.seen.length, 7);
});

test('an lb:// service with no instance is HTTP_ERR_NO_INSTANCE', async (t) => {
  const clients = factory(t, { loadBalancer: balancerOver('someone-else', []) });
  await assert.rejects(clients.create(OrderServiceClient).getOrders({ userId: 'u1' }), {
    code: 'HTTP_ERR_NO_INSTANCE',
    httpStatus: 503,
  });
});

test('the error decoder maps a 404 of getOrders to a not-found error whose message comes from configuration', async (t) => {
  const upstream = await listen(t, answer({ title: 'Not Found' }, 404));
  const live = liveConfiguration(
    "order_service:\n  exception:\n    orders_is_empty: User's orders is empty.\n",
  );
  const decoder: ErrorDecoder = (response) =>
    response.status === 404 && response.methodKey.includes('getOrders')
      ? HttpErrors.NOT_FOUND({
          message: String(response.properties.get('order_service.exception.orders_is_empty')),
        })
      : undefined;
  const clients = factory(t, {
    properties: live.source,
    loadBalancer: balancerOver('order-service', [upstream.uri]),
  });
  const orders = clients.create({ ...OrderServiceClient, errorDecoder: decoder });
  await assert.rejects(orders.getOrders({ userId: 'u1' }), {
    code: 'HTTP_ERR_NOT_FOUND',
    httpStatus: 404,
    message: "User's orders is empty.",
  });
  live.set('order_service:\n  exception:\n    orders_is_empty: No orders yet.\n');
  await assert.rejects(orders.getOrders({ userId: 'u1' }), { message: 'No orders yet.' });
  await assert.rejects(
    orders.createOrder({ userId: 'u1', body: { productId: 'p', qty: 1 } }),
    { code: 'HTTP_ERR_STATUS', httpStatus: 404 },
    'other methods fall through to the default decoder',
  );
});

test('the default decoder keeps only the upstream problem title and code, cleaned, never its body', async (t) => {
  const upstream = await listen(
    t,
    answer(
      {
        title: 'Stock\r\nexhausted\u2028now',
        code: 'ORDER_ERR_STOCK',
        detail: 'internal: db host 10.0.0.5 password=hunter2',
        trace: 'at OrderService.java:42',
      },
      500,
      { 'content-type': 'application/problem+json' },
    ),
  );
  const clients = factory(t, { loadBalancer: balancerOver('order-service', [upstream.uri]) });
  const error = await clients
    .create(OrderServiceClient)
    .getOrders({ userId: 'u1' })
    .then(
      () => assert.fail('expected an error'),
      (e: unknown) => e,
    );
  const problem = toProblem(error);
  assert.equal(problem.code, 'HTTP_ERR_STATUS');
  assert.equal(problem.status, 502);
  assert.equal(problem.upstreamStatus, 500);
  assert.equal(problem.upstreamTitle, 'Stock  exhausted now');
  assert.equal(problem.upstreamCode, 'ORDER_ERR_STOCK');
  const wire = JSON.stringify(problem);
  for (const leaked of ['hunter2', '10.0.0.5', 'OrderService.java', '127.0.0.1'])
    assert.ok(!wire.includes(leaked), `${leaked} must not reach our problem document`);
});

test('interceptors run in order (factory, definition, configuration) and relay the caller bearer token', async (t) => {
  const seenHeaders: Array<Record<string, unknown>> = [];
  const upstream = await listen(t, (req, res) => {
    seenHeaders.push({ ...req.headers });
    answer([])(req, res);
  });
  const requestContext = new AsyncLocalStorage<{ authorization?: string }>();
  const order: string[] = [];
  const clients = factory(t, {
    loadBalancer: balancerOver('order-service', [upstream.uri]),
    properties: environmentOf(`
spring:
  cloud:
    openfeign:
      client:
        config:
          default:
            default-request-headers:
              X-Source: [stratus]
          order-service:
            request-interceptors: [com.example.TenantInterceptor]
`),
    interceptors: [
      bearerTokenRelay(() => requestContext.getStore()?.authorization),
      (request) => void order.push(`factory ${request.methodKey} ${request.uriTemplate}`),
    ],
    components: {
      requestInterceptors: {
        'com.example.TenantInterceptor': (request) => {
          order.push('configured');
          request.headers['x-tenant'] = 'shop';
        },
      },
    },
  });
  const orders = clients.create({
    ...OrderServiceClient,
    interceptors: [
      staticHeaders({ 'x-client': 'user-service' }),
      () => void order.push('definition'),
    ],
  });
  await requestContext.run({ authorization: 'Bearer abc.def.ghi' }, () =>
    orders.getOrders({ userId: 'u1' }),
  );
  await requestContext.run({ authorization: 'Basic dXNlcjpwdw==' }, () =>
    orders.getOrders({ userId: 'u1' }),
  );
  assert.deepEqual(order.slice(0, 3), [
    'factory order-service#getOrders /order-service/{userId}/orders',
    'definition',
    'configured',
  ]);
  assert.equal(seenHeaders[0]?.authorization, 'Bearer abc.def.ghi');
  assert.equal(seenHeaders[0]?.['x-tenant'], 'shop');
  assert.equal(seenHeaders[0]?.['x-client'], 'user-service');
  assert.equal(seenHeaders[0]?.['x-source'], 'stratus');
  assert.equal(seenHeaders[1]?.authorization, undefined, 'only bearer tokens are relayed');
});

test('http_client_requests_seconds is tagged method, uri template, status, outcome, client_name and exception', async (t) => {
  const upstream = await listen(t, (req, res) => {
    if (req.url?.includes('/missing/')) return answer({}, 404)(req, res);
    answer([])(req, res);
  });
  // One owner: the process's undici instrumentation (boot sets it up) records every attempt.
  const metrics = createMetrics({ application: 'user-service', collectProcessMetrics: false });
  const instrumentation = instrumentHttpClients({ tracing: null, metrics });
  t.after(() => instrumentation.close());
  const clients = factory(t, { loadBalancer: balancerOver('order-service', [upstream.uri]) });
  const orders = clients.create(OrderServiceClient);
  await orders.getOrders({ userId: 'secret-user-42' });
  await assert.rejects(orders.getOrders({ userId: 'missing' }));
  const down = factory(t, { loadBalancer: balancerOver('order-service', [await refusingUri()]) });
  await assert.rejects(down.create(OrderServiceClient).getOrders({ userId: 'u1' }));
  const text = await metrics.scrape();
  const lines = text.split('\n');
  const uri = 'uri="/order-service/{userId}/orders"';
  const tags = (outcome: string, status: string) =>
    `client_name="127.0.0.1",error="none",exception="none",method="GET",outcome="${outcome}",status="${status}",${uri}`;
  assert.match(text, /# TYPE http_client_requests_seconds summary/);
  const once = (tagged: string) =>
    lines
      .filter((l) => l.startsWith(`http_client_requests_seconds_count{${tagged},`))
      .map((l) => l.split(' ').pop());
  assert.deepEqual(once(tags('SUCCESS', '200')), ['1'], text);
  assert.deepEqual(once(tags('CLIENT_ERROR', '404')), ['1']);
  assert.ok(
    lines.some(
      (l) =>
        l.startsWith('http_client_requests_seconds_count{') &&
        l.includes('outcome="UNKNOWN",status="CLIENT_ERROR"') &&
        l.includes(uri) &&
        !l.includes('exception="none"'),
    ),
    'a refused connection has no status and names its exception',
  );
  assert.match(text, /http_client_requests_seconds_max\{client_name="127.0.0.1",/);
  assert.ok(!text.includes('clientName'), 'one label name: client_name');
  assert.ok(!text.includes('secret-user-42'), 'the raw path never becomes a tag');
});
