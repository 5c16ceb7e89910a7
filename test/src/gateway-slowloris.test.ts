// Hostile-input suite: slowloris against the gateway (reliability.md §1.4 CVE-2018-12122, §3.F 32).
// Trickled headers are cut by the headers timeout and never reach the upstream; a trickled body
// is cut by the request timeout and the upstream never receives it whole; a normal client keeps
// being served meanwhile.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import Fastify from 'fastify';
import { createSilentLogger } from '@stratus/core';
import { createGateway } from '@stratus/gateway';
import { call, tempDir } from './support.js';

const logger = createSilentLogger();
const SOCKETS = 10;

async function setup(t: TestContext) {
  let started = 0;
  let completed = 0;
  const upstream = Fastify();
  upstream.removeAllContentTypeParsers();
  upstream.addContentTypeParser('*', (_request, _payload, done) => done(null));
  upstream.all('/*', async (request) => {
    started++;
    let bytes = 0;
    for await (const chunk of request.raw) bytes += (chunk as Buffer).length;
    if (bytes === Number(request.headers['content-length'] ?? 0)) completed++;
    return { bytes };
  });
  const origin = await upstream.listen({ host: '127.0.0.1', port: 0 });
  t.after(() => upstream.close());
  const gateway = await createGateway({
    argv: [
      '--server.port=0',
      '--server.address=127.0.0.1',
      '--eureka.client.enabled=false',
      '--spring.config.import=',
      `--stratus.data-dir=${await tempDir(t)}`,
      '--server.tomcat.connection-timeout=2s',
      '--stratus.server.request-timeout=3s',
      '--stratus.server.connections-checking-interval=500ms',
      '--spring.cloud.gateway.routes[0].id=upload',
      `--spring.cloud.gateway.routes[0].uri=${origin}`,
      '--spring.cloud.gateway.routes[0].predicates[0]=Path=/upload/**',
    ],
    env: {},
    logger,
  });
  t.after(() => gateway.close());
  await gateway.start();
  return { gateway, counts: () => ({ started, completed }) };
}

/** Opens sockets that send `head` at once, then one byte of `trickle` every 500 ms; resolves with how long each stayed open. */
function trickle(
  port: number,
  head: string,
  rest: string,
  maxMs: number,
): Promise<(number | null)[]> {
  return Promise.all(
    Array.from(
      { length: SOCKETS },
      () =>
        new Promise<number | null>((resolve) => {
          const socket = connect(port, '127.0.0.1');
          const opened = performance.now();
          let index = 0;
          let timer: NodeJS.Timeout | undefined;
          const giveUp = setTimeout(() => {
            clearInterval(timer);
            socket.removeAllListeners('close');
            socket.destroy();
            resolve(null);
          }, maxMs);
          socket.once('connect', () => {
            socket.write(head);
            timer = setInterval(() => {
              if (index < rest.length && socket.writable) socket.write(rest[index++] as string);
            }, 500);
          });
          socket.on('error', () => undefined);
          socket.once('close', () => {
            clearInterval(timer);
            clearTimeout(giveUp);
            resolve(performance.now() - opened);
          });
        }),
    ),
  );
}

test('trickled headers are cut by the headers timeout and nothing reaches the upstream', async (t) => {
  const { gateway, counts } = await setup(t);
  const attack = trickle(
    gateway.port,
    'P',
    'OST /upload/x HTTP/1.1\r\nHost: g\r\nX-Slow: ' + 'a'.repeat(100),
    12_000,
  );
  const normal = await call(`${gateway.url}/upload/ok`);
  assert.equal(normal.status, 200);
  const closedAfter = await attack;
  assert.ok(
    closedAfter.every((ms) => ms !== null && ms < 10_000),
    JSON.stringify(closedAfter),
  );
  assert.equal(counts().started, 1, 'only the normal request reached the upstream');
});

test('a trickled body is cut by the request timeout and the upstream never receives it whole', async (t) => {
  const { gateway, counts } = await setup(t);
  const head = 'POST /upload/x HTTP/1.1\r\nHost: g\r\nContent-Length: 100\r\n\r\n';
  const attack = trickle(gateway.port, head, 'b'.repeat(100), 15_000);
  const normal = await call(`${gateway.url}/upload/ok`);
  assert.equal(normal.status, 200);
  const closedAfter = await attack;
  assert.ok(
    closedAfter.every((ms) => ms !== null && ms < 12_000),
    JSON.stringify(closedAfter),
  );
  assert.equal(counts().completed, 1, 'only the normal request arrived whole');
});
