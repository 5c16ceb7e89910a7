import { test } from 'node:test';
import assert from 'node:assert/strict';
import { first, hasDecodableQuery, statusParam, timestampParam } from './request-values.js';

test('lastDirtyTimestamp is absent, a non-negative integer, or refused', () => {
  assert.equal(timestampParam({}), undefined);
  assert.equal(timestampParam({ lastDirtyTimestamp: '' }), undefined);
  assert.equal(timestampParam({ lastDirtyTimestamp: ['1700000000000', '1'] }), 1_700_000_000_000);
  for (const bad of ['abc', '-1', '1.5', '1e3', '12345678901234567'])
    assert.equal(timestampParam({ lastDirtyTimestamp: bad }), null, bad);
});

test('status values are Eureka statuses, spelled exactly', () => {
  assert.equal(statusParam('OUT_OF_SERVICE'), 'OUT_OF_SERVICE');
  assert.equal(statusParam(undefined), undefined);
  assert.equal(statusParam('up'), null);
  assert.equal(first({ value: ['DOWN', 'UP'] }, 'value'), 'DOWN');
});

test('a query with broken percent-encoding is not decodable', () => {
  assert.equal(hasDecodableQuery('/eureka/apps/A/1?status=UP&x=a%20b'), true);
  assert.equal(hasDecodableQuery('/eureka/apps/A/1?value=%FF'), false);
  assert.equal(hasDecodableQuery('/eureka/apps/A/1?k%ED%A0%80=1'), false);
  assert.equal(hasDecodableQuery('/eureka/apps'), true);
});
