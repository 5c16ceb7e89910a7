import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { pickForEviction } from './eviction-pick.js';

test('picks at most the limit, each expired lease at most once', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.integer(), { maxLength: 40 }),
      fc.integer({ min: -2, max: 50 }),
      fc.infiniteStream(fc.double({ min: 0, max: 0.999_999, noNaN: true })),
      (expired, limit, randoms) => {
        const source = randoms[Symbol.iterator]();
        const picked = pickForEviction(expired, limit, () => source.next().value as number);
        assert.equal(picked.length, Math.min(expired.length, Math.max(0, limit)));
        assert.equal(new Set(picked).size, picked.length);
        for (const item of picked) assert.ok(expired.includes(item));
      },
    ),
  );
});

test('the random source decides which leases go, so whole apps are not evicted in order', () => {
  const expired = ['A/1', 'A/2', 'A/3', 'B/1', 'B/2'];
  assert.deepEqual(
    pickForEviction(expired, 2, () => 0),
    ['A/1', 'A/2'],
  );
  assert.deepEqual(
    pickForEviction(expired, 2, () => 0.99),
    ['B/2', 'A/1'],
  );
});
