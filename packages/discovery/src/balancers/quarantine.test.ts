import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createManualClock } from '@stratus/core';
import { createQuarantine, quarantineLengthMs } from './quarantine.js';
import { fakeInstance as instance } from '../internal/fixtures.js';

const list = [instance('x', 1), instance('x', 2), instance('x', 3)];
const id = (port: number) => `h:x:${port}`;
const ports = (chosen: readonly { port: number }[]) => chosen.map((i) => i.port);

test('the first failure quarantines the instance for the base time, then it is chosen again', () => {
  const clock = createManualClock(0);
  const quarantine = createQuarantine({ clock, quarantineMs: 1_000 });
  quarantine.markFailed('X', id(2));
  assert.deepEqual(ports(quarantine.candidates('x', list)), [1, 3]);
  assert.equal(quarantine.remainingMs('x', id(2)), 1_000);
  clock.advance(999);
  assert.deepEqual(ports(quarantine.candidates('x', list)), [1, 3]);
  clock.advance(1);
  assert.deepEqual(ports(quarantine.candidates('x', list)), [1, 2, 3]);
});

test('each failure after a quarantine ended doubles the next one, up to the cap', () => {
  const clock = createManualClock(0);
  const quarantine = createQuarantine({ clock, quarantineMs: 1_000, maxQuarantineMs: 10_000 });
  const lengths: number[] = [];
  for (let i = 0; i < 6; i++) {
    quarantine.markFailed('x', id(1));
    const length = quarantine.remainingMs('x', id(1));
    lengths.push(length);
    clock.advance(length);
  }
  assert.deepEqual(lengths, [1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
  assert.equal(quarantineLengthMs(60, 1_000, 30_000), 30_000);
});

test('failures of requests already in flight do not lengthen a running quarantine', () => {
  const clock = createManualClock(0);
  const quarantine = createQuarantine({ clock, quarantineMs: 1_000 });
  quarantine.markFailed('x', id(1));
  clock.advance(500);
  quarantine.markFailed('x', id(1));
  quarantine.markFailed('x', id(1));
  assert.equal(quarantine.remainingMs('x', id(1)), 500);
  clock.advance(500);
  quarantine.markFailed('x', id(1));
  assert.equal(quarantine.remainingMs('x', id(1)), 2_000, 'the second streak step');
});

test('a success after the quarantine clears the streak; one from before the failure does not', () => {
  const clock = createManualClock(0);
  const quarantine = createQuarantine({ clock, quarantineMs: 1_000 });
  quarantine.markFailed('x', id(1));
  quarantine.markSucceeded('x', id(1)); // a response to a request sent before the failure
  assert.equal(quarantine.remainingMs('x', id(1)), 1_000);
  clock.advance(1_000);
  quarantine.markFailed('x', id(1));
  assert.equal(quarantine.remainingMs('x', id(1)), 2_000);
  clock.advance(2_000);
  quarantine.markSucceeded('x', id(1));
  quarantine.markFailed('x', id(1));
  assert.equal(quarantine.remainingMs('x', id(1)), 1_000, 'the streak starts over');
});

test('when every instance is quarantined only the least recently failed one is offered', () => {
  const clock = createManualClock(0);
  const quarantine = createQuarantine({ clock, quarantineMs: 10_000 });
  quarantine.markFailed('x', id(2));
  clock.advance(10);
  quarantine.markFailed('x', id(1));
  clock.advance(10);
  quarantine.markFailed('x', id(3));
  assert.deepEqual(ports(quarantine.candidates('x', list)), [2]);
  // Its success now counts: it was chosen while quarantined.
  quarantine.markSucceeded('x', id(2));
  assert.deepEqual(ports(quarantine.candidates('x', list)), [2]);
  assert.equal(quarantine.remainingMs('x', id(2)), 0);
});

test('excluded instances are never offered, even when only quarantined ones remain', () => {
  const clock = createManualClock(0);
  const quarantine = createQuarantine({ clock });
  quarantine.markFailed('x', id(3));
  assert.deepEqual(ports(quarantine.candidates('x', list, new Set([id(1), id(2)]))), [3]);
  assert.deepEqual(ports(quarantine.candidates('x', list, new Set([id(1)]))), [2]);
  assert.deepEqual(quarantine.candidates('x', list, new Set(list.map((i) => i.instanceId))), []);
  assert.deepEqual(
    ports(quarantine.candidates('x', [...list, instance('x', 4, { status: 'DOWN' })])),
    [1, 2],
  );
});

test('streaks of instances that left the registry or stayed healthy long enough are forgotten', () => {
  const clock = createManualClock(0);
  const quarantine = createQuarantine({ clock, quarantineMs: 1_000, maxQuarantineMs: 4_000 });
  quarantine.markFailed('x', id(1));
  quarantine.markFailed('x', id(9));
  quarantine.candidates('x', list);
  assert.equal(quarantine.remainingMs('x', id(9)), 0, 'no longer listed');
  clock.advance(1_000 + 4_000);
  quarantine.markFailed('x', id(1));
  assert.equal(quarantine.remainingMs('x', id(1)), 1_000, 'a new streak');
});

test('quarantineMs 0 turns quarantine off and bad settings are refused', () => {
  const quarantine = createQuarantine({ quarantineMs: 0 });
  quarantine.markFailed('x', id(1));
  assert.deepEqual(ports(quarantine.candidates('x', list)), [1, 2, 3]);
  assert.throws(() => createQuarantine({ quarantineMs: -1 }), RangeError);
  assert.throws(
    () => createQuarantine({ quarantineMs: 5_000, maxQuarantineMs: 1_000 }),
    RangeError,
  );
  assert.throws(() => createQuarantine({ quarantineMs: Number.NaN }), RangeError);
});

// A reference model of the quarantine: per instance, the streak length, the time of the last
// failure, the end of the quarantine and whether it was handed out while quarantined.
interface ModelStrike {
  failures: number;
  failedAt: number;
  until: number;
  probed: boolean;
}

type Op =
  | { kind: 'fail'; port: number }
  | { kind: 'succeed'; port: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'choose'; exclude: number[] };

const portArb = fc.constantFrom(1, 2, 3);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('fail' as const), port: portArb }),
  fc.record({ kind: fc.constant('succeed' as const), port: portArb }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 9_000 }) }),
  fc.record({
    kind: fc.constant('choose' as const),
    exclude: fc.subarray([1, 2, 3]),
  }),
);

