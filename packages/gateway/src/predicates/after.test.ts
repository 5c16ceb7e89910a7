import assert from 'node:assert/strict';
import { test } from 'node:test';
import { predicate, requestContext } from '../internal/test-units.js';
import { afterPredicateFactory } from './after.js';

const instant = Date.parse('2017-01-21T00:42:47.789Z');

test('matches only after the instant; the [Zone] suffix is ignored', () => {
  const p = predicate(afterPredicateFactory, 'After=2017-01-20T17:42:47.789-07:00[America/Denver]');
  assert.equal(p(requestContext({ nowMs: instant + 1 })), true);
  assert.equal(p(requestContext({ nowMs: instant })), false);
  assert.equal(p(requestContext({ nowMs: instant - 1000 })), false);
});

test('nanosecond fractions and Z are accepted; a missing offset is not', () => {
  assert.equal(
    predicate(
      afterPredicateFactory,
      'After=2017-01-21T00:42:47.789123456Z',
    )(requestContext({ nowMs: instant + 1 })),
    true,
  );
  assert.throws(() => predicate(afterPredicateFactory, 'After=2017-01-20T17:42:47'), /offset/);
});
