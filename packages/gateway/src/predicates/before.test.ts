import assert from 'node:assert/strict';
import { test } from 'node:test';
import { predicate, requestContext } from '../internal/test-units.js';
import { beforePredicateFactory } from './before.js';

test('matches only before the instant', () => {
  const p = predicate(
    beforePredicateFactory,
    'Before=2017-01-20T17:42:47.789-07:00[America/Denver]',
  );
  const instant = Date.parse('2017-01-21T00:42:47.789Z');
  assert.equal(p(requestContext({ nowMs: instant - 1 })), true);
  assert.equal(p(requestContext({ nowMs: instant })), false);
});