test('matches the reference model of quarantine with backoff over random histories', () => {
  const BASE = 500;
  const MAX = 6_000;
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
      const clock = createManualClock(0);
      const quarantine = createQuarantine({ clock, quarantineMs: BASE, maxQuarantineMs: MAX });
      const model = new Map<number, ModelStrike>();
      for (const op of ops) {
        const now = clock.now();
        if (op.kind === 'advance') clock.advance(op.ms);
        else if (op.kind === 'fail') {
          quarantine.markFailed('x', id(op.port));
          const strike = model.get(op.port);
          if (strike !== undefined && now < strike.until) {
            strike.failedAt = now;
            strike.probed = false;
          } else {
            const failures =
              strike === undefined || now >= strike.until + MAX ? 1 : strike.failures + 1;
            const until = now + Math.min(MAX, BASE * 2 ** (failures - 1));
            model.set(op.port, { failures, failedAt: now, until, probed: false });
          }
        } else if (op.kind === 'succeed') {
          quarantine.markSucceeded('x', id(op.port));
          const strike = model.get(op.port);
          if (strike !== undefined && (strike.probed || now >= strike.until)) model.delete(op.port);
        } else {
          for (const [port, strike] of model) if (now >= strike.until + MAX) model.delete(port);
          const open = [1, 2, 3].filter((p) => !op.exclude.includes(p));
          const healthy = open.filter((p) => (model.get(p)?.until ?? 0) <= now);
          let expected = healthy;
          if (healthy.length === 0 && open.length > 0) {
            const oldest = open.reduce((a, b) =>
              model.get(b)!.failedAt < model.get(a)!.failedAt ? b : a,
            );
            model.get(oldest)!.probed = true;
            expected = [oldest];
          }
          const actual = ports(
            quarantine.candidates('x', list, new Set(op.exclude.map((p) => id(p)))),
          );
          assert.deepEqual(actual, expected);
        }
        for (const port of [1, 2, 3]) {
          const until = model.get(port)?.until ?? 0;
          assert.equal(quarantine.remainingMs('x', id(port)), Math.max(0, until - clock.now()));
        }
      }
    }),
    { numRuns: 500 },
  );
});
