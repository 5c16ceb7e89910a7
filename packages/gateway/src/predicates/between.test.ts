import assert from 'node:assert/strict';
import { test } from 'node:test';
import { predicate, requestContext } from '../internal/test-units.js';
import { betweenPredicateFactory } from './between.js';

test('matches strictly between the two instants', () => {
  const p = predicate(
    betweenPredicateFactory,
    'Between=2017-01-20T17:42:47.789-07:00[America/Denver], 2017-01-21T17:42:47.789-07:00[America/Denver]',
  );
  const start = Date.parse('2017-01-21T00:42:47.789Z');
  assert.equal(p(requestContext({ nowMs: start + 1 })), true);
  assert.equal(p(requestContext({ nowMs: start })), false);
  assert.equal(p(requestContext({ nowMs: start + 86_400_000 })), false);
});

test('a range whose start is not before its end is rejected', () => {
  assert.throws(
    () => predicate(betweenPredicateFactory, 'Between=2017-01-21T00:00:00Z, 2017-01-20T00:00:00Z'),
    /before/,
  );
});
