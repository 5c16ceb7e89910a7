import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exchange, filter } from '../internal/test-units.js';
import { setRequestHeaderFilterFactory } from './set-request-header.js';

test('replaces every value of the header', () => {
  const ex = exchange({ requestHeaders: { 'x-a': ['one', 'two'] }, uriVariables: { id: '7' } });
  void filter(setRequestHeaderFilterFactory, 'SetRequestHeader=X-A, v-{id}').pre?.(ex);
  assert.equal(ex.requestHeaders['x-a'], 'v-7');
});
