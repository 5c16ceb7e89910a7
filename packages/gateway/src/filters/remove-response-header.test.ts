import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exchange, filter } from '../internal/test-units.js';
import { removeResponseHeaderFilterFactory } from './remove-response-header.js';

test('removes the upstream response header', () => {
  const ex = exchange({ responseHeaders: { 'x-internal': '1', 'content-type': 'text/plain' } });
  void filter(removeResponseHeaderFilterFactory, 'RemoveResponseHeader=X-Internal').post?.(ex);
  assert.deepEqual(ex.responseHeaders, { 'content-type': 'text/plain' });
});
