import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Dispatcher, type LaneTask } from './dispatcher.js';
import { OffsetTracker } from './offset-tracker.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

void test('runs everything in push order with a concurrency of 1', async () => {
  const dispatcher = new Dispatcher<LaneTask>({ concurrency: 1, maxPending: 100 });
  const order: number[] = [];
  for (let i = 0; i < 20; i += 1) {
    await dispatcher.push({ lane: `k${i % 3}`, run: async () => void order.push(i) });
  }
  await dispatcher.idle();
  assert.deepEqual(
    order,
    Array.from({ length: 20 }, (_, i) => i),
  );
});

void test('keeps each lane in order and never runs one lane twice at once, whatever the timing', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 3 })), {
        maxLength: 60,
      }),
      fc.integer({ min: 1, max: 5 }),
      async (tasks, concurrency) => {
        const dispatcher = new Dispatcher<LaneTask>({ concurrency, maxPending: 8 });
        const running = new Set<string>();
        const seen = new Map<string, number[]>();
        let most = 0;
        let overlap = false;
        for (const [index, [lane, delay]] of tasks.entries()) {
          const name = `lane-${lane}`;
          await dispatcher.push({
            lane: name,
            run: async () => {
              if (running.has(name)) overlap = true;
              running.add(name);
              most = Math.max(most, running.size);
              for (let i = 0; i < delay; i += 1) await tick();
              seen.set(name, [...(seen.get(name) ?? []), index]);
              running.delete(name);
            },
          });
        }
        await dispatcher.idle();
        assert.equal(overlap, false);
        assert.ok(most <= concurrency);
        for (const indexes of seen.values())
          assert.deepEqual(
            indexes,
            [...indexes].sort((a, b) => a - b),
          );
        assert.equal([...seen.values()].flat().length, tasks.length);
      },
    ),
    { numRuns: 60 },
  );
});

void test('push waits for room once maxPending tasks are held', async () => {
  const dispatcher = new Dispatcher<LaneTask>({ concurrency: 1, maxPending: 2 });
  let release!: () => void;
  const blocked = new Promise<void>((resolve) => (release = resolve));
  await dispatcher.push({ lane: 'a', run: () => blocked });
  await dispatcher.push({ lane: 'b', run: async () => undefined });
  let isAccepted = false;
  const third = dispatcher
    .push({ lane: 'c', run: async () => undefined })
    .then(() => (isAccepted = true));
  await tick();
  assert.equal(isAccepted, false);
  release();
  await third;
  await dispatcher.idle();
  assert.equal(dispatcher.pendingCount, 0);
});

void test('discard drops waiting tasks only', async () => {
  const dispatcher = new Dispatcher<LaneTask>({ concurrency: 1, maxPending: 10 });
  const ran: string[] = [];
  let release!: () => void;
  const blocked = new Promise<void>((resolve) => (release = resolve));
  await dispatcher.push({
    lane: 'p1',
    run: async () => {
      ran.push('running');
      await blocked;
    },
  });
  await dispatcher.push({ lane: 'p1', run: async () => void ran.push('p1-waiting') });
  await dispatcher.push({ lane: 'p2', run: async () => void ran.push('p2-waiting') });
  const dropped = dispatcher.discard((task) => task.lane === 'p1');
  assert.equal(dropped.length, 1);
  release();
  await dispatcher.idle();
  assert.deepEqual(ran, ['running', 'p2-waiting']);
});

void test('the offset tracker commits only a contiguous finished run and skips refetched offsets', () => {
  const tracker = new OffsetTracker<string>();
  const entries = [5n, 6n, 7n].map((offset) => tracker.track('t:0', offset, `h${offset}`)!);
  assert.equal(tracker.track('t:0', 6n, 'again'), null, 'an offset already tracked is skipped');
  assert.equal(tracker.complete(entries[2]!), null, '7 done, 5 and 6 not: nothing to commit');
  assert.equal(tracker.complete(entries[0]!)?.offset, 5n);
  assert.equal(tracker.complete(entries[1]!)?.offset, 7n, '6 done: 6 and 7 commit together');
  assert.equal(tracker.pendingCount, 0);
  tracker.forget('t:0');
  assert.ok(tracker.track('t:0', 3n, 'after a rebalance'), 'a forgotten partition starts over');
});
