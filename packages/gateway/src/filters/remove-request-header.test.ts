import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exchange, filter } from '../internal/test-units.js';
import { removeRequestHeaderFilterFactory } from './remove-request-header.js';

test('removes the header whatever its case in the definition', () => {
  const ex = exchange({ requestHeaders: { cookie: 'a=b', accept: '*/*' } });
  void filter(removeRequestHeaderFilterFactory, 'RemoveRequestHeader=Cookie').pre?.(ex);
  assert.deepEqual(ex.requestHeaders, { accept: '*/*' });
});

test('an invalid header name is rejected', () => {
  assert.throws(
    () => filter(removeRequestHeaderFilterFactory, 'RemoveRequestHeader=Bad Name'),
    /not a valid header name/,
  );
});
