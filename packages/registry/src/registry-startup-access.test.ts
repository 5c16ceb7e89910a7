// Eureka's start-up wait (PeerAwareInstanceRegistryImpl.shouldAllowAccess / openForTraffic,
// with Spring's InstanceRegistry replacing an empty sync count by default-open-for-traffic-count).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '@stratus/core';
import { createEurekaRegistry, type EurekaRegistryOptions } from './registry.js';
import { startEurekaApi } from './testing.js';
import { sampleInstance } from '@stratus/discovery/testing';

const WAIT_MS = 10_000;

const STARTUP_OPTIONS: EurekaRegistryOptions = {
  evictionIntervalMs: 0,
  deltaRetentionTimerIntervalMs: 0,
  waitTimeWhenSyncEmptyMs: WAIT_MS,
  defaultOpenForTrafficCount: 0,
};

function setup(options: EurekaRegistryOptions = {}) {
  const clock = createManualClock(1_700_000_000_000);
  const registry = createEurekaRegistry({ clock, ...STARTUP_OPTIONS, ...options });
  return { clock, registry };
}

async function serve(t: TestContext, options: EurekaRegistryOptions = {}) {
  const clock = createManualClock(1_700_000_000_000);
  const { base, registry, close } = await startEurekaApi({
    clock,
    registry: { ...STARTUP_OPTIONS, ...options },
  });
  t.after(close);
  return { base, clock, registry };
}

const JSON_HEADERS = { accept: 'application/json', 'content-type': 'application/json' };
const REGISTER_BODY = JSON.stringify({
  instance: {
    instanceId: 'host:myapp:8080',
    app: 'MYAPP',
    hostName: 'host',
    ipAddr: '10.0.0.5',
    vipAddress: 'myapp',
    dataCenterInfo: {
      '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo',
      name: 'MyOwn',
    },
  },
});
const READS = [
  '/eureka/apps',
  '/eureka/apps/',
  '/eureka/apps/delta',
  '/eureka/apps/MYAPP',
  '/eureka/vips/myapp',
  '/eureka/svips/myapp',
];

test('reads are allowed before openForTraffic, as Eureka allows them while its start-up time is 0', () => {
  const { registry } = setup();
  assert.equal(registry.shouldAllowAccess(), true);
  assert.equal(registry.accessAllowedFromMs(), 0);
});

test('after an empty start reads are refused until the wait has passed, strictly', () => {
  const { clock, registry } = setup();
  registry.openForTraffic(0);
  assert.equal(registry.shouldAllowAccess(), false);
  assert.equal(registry.stats().isAccessAllowed, false);
  assert.equal(registry.accessAllowedFromMs(), clock.now() + WAIT_MS + 1);
  clock.advance(WAIT_MS);
  assert.equal(registry.shouldAllowAccess(), false, 'Eureka allows only once now > start + wait');
  clock.advance(1);
  assert.equal(registry.shouldAllowAccess(), true);
  assert.equal(registry.accessAllowedFromMs(), 0);
});

test('a start-up sync that brought instances opens reads at once', () => {
  const { registry } = setup();
  registry.openForTraffic(3);
  assert.equal(registry.shouldAllowAccess(), true);
});

test("Spring's default-open-for-traffic-count of 1 stands in for an empty sync: no wait", () => {
  const { registry } = setup({ defaultOpenForTrafficCount: 1 });
  registry.openForTraffic(0);
  assert.equal(registry.shouldAllowAccess(), true);
});

test('a wait of 0 never refuses reads', () => {
  const { registry } = setup({ waitTimeWhenSyncEmptyMs: 0 });
  registry.openForTraffic(0);
  assert.equal(registry.shouldAllowAccess(), true);
});

test('registrations, heartbeats and in-process reads work while the wait refuses HTTP reads', () => {
  const { registry } = setup();
  registry.openForTraffic(0);
  registry.register(sampleInstance());
  assert.equal(registry.renew('MYAPP', 'host:myapp:8080'), 'ok');
  assert.equal(registry.getApplications().applications.length, 1);
  assert.equal(registry.shouldAllowAccess(), false);
});

test('while waiting, registry reads answer 403 with Retry-After and no body; writes and instance reads work', async (t) => {
  const { base, clock, registry } = await serve(t);
  registry.openForTraffic(0);
  const created = await fetch(`${base}/eureka/apps/MYAPP`, {
    method: 'POST',
    headers: JSON_HEADERS,
    body: REGISTER_BODY,
  });
  assert.equal(created.status, 204);
  const renewed = await fetch(`${base}/eureka/apps/MYAPP/host:myapp:8080`, { method: 'PUT' });
  assert.equal(renewed.status, 200);
  for (const path of READS) {
    for (const accept of ['application/json', 'application/xml']) {
      const response = await fetch(`${base}${path}`, { headers: { accept } });
      assert.equal(response.status, 403, `${path} ${accept}`);
      // Allowed from start + wait + 1 ms, rounded up to whole seconds.
      assert.equal(response.headers.get('retry-after'), String(Math.ceil((WAIT_MS + 1) / 1000)));
      assert.equal(await response.text(), '');
    }
  }
  // Eureka's InstanceResource has no access check.
  const instance = await fetch(`${base}/eureka/apps/MYAPP/host:myapp:8080`, {
    headers: { accept: 'application/json' },
  });
  assert.equal(instance.status, 200);
  await instance.body?.cancel();

  clock.advance(WAIT_MS + 1);
  for (const path of READS) {
    const response = await fetch(`${base}${path}`, { headers: { accept: 'application/json' } });
    assert.equal(response.status, 200, path);
    await response.body?.cancel();
  }
});
