import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exchange, filter } from '../internal/test-units.js';
import { prefixPathFilterFactory } from './prefix-path.js';

test('PrefixPath=/mypath turns /hello into /mypath/hello', () => {
  const ex = exchange({ path: '/hello' });
  void filter(prefixPathFilterFactory, 'PrefixPath=/mypath').pre?.(ex);
  assert.equal(ex.path, '/mypath/hello');
});

test('a prefix that is not a path is rejected', () => {
  assert.throws(() => filter(prefixPathFilterFactory, 'PrefixPath=http://evil'), /must be a path/);
});
