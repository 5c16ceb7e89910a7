import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exchange, filter } from '../internal/test-units.js';
import { setResponseHeaderFilterFactory } from './set-response-header.js';

test('replaces the upstream value', () => {
  const ex = exchange({ responseHeaders: { 'x-r': ['a', 'b'] } });
  void filter(setResponseHeaderFilterFactory, 'SetResponseHeader=X-R, c').post?.(ex);
  assert.equal(ex.responseHeaders['x-r'], 'c');
});
