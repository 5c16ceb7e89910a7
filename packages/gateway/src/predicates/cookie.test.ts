import assert from 'node:assert/strict';
import { test } from 'node:test';
import { predicate, requestContext } from '../internal/test-units.js';
import { cookiePredicateFactory } from './cookie.js';

test('a cookie with that name must fully match the regexp', () => {
  const p = predicate(cookiePredicateFactory, 'Cookie=chocolate, ch.p');
  assert.equal(p(requestContext({ headers: { cookie: 'a=b; chocolate=chip' } })), true);
  assert.equal(p(requestContext({ headers: { cookie: 'chocolate=chips' } })), false);
  assert.equal(p(requestContext({ headers: {} })), false);
});

test('both name and regexp are required', () => {
  assert.throws(
    () => predicate(cookiePredicateFactory, 'Cookie=chocolate'),
    /'regexp' is required/,
  );
});
