import assert from 'node:assert/strict';
import { test } from 'node:test';
import { predicate, requestContext } from '../internal/test-units.js';
import { queryPredicateFactory } from './query.js';

test('the parameter must be present when no regexp is given', () => {
  const p = predicate(queryPredicateFactory, 'Query=green');
  assert.equal(p(requestContext({ query: 'green=' })), true);
  assert.equal(p(requestContext({ query: 'red=1' })), false);
  assert.equal(p(requestContext({ query: '' })), false);
});

test('some value must fully match the regexp', () => {
  const p = predicate(queryPredicateFactory, 'Query=red, gree.');
  assert.equal(p(requestContext({ query: 'red=greet' })), true);
  assert.equal(p(requestContext({ query: 'red=greets' })), false);
  assert.equal(p(requestContext({ query: 'red=x&red=green' })), true);
});
