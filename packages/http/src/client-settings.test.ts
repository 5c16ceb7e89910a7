import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveClientSettings } from './client-settings.js';
import { viewOf } from './internal/property-view.js';

test('a nested map as YAML parses it and a flat map with relaxed names bind the same settings', () => {
  const nested = viewOf({
    spring: {
      cloud: {
        openfeign: {
          client: {
            config: {
              'order-service': {
                connectTimeout: 1000,
                readTimeout: '2s',
                loggerLevel: 'full',
                requestInterceptors: ['a', 'b'],
                defaultQueryParameters: { locale: ['ko'] },
              },
            },
          },
        },
      },
    },
  });
  const flat = viewOf({
    'spring.cloud.openfeign.client.config.order-service.connect-timeout': '1000',
    'spring.cloud.openfeign.client.config.order-service.read_timeout': 'PT2S',
    'spring.cloud.openfeign.client.config.order-service.LOGGER-LEVEL': 'FULL',
    'spring.cloud.openfeign.client.config.order-service.request-interceptors': 'a, b',
    'spring.cloud.openfeign.client.config.order-service.default-query-parameters.locale[0]': 'ko',
  });
  for (const view of [nested, flat]) {
    const settings = resolveClientSettings(view, 'order-service');
    assert.equal(settings.connectTimeoutMs, 1000);
    assert.equal(settings.readTimeoutMs, 2000);
    assert.equal(settings.loggerLevel, 'FULL');
    assert.deepEqual(settings.requestInterceptors, ['a', 'b']);
    assert.deepEqual(settings.defaultQueryParameters, [['locale', 'ko']]);
  }
});

test("defaults are Feign's: 10 s connect, 60 s read, NONE, no breaker; code defaults sit under properties", () => {
  const empty = resolveClientSettings(viewOf({}), 'x');
  assert.equal(empty.connectTimeoutMs, 10_000);
  assert.equal(empty.readTimeoutMs, 60_000);
  assert.equal(empty.loggerLevel, 'NONE');
  assert.equal(empty.circuitBreakerEnabled, false);
  assert.equal(empty.retriesOnNextInstance, 1);
  assert.ok(Object.isFrozen(empty));
  const view = viewOf({ 'spring.cloud.openfeign.client.config.x.read-timeout': 500 });
  const withCode = resolveClientSettings(view, 'x', { readTimeoutMs: 9000, loggerLevel: 'BASIC' });
  assert.equal(withCode.readTimeoutMs, 500, 'properties win (default-to-properties)');
  assert.equal(withCode.loggerLevel, 'BASIC');
});

test('spring.cloud.openfeign.client.default-config names the block that applies to every client', () => {
  const view = viewOf({
    'spring.cloud.openfeign.client.default-config': 'shared',
    'spring.cloud.openfeign.client.config.shared.read-timeout': 1234,
    'spring.cloud.openfeign.client.config.default.read-timeout': 1,
  });
  assert.equal(resolveClientSettings(view, 'any').readTimeoutMs, 1234);
});

test('default headers with hostile names or line breaks are refused with the key named', () => {
  const view = viewOf({
    'spring.cloud.openfeign.client.config.default.default-request-headers': {
      'X-Ok': ['fine'],
      'Bad Name': ['x'],
      'X-Split': ['a\r\nInjected: yes'],
    },
  });
  assert.throws(
    () => resolveClientSettings(view, 'x'),
    (error: Error & { details: { problems: string[] } }) => {
      assert.equal(error.details.problems.length, 2);
      assert.match(error.message, /Bad Name/);
      assert.match(error.message, /X-Split/);
      assert.doesNotMatch(error.message, /Injected/);
      return true;
    },
  );
});

test('prototype keys in a property map are ignored', () => {
  const hostile = JSON.parse(
    '{"spring":{"cloud":{"openfeign":{"client":{"config":{"x":{"__proto__":{"readTimeout":5}}}}}}}}',
  ) as Record<string, unknown>;
  assert.equal(resolveClientSettings(viewOf(hostile), 'x').readTimeoutMs, 60_000);
  assert.equal(({} as Record<string, unknown>).readTimeout, undefined);
});
