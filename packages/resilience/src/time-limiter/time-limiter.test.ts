import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTimeLimiter } from './time-limiter.js';

test('aborts the call’s AbortSignal when the time is up and fails with RES_ERR_TIMEOUT', async () => {
  const limiter = createTimeLimiter('orders', { timeoutDurationMs: 50 });
  const events: string[] = [];
  limiter.onEvent((e) => events.push(e.type));
  let seen: AbortSignal | undefined;
  const started = Date.now();
  await assert.rejects(
    limiter.execute((signal) => {
      seen = signal;
      return new Promise((_, reject) =>
        signal.addEventListener('abort', () => reject(signal.reason)),
      );
    }),
    { code: 'RES_ERR_TIMEOUT', httpStatus: 504, name: 'TimeoutError' },
  );
  assert.equal(seen?.aborted, true);
  assert.equal((seen?.reason as { code?: string }).code, 'RES_ERR_TIMEOUT');
  assert.ok(Date.now() - started < 2000);
  assert.deepEqual(events, ['TIMEOUT']);
});

test('closes the upstream socket when a real HTTP call times out', async (t) => {
  let closed!: () => void;
  const socketClosed = new Promise<void>((resolve) => (closed = resolve));
  const server: Server = createServer((req) => req.socket.on('close', closed)); // never answers
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  const limiter = createTimeLimiter('slow-upstream', { timeoutDurationMs: 100 });
  const get = (signal: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/', signal }, (res) =>
        res.resume().on('end', resolve),
      );
      req.on('error', reject);
      req.end();
    });
  await assert.rejects(limiter.execute(get), { code: 'RES_ERR_TIMEOUT' });
  const timer = setTimeout(() => assert.fail('socket still open 2 s after the timeout'), 2000);
  await socketClosed;
  clearTimeout(timer);
});

test('with cancelRunningFuture false the call times out but its signal is left alone', async () => {
  const limiter = createTimeLimiter('orders', {
    timeoutDurationMs: 20,
    cancelRunningFuture: false,
  });
  let seen: AbortSignal | undefined;
  await assert.rejects(
    limiter.execute((signal) => {
      seen = signal;
      return new Promise(() => {});
    }),
    { code: 'RES_ERR_TIMEOUT' },
  );
  assert.equal(seen?.aborted, false);
});

test('passes results and errors through in time, and the caller’s abort reaches the call', async () => {
  const limiter = createTimeLimiter('orders', { timeoutDurationMs: 1000 });
  assert.equal(await limiter.execute(async () => 'ok'), 'ok');
  await assert.rejects(
    limiter.execute(async () => {
      throw new RangeError('bad');
    }),
    RangeError,
  );
  const caller = new AbortController();
  const pending = limiter.execute(
    (signal) =>
      new Promise((_, reject) =>
        signal.addEventListener('abort', () => reject(new Error('aborted by caller'))),
      ),
    caller.signal,
  );
  caller.abort();
  await assert.rejects(pending, /aborted by caller/);
});
