import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@stratus/core';
import { parseServiceUrl } from './service-url.js';
import { createTransport } from './transport.js';

test('a registry call made inside a request runs outside its context (no span of the request is its parent)', async (t) => {
  const server = createServer((_request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end('{"applications":{"application":[]}}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const { port } = server.address() as AddressInfo;

  // What tracing reads when undici creates a request: the caller's async context.
  const requestContext = new AsyncLocalStorage<string>();
  const seen: Array<string | undefined> = [];
  const onCreate = (): void => void seen.push(requestContext.getStore());
  subscribe('undici:request:create', onCreate);
  t.after(() => unsubscribe('undici:request:create', onCreate));

  const transport = createTransport([parseServiceUrl(`http://127.0.0.1:${port}/eureka/`)!], {
    requestTimeoutMs: 2_000,
    maxResponseBytes: 1 << 20,
    logger: createLogger({ name: 'test', level: 'silent' }),
  });
  t.after(() => transport.close());
  const response = await requestContext.run('GET /users/42', () =>
    transport.send({ method: 'GET', path: 'apps/delta' }),
  );
  assert.equal(response?.status, 200);
  assert.deepEqual(seen, [undefined]);
});
