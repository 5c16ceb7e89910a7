import assert from 'node:assert/strict';
import { test } from 'node:test';
import { predicate, requestContext } from '../internal/test-units.js';
import { headerPredicateFactory } from './header.js';

test('a value must fully match the regexp (Java String.matches)', () => {
  const p = predicate(headerPredicateFactory, 'Header=X-Request-Id, \\d+');
  assert.equal(p(requestContext({ headers: { 'x-request-id': '123' } })), true);
  assert.equal(p(requestContext({ headers: { 'x-request-id': 'a123' } })), false);
  assert.equal(p(requestContext({ headers: {} })), false);
});

test('without a regexp the header only has to be present', () => {
  const p = predicate(headerPredicateFactory, 'Header=X-Flag');
  assert.equal(p(requestContext({ headers: { 'x-flag': '' } })), true);
  assert.equal(p(requestContext({ headers: {} })), false);
});

test('any of several values may match', () => {
  const p = predicate(headerPredicateFactory, 'Header=Accept, text/html');
  assert.equal(p(requestContext({ headers: { accept: 'application/json, text/html' } })), true);
});

test('an invalid regexp is rejected', () => {
  assert.throws(() => predicate(headerPredicateFactory, 'Header=X, ['), /invalid regex/);
});
