import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStratusError } from '@stratus/core';
import { exchange, filter } from '../internal/test-units.js';
import { addRequestHeaderFilterFactory } from './add-request-header.js';

test('adds a value, keeping existing ones', () => {
  const ex = exchange({ requestHeaders: { 'x-a': 'one' } });
  void filter(addRequestHeaderFilterFactory, 'AddRequestHeader=X-A, two').pre?.(ex);
  assert.deepEqual(ex.requestHeaders['x-a'], ['one', 'two']);
});

test('expands {segment} URI variables', () => {
  const ex = exchange({ uriVariables: { segment: 'blue' } });
  void filter(
    addRequestHeaderFilterFactory,
    'AddRequestHeader=X-Request-Red, Blue-{segment}',
  ).pre?.(ex);
  assert.equal(ex.requestHeaders['x-request-red'], 'Blue-blue');
});

test('a value with CR or LF is refused: static at load, expanded per request', () => {
  assert.throws(
    () =>
      filter(addRequestHeaderFilterFactory, {
        name: 'AddRequestHeader',
        args: { name: 'X', value: 'a\r\nX-Evil: 1' },
      }),
    /not allowed/,
  );
  const ex = exchange({ uriVariables: { v: 'a\r\nX-Evil: 1' } });
  assert.throws(
    () => filter(addRequestHeaderFilterFactory, 'AddRequestHeader=X, {v}').pre?.(ex),
    (error) => isStratusError(error) && error.code === 'GW_ERR_INVALID_HEADER',
  );
});
