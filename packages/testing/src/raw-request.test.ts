import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rawRequest } from './index.js';

test('rawRequest sends a hostile path byte for byte and returns status, headers and body', async (t) => {
  const seen: Array<string | undefined> = [];
  const server = createServer((req, res) => {
    seen.push(req.url);
    res.setHeader('x-seen', 'yes');
    res.end(`${req.method} ${req.headers['x-test'] ?? ''}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  const path = '/a/../..%252F..%252Fetc%252Fpasswd%23x/b/./c';
  const res = await rawRequest(port, 'POST', path, { headers: { 'x-test': 't' }, body: 'x' });
  assert.deepEqual(seen, [path], 'fetch() would have normalized /../ and /./');
  assert.equal(res.status, 200);
  assert.equal(res.headers['x-seen'], 'yes');
  assert.equal(res.body, 'POST t');
});
