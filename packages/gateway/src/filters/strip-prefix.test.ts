import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exchange, filter } from '../internal/test-units.js';
import { stripPrefix, stripPrefixFilterFactory } from './strip-prefix.js';

test('StripPrefix=2 turns /name/blue/red into /red', () => {
  const ex = exchange({ path: '/name/blue/red' });
  void filter(stripPrefixFilterFactory, 'StripPrefix=2').pre?.(ex);
  assert.equal(ex.path, '/red');
});

test('parts defaults to 1, a trailing slash is kept and over-stripping gives /', () => {
  const ex = exchange({ path: '/api/users/' });
  void filter(stripPrefixFilterFactory, 'StripPrefix').pre?.(ex);
  assert.equal(ex.path, '/users/');
  assert.equal(stripPrefix('/a', 3), '/');
  assert.equal(stripPrefix('/a/', 1), '/');
});
