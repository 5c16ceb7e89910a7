import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from '@stratus/core';
import { exchange, filter } from '../internal/unit-testing.js';
import { customFilterFactory, globalFilterFactory, loggingFilterFactory } from './logging.js';

test('the seed logging filters only log at debug level with constant messages', () => {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      callback();
    },
  });
  const logger = createLogger({ name: 't', level: 'debug', destination });
  const global = filter(
    globalFilterFactory,
    { name: 'GlobalFilter', args: { baseMessage: 'hi', preLogger: 'true', postLogger: 'true' } },
    { logger },
  );
  const ex = exchange({ requestHeaders: { a: 'b' } });
  void global.pre?.(ex);
  global.post?.(ex);
  assert.deepEqual(ex.requestHeaders, { a: 'b' });
  assert.deepEqual(
    lines.map((line) => line['msg']),
    ['gateway logging filter', 'gateway logging filter pre', 'gateway logging filter post'],
  );
  assert.ok(lines.every((line) => line['level'] === 20));
});

test('LoggingFilter has the highest precedence; GlobalFilter and CustomFilter keep their position', () => {
  assert.ok(filter(loggingFilterFactory, 'LoggingFilter', {}, 3).order < -2_000_000_000);
  assert.equal(filter(globalFilterFactory, 'GlobalFilter', {}, 3).order, 3);
  assert.equal(filter(customFilterFactory, 'CustomFilter', {}, 2).order, 2);
});

test('unknown arguments are rejected', () => {
  assert.throws(
    () => filter(loggingFilterFactory, { name: 'LoggingFilter', args: { message: 'x' } }),
    /unknown argument/,
  );
});
