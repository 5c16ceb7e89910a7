#!/usr/bin/env node
// The upstream every candidate of bench/gateway calls: a plain node:http server on a free
// loopback port. A path ending in /large gets a 100 KiB JSON answer, any other path the issue's
// 982-byte JSON. Both bodies are built once. Sends its port to the parent over IPC.
import { createServer } from 'node:http';

/** A JSON document of exactly `size` bytes (a product list padded by its last field). */
export function jsonOfSize(size) {
  const items = [];
  let text = '';
  for (let i = 0; ; i++) {
    items.push({
      productId: `CATALOG-${String(i + 1).padStart(3, '0')}`,
      productName: 'Berlin',
      unitPrice: 1500,
      stock: 100,
      createdAt: '2025-01-01T00:00:00.000Z',
    });
    const next = JSON.stringify({ items, note: '' });
    if (next.length > size) {
      items.pop();
      break;
    }
    text = next;
  }
  const base = JSON.stringify({ items, note: '' });
  text = JSON.stringify({ items, note: 'x'.repeat(size - base.length) });
  if (Buffer.byteLength(text) !== size) throw new Error(`jsonOfSize(${size}) is ${text.length}`);
  return Buffer.from(text);
}

export const SMALL_BYTES = 982;
export const LARGE_BYTES = 100 * 1024;

if (process.send !== undefined) {
  const small = jsonOfSize(SMALL_BYTES);
  const large = jsonOfSize(LARGE_BYTES);
  const server = createServer((request, response) => {
    const body = request.url.endsWith('/large') ? large : small;
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    response.end(body);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
}
