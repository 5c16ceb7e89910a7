import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigEnvironment } from '@stratus/config';
import { REGISTRY_DEFAULTS } from '../../defaults.js';
import { bindRegistrySettings, requireRegistrySettings } from './registry-settings.js';

const envOf = (properties: Record<string, unknown>, name = 'file:/srv/registry/application.yml') =>
  new ConfigEnvironment([{ name, properties }]);

test('with no configuration the settings are Spring Eureka server defaults', () => {
  const settings = requireRegistrySettings(envOf({}));
  // The values the Spring Cloud Netflix docs give for eureka.server.* (spring-wire §1.10).
  assert.equal(settings.leases.renewalPercentThreshold, 0.85);
  assert.equal(settings.leases.evictionIntervalMs, 60_000);
  assert.equal(settings.leases.deltaRetentionMs, 180_000);
  assert.equal(settings.leases.deltaRetentionTimerIntervalMs, 30_000);
  assert.equal(settings.leases.enableSelfPreservation, true);
  for (const [key, value] of Object.entries(settings.leases))
    assert.equal(value, REGISTRY_DEFAULTS[key as keyof typeof REGISTRY_DEFAULTS], key);

  assert.equal(settings.api.responseCacheUpdateIntervalMs, 30_000);
  assert.equal(settings.leases.responseCacheAutoExpirationMs, 180_000);
  assert.equal(settings.api.useReadOnlyResponseCache, false);
  assert.equal(settings.replication.maxBatchSize, 250);
  assert.equal(settings.replication.tombstoneRetentionMs, 180_000, 'follows the delta retention');
  assert.equal(settings.security.enabled, false);
  assert.equal(settings.security.admin, null);
  assert.ok(Object.isFrozen(settings) && Object.isFrozen(settings.leases));
});

test('Spring keys bind in any relaxed spelling, and defaultZone as a comma text or a YAML list', () => {
  const settings = requireRegistrySettings(
    envOf({
      'eureka.server.renewalPercentThreshold': '0.5',
      'eureka.server.enable-self-preservation': 'false',
      'eureka.server.response-cache-auto-expiration-in-seconds': 60,
      'eureka.client.serviceUrl.defaultZone[0]': 'http://a:8761/eureka/',
      'eureka.client.serviceUrl.defaultZone[1]': 'http://b:8761/eureka/',
      'stratus.registry.selfUrl': 'http://a:8761/eureka/',
    }),
  );
  assert.equal(settings.leases.renewalPercentThreshold, 0.5);
  assert.equal(settings.leases.enableSelfPreservation, false);
  assert.equal(settings.leases.responseCacheAutoExpirationMs, 60_000);
  assert.deepEqual(settings.peers.defaultZone, ['http://a:8761/eureka/', 'http://b:8761/eureka/']);
  assert.equal(settings.peers.selfUrl, 'http://a:8761/eureka/');
});

test('every problem is listed at once: mistyped values and unknown stratus.registry keys with their file', () => {
  const { settings, problems } = bindRegistrySettings(
    envOf({
      'eureka.server.eviction-interval-timer-in-ms': 'soon',
      'eureka.server.renewal-percent-threshold': 0,
      'stratus.registry.replication.max-batch-sise': 10,
      'stratus.registry.security.enabled': 'yes please',
    }),
  );
  assert.equal(settings, null);
  assert.equal(problems.length, 4, problems.join('\n'));
  assert.ok(
    problems.includes(
      'stratus.registry.replication.max-batch-sise (file:/srv/registry/application.yml): not a setting of stratus.registry; did you mean stratus.registry.replication.max-batch-size?',
    ),
    problems.join('\n'),
  );
  for (const key of [
    'eureka.server.eviction-interval-timer-in-ms',
    'eureka.server.renewal-percent-threshold',
    'stratus.registry.security.enabled',
  ])
    assert.ok(
      problems.some((problem) => problem.startsWith(key)),
      `${key} in ${problems.join('\n')}`,
    );
});

test('bad settings fail with REG_ERR_INVALID_CONFIG naming each one, never showing a password', () => {
  assert.throws(
    () =>
      requireRegistrySettings(
        envOf({
          'spring.security.user.password': 'hunter2',
          'stratus.registry.security.clients.orders': { nested: 'x' },
        }),
      ),
    (error: Error & { code?: string }) =>
      error.code === 'REG_ERR_INVALID_CONFIG' &&
      error.message.includes('stratus.registry.security.clients.orders: must be a password') &&
      !error.message.includes('hunter2'),
  );
});

test('passwords are bound as secrets', () => {
  const settings = requireRegistrySettings(
    envOf({
      'stratus.registry.security.enabled': true,
      'spring.security.user.name': 'admin',
      'spring.security.user.password': 'admin-pw',
      'stratus.registry.security.clients.orders': 'orders-pw',
    }),
  );
  assert.equal(settings.security.admin?.username, 'admin');
  assert.equal(settings.security.admin?.password.reveal(), 'admin-pw');
  assert.equal(String(settings.security.admin?.password), '[redacted]');
  assert.equal(JSON.stringify(settings).includes('orders-pw'), false);
  assert.deepEqual(
    settings.security.clients.map((client) => [client.username, client.password.reveal()]),
    [['orders', 'orders-pw']],
  );
});
