import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exchange, filter } from '../internal/test-units.js';
import { rewritePathFilterFactory } from './rewrite-path.js';

const rewrite = (shortcut: string, path: string): string => {
  const ex = exchange({ path });
  void filter(rewritePathFilterFactory, shortcut).pre?.(ex);
  return ex.path;
};

test('the seed rewrite turns /user-service/users/1 into /users/1 ($\\{segment} escape)', () => {
  assert.equal(
    rewrite('RewritePath=/user-service/(?<segment>.*), /$\\{segment}', '/user-service/users/1'),
    '/users/1',
  );
});

test('Java ${name} without the YAML escape and numbered $1 work too', () => {
  assert.equal(rewrite('RewritePath=/red/?(?<segment>.*), /${segment}', '/red/blue'), '/blue');
  assert.equal(rewrite('RewritePath=/api/(.*), /v2/$1', '/api/x'), '/v2/x');
});

test('a non-matching path is left alone and every match is replaced', () => {
  assert.equal(
    rewrite('RewritePath=/user-service/(?<segment>.*), /$\\{segment}', '/other/x'),
    '/other/x',
  );
  assert.equal(rewrite('RewritePath=a, b', '/a/a'), '/b/b');
});

test('an escaped dollar is literal and an illegal group reference is rejected', () => {
  assert.equal(rewrite('RewritePath=/x, /\\$y', '/x'), '/$y');
  assert.throws(
    () => filter(rewritePathFilterFactory, 'RewritePath=/x, /$y'),
    /illegal group reference/,
  );
});
