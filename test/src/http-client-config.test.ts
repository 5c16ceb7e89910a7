import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import {
  createClientFactory,
  createHttpClient,
  defineClient,
  endpoint,
  restTemplateTimeouts,
  type ClientFactoryOptions,
} from '@stratus/http';
import { answer, balancerOver, environmentOf, listen, refusingUri } from './http-client-support.js';

function factory(t: TestContext, options: ClientFactoryOptions) {
  const clients = createClientFactory(options);
  t.after(() => clients.close());
  return clients;
}

const define = (name: string) =>
  defineClient({ name, endpoints: { ping: endpoint({ method: 'GET', path: '/ping' }) } });

test('spring.cloud.openfeign.client.config keys from YAML: default applies to every client, a client block overrides it', (t) => {
  const clients = factory(t, {
    properties: environmentOf(`
spring:
  cloud:
    openfeign:
      client:
        config:
          default:
            connectTimeout: 5000
            readTimeout: 5000
            loggerLevel: basic
            default-request-headers:
              X-Source: [stratus]
          order-service:
            connectTimeout: 1000
            read-timeout: 2s
            logger-level: FULL
            default-request-headers:
              X-Tenant: [shop, eu]
      circuitbreaker:
        enabled: true
        alphanumeric-ids:
          enabled: true
      compression:
        request:
          enabled: true
          mime-types: application/json
          min-request-size: 4KB
`),
  });
  clients.create(define('order-service'));
  clients.create(define('catalog-service'));
  const order = clients.settingsOf('order-service');
  assert.equal(order.connectTimeoutMs, 1000);
  assert.equal(order.readTimeoutMs, 2000);
  assert.equal(order.loggerLevel, 'FULL');
  assert.deepEqual(order.defaultRequestHeaders, [
    ['X-Tenant', 'shop'],
    ['X-Tenant', 'eu'],
    ['X-Source', 'stratus'],
  ]);
  const catalog = clients.settingsOf('catalog-service');
  assert.equal(catalog.connectTimeoutMs, 5000);
  assert.equal(catalog.readTimeoutMs, 5000);
  assert.equal(catalog.loggerLevel, 'BASIC');
  assert.equal(catalog.circuitBreakerEnabled, true);
  assert.equal(catalog.circuitBreakerAlphanumericIds, true);
  assert.equal(catalog.compressRequests, true);
  assert.deepEqual(catalog.compressMimeTypes, ['application/json']);
  assert.equal(catalog.compressMinRequestBytes, 4096);
});

test("Spring Cloud OpenFeign 3.x's feign.* keys still work, below spring.cloud.openfeign.*", (t) => {
  const clients = factory(t, {
    properties: environmentOf(`
feign:
  hystrix:
    enabled: true
  client:
    config:
      default:
        connectTimeout: 3000
        readTimeout: 4000
      order-service:
        loggerLevel: headers
spring.cloud.openfeign.client.config.default.read-timeout: 7000
`),
  });
  const settings = clients.settingsOf('order-service');
  assert.equal(settings.circuitBreakerEnabled, true, 'feign.hystrix.enabled turns the breaker on');
  assert.equal(settings.connectTimeoutMs, 3000);
  assert.equal(settings.readTimeoutMs, 7000);
  assert.equal(settings.loggerLevel, 'HEADERS');
  assert.equal(clients.settingsOf('other').loggerLevel, 'NONE', "Feign's default level");
  assert.equal(clients.settingsOf('other').connectTimeoutMs, 3000);
});

test('settings that do not bind are refused together, naming every key', (t) => {
  const clients = factory(t, {
    properties: environmentOf(`
spring:
  cloud:
    openfeign:
      client:
        config:
          order-service:
            connectTimeout: soon
            readTimeout: 0
            loggerLevel: verbose
      circuitbreaker:
        enabled: maybe
    loadbalancer:
      retry:
        max-retries-on-next-service-instance: -1
`),
  });
  assert.throws(
    () => clients.create(define('order-service')) && clients.settingsOf('order-service'),
    (error: Error & { code: string; details: { problems: string[] } }) => {
      assert.equal(error.code, 'HTTP_ERR_INVALID_CONFIG');
      assert.equal(error.details.problems.length, 5);
      for (const key of [
        'connect-timeout',
        'read-timeout',
        'logger-level',
        'circuitbreaker.enabled',
        'max-retries',
      ])
        assert.ok(error.message.includes(key), `${key} is named in: ${error.message}`);
      return true;
    },
  );
});

test('a configured url replaces lb://, and the load balancer retry keys turn failover off', async (t) => {
  const direct = await listen(t, answer({ from: 'direct' }));
  const alive = await listen(t, answer({ from: 'alive' }));
  const balancer = balancerOver('inventory', [await refusingUri(), alive.uri]);
  const clients = factory(t, {
    properties: environmentOf(`
spring.cloud.openfeign.client.config.pricing.url: ${direct.uri}
spring.cloud.loadbalancer.retry.enabled: false
`),
    loadBalancer: balancer,
  });
  assert.deepEqual(await clients.create(define('pricing')).ping(), { from: 'direct' });
  const inventory = clients.create(define('inventory'));
  const outcomes = await Promise.allSettled([inventory.ping(), inventory.ping()]);
  assert.deepEqual(
    outcomes.map((outcome) => outcome.status).sort(),
    ['fulfilled', 'rejected'],
    'without retry the refused instance fails its call',
  );
});

test('RestTemplate-era timeouts: spring.http.client.* durations, else the course restTemplate.* seconds', async (t) => {
  assert.deepEqual(
    restTemplateTimeouts(
      environmentOf('spring.http.client:\n  connect-timeout: 2s\n  read-timeout: 500ms\n'),
    ),
    { connectTimeoutMs: 2000, readTimeoutMs: 500 },
  );
  assert.deepEqual(
    restTemplateTimeouts(environmentOf('restTemplate:\n  connectTimeOut: 3\n  readTimeOut: 5\n')),
    { connectTimeoutMs: 3000, readTimeoutMs: 5000 },
  );
  assert.deepEqual(restTemplateTimeouts(environmentOf('other: 1\n')), {});
  assert.throws(
    () => restTemplateTimeouts(environmentOf('spring.http.client.read-timeout: later\n')),
    {
      code: 'HTTP_ERR_INVALID_CONFIG',
    },
  );
  const slow = await listen(t, (req, res) => setTimeout(() => answer({})(req, res), 400).unref());
  const http = createHttpClient({
    ...restTemplateTimeouts(environmentOf('spring.http.client.read-timeout: 100ms\n')),
  });
  t.after(() => http.close());
  const started = performance.now();
  await assert.rejects(http.json(`${slow.uri}/x`), { code: 'HTTP_ERR_TIMEOUT' });
  assert.ok(performance.now() - started < 390, 'the read timeout, not the answer, ended the call');
});
