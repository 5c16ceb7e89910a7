import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import {
  StratusError,
  isStratusError,
  toProblem,
  Secret,
  parseDurationMs,
  createManualClock,
  isRecord,
  CoreErrors,
} from './index.js';

test('a StratusError maps to a problem document with its code and safe details', () => {
  const error = new StratusError('SHOP_ERR_X', 409, 'Conflict', { details: { email: 'a@b.c' } });
  assert.equal(isStratusError(error), true);
  const problem = toProblem(error, 'abc');
  assert.equal(problem.status, 409);
  assert.equal(problem.code, 'SHOP_ERR_X');
  assert.equal(problem.email, 'a@b.c');
  assert.equal(problem.traceId, 'abc');
});

test('an unknown error becomes a 500 without its message', () => {
  const problem = toProblem(new Error('db password is hunter2'));
  assert.equal(problem.status, 500);
  assert.equal(problem.code, CoreErrors.INTERNAL.code);
  assert.equal(problem.code, 'CORE_ERR_INTERNAL');
  assert.equal(problem.detail, 'An unexpected error occurred');
  assert.doesNotMatch(JSON.stringify(problem), /hunter2/);
});

test('a Secret never prints its value', () => {
  const secret = new Secret('hunter2');
  assert.equal(String(secret), '[redacted]');
  assert.equal(JSON.stringify({ secret }), '{"secret":"[redacted]"}');
  assert.doesNotMatch(inspect(secret), /hunter2/);
  assert.equal(secret.reveal(), 'hunter2');
});

test('durations parse in Spring Boot forms', () => {
  assert.equal(parseDurationMs('5s'), 5000);
  assert.equal(parseDurationMs('250ms'), 250);
  assert.equal(parseDurationMs(30, 's'), 30_000);
  assert.equal(parseDurationMs('PT1M30S'), 90_000);
  assert.equal(parseDurationMs('soon'), null);
});

test('a manual clock only moves when advanced', () => {
  const clock = createManualClock(1000);
  clock.advance(500);
  assert.equal(clock.now(), 1500);
});

test('isRecord accepts plain objects only, never null or arrays', () => {
  assert.equal(isRecord({}), true);
  assert.equal(isRecord(Object.create(null)), true);
  assert.equal(isRecord(null), false);
  assert.equal(isRecord([]), false);
  assert.equal(isRecord('x'), false);
  assert.equal(isRecord(undefined), false);
});
