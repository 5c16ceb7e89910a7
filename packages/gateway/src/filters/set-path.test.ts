import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exchange, filter } from '../internal/test-units.js';
import { setPathFilterFactory } from './set-path.js';

test('SetPath=/{segment} uses the Path variables', () => {
  const ex = exchange({ path: '/red/blue', uriVariables: { segment: 'blue' } });
  void filter(setPathFilterFactory, 'SetPath=/{segment}').pre?.(ex);
  assert.equal(ex.path, '/blue');
});
