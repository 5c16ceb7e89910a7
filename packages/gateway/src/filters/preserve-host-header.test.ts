import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exchange, filter } from '../internal/test-units.js';
import { preserveHostHeaderFilterFactory } from './preserve-host-header.js';

test('marks the exchange so the client Host is sent upstream', () => {
  const ex = exchange();
  void filter(preserveHostHeaderFilterFactory, 'PreserveHostHeader').pre?.(ex);
  assert.equal(ex.preserveHost, true);
});
