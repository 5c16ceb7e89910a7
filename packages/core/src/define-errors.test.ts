import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineErrors, isStratusError, toProblem } from './index.js';

const Errors = defineErrors('SHOP', {
  TEST_ONLY_CONFLICT: { status: 409, title: 'Conflict', message: 'It already exists' },
  TEST_ONLY_BACKEND_DOWN: { status: 503, title: 'Backend unavailable' },
});

test('a table row builds a StratusError with the prefixed code, status and default message', () => {
  const error = Errors.TEST_ONLY_CONFLICT();
  assert.ok(isStratusError(error));
  assert.equal(error.code, 'SHOP_ERR_TEST_ONLY_CONFLICT');
  assert.equal(error.httpStatus, 409);
  assert.equal(error.message, 'It already exists');
  assert.equal(error.retryable, false);
  assert.equal(Errors.TEST_ONLY_CONFLICT.code, 'SHOP_ERR_TEST_ONLY_CONFLICT');
});

test('a throw site gives the case text, safe details and the cause', () => {
  const cause = new Error('socket hang up');
  const error = Errors.TEST_ONLY_BACKEND_DOWN({
    message: 'orders unavailable',
    details: { service: 'order-service' },
    cause,
  });
  assert.equal(error.retryable, true);
  assert.equal(error.cause, cause);
  const problem = toProblem(error);
  assert.equal(problem.detail, 'orders unavailable');
  assert.equal(problem.service, 'order-service');
  assert.doesNotMatch(JSON.stringify(problem), /socket hang up/);
});

test('is() recognises only its own code', () => {
  assert.equal(Errors.TEST_ONLY_CONFLICT.is(Errors.TEST_ONLY_CONFLICT()), true);
  assert.equal(Errors.TEST_ONLY_CONFLICT.is(Errors.TEST_ONLY_BACKEND_DOWN()), false);
  assert.equal(Errors.TEST_ONLY_CONFLICT.is(new Error('x')), false);
});

test('a code defined twice with another meaning, an unknown area or a bad row name is refused', () => {
  assert.throws(
    () => defineErrors('SHOP', { TEST_ONLY_CONFLICT: { status: 400, title: 'Other' } }),
    /already defined/,
  );
  // The same definition again (a second copy of a package) is fine.
  defineErrors('SHOP', { TEST_ONLY_CONFLICT: { status: 409, title: 'Conflict' } });
  assert.throws(() => defineErrors('NOPE', { X: { status: 400, title: 'x' } }), /unknown area/);
  assert.throws(() => defineErrors('SHOP', { lower: { status: 400, title: 'x' } }), /bad row/);
});

test('a throw site may give one occurrence its own title or status without a new code', () => {
  const titled = Errors.TEST_ONLY_CONFLICT({ title: 'Already there' });
  assert.equal(titled.title, 'Already there');
  assert.equal(titled.message, 'It already exists', "the row's message stays the detail");
  assert.equal(titled.code, 'SHOP_ERR_TEST_ONLY_CONFLICT');
  const refined = Errors.TEST_ONLY_CONFLICT({ status: 415 });
  assert.equal(refined.httpStatus, 415);
  assert.equal(toProblem(refined).status, 415);
  assert.equal(Errors.TEST_ONLY_CONFLICT().httpStatus, 409, 'the row itself is unchanged');
  assert.equal(Errors.TEST_ONLY_CONFLICT.title, 'Conflict');
  assert.equal(Errors.TEST_ONLY_BACKEND_DOWN.message, 'Backend unavailable');
});
