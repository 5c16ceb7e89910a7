import assert from 'node:assert/strict';
import { test } from 'node:test';
import { predicate, requestContext } from '../internal/test-units.js';
import { methodPredicateFactory } from './method.js';

test('matches any listed method, case-insensitively in the definition', () => {
  const p = predicate(methodPredicateFactory, 'Method=get,Post');
  assert.equal(p(requestContext({ method: 'GET' })), true);
  assert.equal(p(requestContext({ method: 'POST' })), true);
  assert.equal(p(requestContext({ method: 'DELETE' })), false);
});

test('expanded form takes a list', () => {
  const p = predicate(methodPredicateFactory, { name: 'Method', args: { 'methods.0': 'PUT' } });
  assert.equal(p(requestContext({ method: 'PUT' })), true);
});

test('no method or a bad method is rejected', () => {
  assert.throws(() => predicate(methodPredicateFactory, 'Method'), /at least one/);
  assert.throws(() => predicate(methodPredicateFactory, 'Method=GE T'), /invalid method/);
});
