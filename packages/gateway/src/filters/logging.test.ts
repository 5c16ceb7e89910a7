import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from '@stratus/core';
import { exchange, filter } from '../internal/test-units.js';
import { customFilterFactory, globalFilterFactory, loggingFilterFactory } from './logging.js';

function captured() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      callback();
    },
  });
  return { lines, logger: createLogger({ name: 't', level: 'debug', destination }) };
}

test("the seed's GlobalFilter logs its base message, start and end at info with constant messages", () => {
  const { lines, logger } = captured();
  const global = filter(
    globalFilterFactory,
    {
      name: 'GlobalFilter',
      args: {
        baseMessage: 'Spring Cloud Gateway Global Filter',
        preLogger: 'true',
        postLogger: 'true',
      },
    },
    { logger },
  );
  const ex = exchange({ requestHeaders: { a: 'b' }, statusCode: 201 });
  void global.pre?.(ex);
  void global.post?.(ex);
  assert.deepEqual(ex.requestHeaders, { a: 'b' });
  assert.deepEqual(
    lines.map((line) => line['msg']),
    ['Global Filter baseMessage', 'Global Filter Start', 'Global Filter End'],
  );
  assert.ok(lines.every((line) => line['level'] === 30));
  assert.equal(lines[0]?.['baseMessage'], 'Spring Cloud Gateway Global Filter');
  assert.equal(lines[1]?.['requestId'], 'req-1');
  assert.equal(lines[2]?.['status'], 201);
});

test('LoggingFilter with preLogger/postLogger false logs only its base message', () => {
  const { lines, logger } = captured();
  const logging = filter(
    loggingFilterFactory,
    {
      name: 'LoggingFilter',
      args: { baseMessage: 'Hi, Logging Filter', preLogger: 'false', postLogger: 'false' },
    },
    { logger },
  );
  const ex = exchange();
  void logging.pre?.(ex);
  void logging.post?.(ex);
  assert.deepEqual(
    lines.map((line) => line['msg']),
    ['Logging Filter baseMessage'],
  );
});

test('CustomFilter needs no args and logs pre and post', () => {
  const { lines, logger } = captured();
  const custom = filter(customFilterFactory, 'CustomFilter', { logger });
  const ex = exchange();
  void custom.pre?.(ex);
  void custom.post?.(ex);
  assert.deepEqual(
    lines.map((line) => line['msg']),
    ['Custom PRE filter', 'Custom POST filter'],
  );
});

test('LoggingFilter has the highest precedence; GlobalFilter and CustomFilter keep their position', () => {
  assert.ok((filter(loggingFilterFactory, 'LoggingFilter').order ?? 0) < -2_000_000_000);
  assert.equal(filter(globalFilterFactory, 'GlobalFilter').order, undefined);
  assert.equal(filter(customFilterFactory, 'CustomFilter').order, undefined);
});

test('unknown arguments are rejected', () => {
  assert.throws(
    () => filter(loggingFilterFactory, { name: 'LoggingFilter', args: { message: 'x' } }),
    /unknown argument/,
  );
});
