import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '@stratus/core';
import {
  createRoundRobinLoadBalancer,
  createStaticDiscovery,
  type ServiceInstance,
} from '@stratus/discovery';
import { withEarlyRefresh } from './discovery-setup.js';

/** A scheduler whose tasks run when the test says so. */
function manualSchedule() {
  const tasks: Array<{ task: () => void; delayMs: number; cancelled: boolean }> = [];
  return {
    schedule: (task: () => void, delayMs: number) => {
      const entry = { task, delayMs, cancelled: false };
      tasks.push(entry);
      return { cancel: () => (entry.cancelled = true) };
    },
    tasks,
    runDue: () => {
      for (const entry of tasks.splice(0)) if (!entry.cancelled) entry.task();
    },
  };
}

function setup(minIntervalMs = 1_000) {
  const clock = createManualClock(0);
  let fetches = 0;
  const finishers: Array<() => void> = [];
  const fetch = () => {
    fetches++;
    return new Promise<boolean>((resolve) => finishers.push(() => resolve(true)));
  };
  const timers = manualSchedule();
  const discovery = createStaticDiscovery({
    instances: { svc: [{ uri: 'http://127.0.0.1:1' }, { uri: 'http://127.0.0.1:2' }] },
  });
  const balancer = withEarlyRefresh(createRoundRobinLoadBalancer(discovery, { clock }), fetch, {
    clock,
    minIntervalMs,
    schedule: timers.schedule,
  });
  const settle = async () => {
    for (const finish of finishers.splice(0)) finish();
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { clock, balancer, timers, settle, fetches: () => fetches };
}

const uris = (chosen: Array<ServiceInstance | null>) => chosen.map((i) => i?.uri ?? null);

test('a failure quarantines the instance at once and asks for an early registry fetch', () => {
  const { balancer, fetches } = setup();
  balancer.markFailed('svc', 'svc-0');
  assert.equal(fetches(), 1);
  assert.deepEqual(uris([balancer.choose('svc'), balancer.choose('svc')]), [
    'http://127.0.0.1:2',
    'http://127.0.0.1:2',
  ]);
});

test('a burst of failures makes one fetch now and one trailing fetch at the end of the interval', async () => {
  const { clock, balancer, timers, settle, fetches } = setup();
  for (let i = 0; i < 50; i++) balancer.markFailed('svc', `svc-${i % 2}`);
  assert.equal(fetches(), 1, 'one fetch in flight at most');
  await settle();
  assert.equal(timers.tasks.length, 1, 'asks made during the fetch: one trailing fetch');
  assert.equal(timers.tasks[0]?.delayMs, 1_000);
  clock.advance(200);
  for (let i = 0; i < 50; i++) balancer.markFailed('svc', 'svc-1');
  assert.equal(fetches(), 1, 'none inside the interval');
  assert.equal(timers.tasks.length, 1, 'still one trailing fetch');
  clock.advance(800);
  timers.runDue();
  assert.equal(fetches(), 2);
  await settle();
  timers.runDue();
  assert.equal(fetches(), 2, 'nothing more was asked for');
});

test('an ask inside the interval waits for the rest of it', async () => {
  const { clock, balancer, timers, settle, fetches } = setup();
  balancer.markFailed('svc', 'svc-0');
  await settle();
  clock.advance(300);
  balancer.markFailed('svc', 'svc-1');
  assert.equal(fetches(), 1);
  assert.deepEqual(
    timers.tasks.map((task) => task.delayMs),
    [700],
  );
});

test('a failure during a fetch in flight is served by one more fetch after it', async () => {
  const { clock, balancer, timers, settle, fetches } = setup();
  balancer.markFailed('svc', 'svc-0');
  balancer.markFailed('svc', 'svc-1');
  assert.equal(fetches(), 1);
  clock.advance(1_500);
  await settle();
  assert.equal(fetches(), 2, 'the interval had passed: fetched right after the first');
  await settle();
  assert.equal(timers.tasks.length, 0);
  assert.equal(fetches(), 2);
});

test('a miss asks for a fetch and refresh() joins the one in flight', async () => {
  const { balancer, settle, fetches } = setup();
  assert.equal(balancer.choose('nobody'), null);
  assert.equal(fetches(), 1);
  const joined = balancer.refresh();
  assert.equal(fetches(), 1);
  await settle();
  await joined;
  assert.equal(balancer.choose('svc', { exclude: new Set(['svc-0', 'svc-1']) }), null);
  assert.equal(fetches(), 1, 'an exhausted retry is not a registry miss');
});

test('close cancels the trailing fetch and later failures fetch nothing', async () => {
  const { clock, balancer, timers, settle, fetches } = setup();
  balancer.markFailed('svc', 'svc-0');
  await settle();
  balancer.markFailed('svc', 'svc-0');
  assert.equal(timers.tasks.length, 1);
  balancer.close();
  balancer.close();
  clock.advance(5_000);
  timers.runDue();
  balancer.markFailed('svc', 'svc-1');
  await balancer.refresh();
  assert.equal(fetches(), 1);
});
