import assert from 'node:assert/strict';
import { test } from 'node:test';
import { predicate, requestContext } from '../internal/test-units.js';
import { pathPredicateFactory } from './path.js';

const matches = (shortcut: string, path: string): Record<string, string> | null => {
  const context = requestContext({ path });
  return predicate(pathPredicateFactory, shortcut)(context) ? context.uriVariables : null;
};

test('** matches the prefix itself and anything below it', () => {
  for (const path of ['/user-service', '/user-service/', '/user-service/users/1']) {
    assert.ok(matches('Path=/user-service/**', path), path);
  }
  assert.equal(matches('Path=/user-service/**', '/user-servicex'), null);
  assert.equal(matches('Path=/user-service/**', '/other'), null);
});

test('* matches within one segment and ? one character', () => {
  assert.ok(matches('Path=/files/*.png', '/files/a.png'));
  assert.equal(matches('Path=/files/*.png', '/files/a/b.png'), null);
  assert.ok(matches('Path=/v?/x', '/v1/x'));
  assert.equal(matches('Path=/v?/x', '/v10/x'), null);
  assert.equal(matches('Path=/a/*', '/a/'), null);
});

test('{var}, {var:regex} and {*rest} are captured as URI variables', () => {
  assert.deepEqual(matches('Path=/users/{id}/orders/{orderId:\\d+}', '/users/u-1/orders/42'), {
    id: 'u-1',
    orderId: '42',
  });
  assert.equal(matches('Path=/users/{id}/orders/{orderId:\\d+}', '/users/u-1/orders/abc'), null);
  assert.deepEqual(matches('Path=/static/{*rest}', '/static/a/b.css'), { rest: '/a/b.css' });
  assert.deepEqual(matches('Path=/static/{*rest}', '/static'), { rest: '' });
});

test('a trailing slash matches by default and not with matchTrailingSlash false', () => {
  assert.ok(matches('Path=/user-service/login', '/user-service/login/'));
  assert.equal(matches('Path=/user-service/login, false', '/user-service/login/'), null);
  assert.ok(matches('Path=/user-service/login, false', '/user-service/login'));
});

test('any of several patterns matches, and matching is case-sensitive', () => {
  assert.ok(matches('Path=/a, /b/**', '/b/c'));
  assert.equal(matches('Path=/a', '/A'), null);
});

test('expanded form with indexed patterns and matchTrailingSlash', () => {
  const p = predicate(pathPredicateFactory, {
    name: 'Path',
    args: { 'patterns.0': '/x', matchTrailingSlash: 'false' },
  });
  assert.equal(p(requestContext({ path: '/x/' })), false);
  assert.equal(p(requestContext({ path: '/x' })), true);
});

test('** in the middle, unbalanced braces and duplicate variables are rejected', () => {
  assert.throws(() => predicate(pathPredicateFactory, 'Path=/a/**/b'), /only allowed at the end/);
  assert.throws(() => predicate(pathPredicateFactory, 'Path=/a/{id'), /unclosed/);
  assert.throws(() => predicate(pathPredicateFactory, 'Path=/{id}/{id}'), /twice/);
});
