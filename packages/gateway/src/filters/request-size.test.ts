import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GatewayErrors, responseOf } from '../errors.js';
import { exchange, filter } from '../internal/test-units.js';
import { requestSizeFilterFactory } from './request-size.js';

test("a Content-Length over maxSize gets 413 with Spring's errorMessage header", () => {
  const ex = exchange({ contentLength: 6_000_000 });
  assert.throws(
    () => filter(requestSizeFilterFactory, 'RequestSize=5000000').pre?.(ex),
    (error) =>
      GatewayErrors.PAYLOAD_TOO_LARGE.is(error) &&
      error.httpStatus === 413 &&
      responseOf(error)?.headers?.['errorMessage'] ===
        'Request size is larger than permissible limit. Request size is 6.0 MB where permissible limit is 5.0 MB',
  );
});

test('DataSize units are binary and the limit caps the streamed body of the route', () => {
  const ex = exchange({ contentLength: 1024 });
  void filter(requestSizeFilterFactory, 'RequestSize=1KB').pre?.(ex);
  assert.equal(ex.maxBodyBytes, 1024);
  const defaulted = exchange();
  void filter(requestSizeFilterFactory, 'RequestSize').pre?.(defaulted);
  assert.equal(defaulted.maxBodyBytes, 5_000_000);
});

test('a malformed size is rejected', () => {
  assert.throws(
    () => filter(requestSizeFilterFactory, 'RequestSize=5 parsecs'),
    /must be a data size/,
  );
});
