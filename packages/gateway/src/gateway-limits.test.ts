// Hostile-input suite: header and body limits (reliability.md §1.5, §3.F 31). Oversized input
// gets its 4xx before the upstream sees a byte of it.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import {
  client,
  rawRequest,
  singleRoute,
  startGateway,
  startUpstream,
} from './internal/test-servers.js';

test('headers over 16 KiB in all get 431 from the server; nothing is forwarded', async (t) => {
  const upstream = await startUpstream(t);
  const { port } = await startGateway(t, singleRoute(upstream.origin));
  const text = await rawRequest(
    port,
    `GET /x HTTP/1.1\r\nHost: g\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`,
  );
  assert.match(text, /^HTTP\/1\.1 431 /);
  assert.equal(upstream.seen.length, 0);
});

test('RequestHeaderSize bounds each header of a route', async (t) => {
  const upstream = await startUpstream(t);
  const { url } = await startGateway(
    t,
    singleRoute(upstream.origin, { filters: ['RequestHeaderSize=2KB'] }),
  );
  const request = client(t);
  const big = await request(`${url}/x`, { headers: { cookie: 'c'.repeat(3000) } });
  assert.equal(big.statusCode, 431);
  assert.equal(((await big.body.json()) as { code: string }).code, 'GW_ERR_HEADERS_TOO_LARGE');
  const small = await request(`${url}/x`, { headers: { cookie: 'c'.repeat(1000) } });
  assert.equal(small.statusCode, 200);
  await small.body.dump();
  assert.equal(upstream.seen.length, 1);
});

test('a declared body over the limit gets 413 before the client sent it, and the connection closes', async (t) => {
  const upstream = await startUpstream(t);
  const { port } = await startGateway(t, singleRoute(upstream.origin), {
    settings: { maxBodyBytes: 64 * 1024 },
  });
  const answer = await new Promise<{ text: string; sentBytes: number }>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let sentBytes = 0;
    let writer: NodeJS.Timeout | undefined;
    socket.once('connect', () => {
      socket.write('POST /x HTTP/1.1\r\nHost: g\r\nContent-Length: 104857600\r\n\r\n');
      // Send the 100 MiB body slowly; the answer must come long before it is done.
      writer = setInterval(() => {
        if (socket.writable) {
          socket.write(Buffer.alloc(16 * 1024, 1));
          sentBytes += 16 * 1024;
        }
      }, 5);
    });
    socket.on('data', (chunk) => (text += String(chunk)));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(writer);
      resolve({ text, sentBytes });
    });
    setTimeout(() => {
      clearInterval(writer);
      socket.destroy();
      reject(new Error('the gateway did not answer'));
    }, 20_000).unref();
  });
  assert.match(answer.text, /^HTTP\/1\.1 413 /);
  assert.match(answer.text, /connection: close/i);
  assert.ok(answer.sentBytes < 100 * 1024 * 1024, 'answered before the body was sent');
  assert.equal(upstream.seen.length, 0);
});

test('a chunked body growing over the route limit is cut off: the upstream never gets it whole', async (t) => {
  let completeBodies = 0;
  const upstream = await startUpstream(t, async (request, reply) => {
    let bytes = 0;
    try {
      for await (const chunk of request.raw) bytes += (chunk as Buffer).length;
      if (bytes > 2048) completeBodies++;
    } catch {
      // the gateway aborted the forwarded request
    }
    return reply.send('ok');
  });
  const { port } = await startGateway(
    t,
    singleRoute(upstream.origin, { filters: ['RequestSize=2KB'] }),
  );
  const chunk = `${(1024).toString(16)}\r\n${'a'.repeat(1024)}\r\n`;
  const text = await rawRequest(
    port,
    `POST /x HTTP/1.1\r\nHost: g\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunk.repeat(4)}0\r\n\r\n`,
  );
  assert.match(text, /^HTTP\/1\.1 413 /);
  assert.equal(completeBodies, 0);
});

test('malformed JSON and prototype-poisoning bodies are passed through as bytes, never parsed by the gateway', async (t) => {
  const upstream = await startUpstream(t);
  const { url } = await startGateway(t, singleRoute(upstream.origin));
  const response = await client(t)(`${url}/x`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"__proto__":{"admin":true},',
  });
  assert.equal(response.statusCode, 200);
  await response.body.dump();
  assert.equal(upstream.seen[0]?.bodyBytes, 28);
  assert.equal(({} as { admin?: boolean }).admin, undefined);
});
