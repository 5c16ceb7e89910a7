import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exchange, filter } from '../internal/test-units.js';
import { addResponseHeaderFilterFactory } from './add-response-header.js';

test('adds a value to the response by default, even when the upstream set one', () => {
  const ex = exchange({ responseHeaders: { 'x-r': 'up' } });
  void filter(addResponseHeaderFilterFactory, 'AddResponseHeader=X-R, gw').post?.(ex);
  assert.deepEqual(ex.responseHeaders['x-r'], ['up', 'gw']);
});

test('with override false nothing is added when the upstream set the header', () => {
  const ex = exchange({ responseHeaders: { 'x-r': 'up' } });
  void filter(addResponseHeaderFilterFactory, 'AddResponseHeader=X-R, gw, false').post?.(ex);
  assert.equal(ex.responseHeaders['x-r'], 'up');
  const empty = exchange();
  void filter(addResponseHeaderFilterFactory, 'AddResponseHeader=X-R, gw, false').post?.(empty);
  assert.equal(empty.responseHeaders['x-r'], 'gw');
});
