import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { test, type TestContext } from 'node:test';
import { startGateway } from './internal/test-servers.js';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const accept = (key: string) =>
  createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');

/** A WebSocket upstream that completes the handshake and echoes every byte after it (a tunnel test). */
async function startEchoUpstream(t: TestContext) {
  const handshakes: IncomingMessage[] = [];
  const upgraded = new Set<Socket>();
  const server = createServer((_request, response) => response.end('plain'));
  server.on('upgrade', (request: IncomingMessage, socket: Socket) => {
    handshakes.push(request);
    upgraded.add(socket);
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept(String(request.headers['sec-websocket-key']))}\r\n\r\n`,
    );
    socket.on('data', (chunk) => socket.write(chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    // Upgraded sockets are not the HTTP server's any more: end them, or close() waits forever.
    for (const socket of upgraded) socket.destroy();
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as { port: number };
  return { origin: `http://127.0.0.1:${port}`, handshakes };
}

/** Opens a socket, sends the handshake, resolves with the response head and the socket. */
function handshake(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ head: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    const extra = Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    socket.on('error', reject);
    socket.once('connect', () =>
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: gateway\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`,
      ),
    );
    const onData = (chunk: Buffer) => {
      data += chunk.toString('latin1');
      const end = data.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      resolve({ head: data.slice(0, end), socket });
    };
    socket.on('data', onData);
    setTimeout(
      () => reject(new Error(`no handshake answer: ${JSON.stringify(data)}`)),
      10_000,
    ).unref();
  });
}

const nextData = (socket: Socket): Promise<string> =>
  new Promise((resolve) => socket.once('data', (chunk: Buffer) => resolve(chunk.toString())));

test('a WebSocket upgrade is routed, filtered and tunnelled both ways', async (t) => {
  const upstream = await startEchoUpstream(t);
  const { port } = await startGateway(t, {
    routes: [
      {
        id: 'ws',
        uri: upstream.origin.replace('http:', 'ws:'),
        predicates: ['Path=/ws/**'],
        filters: ['StripPrefix=1', 'AddRequestHeader=X-Gateway, stratus'],
      },
    ],
  });
  const { head, socket } = await handshake(port, '/ws/chat');
  t.after(() => socket.destroy());
  assert.match(head, /^HTTP\/1\.1 101 /);
  assert.match(
    head,
    new RegExp(`sec-websocket-accept: ${accept(KEY).replace(/[+/=]/g, '\\$&')}`, 'i'),
  );
  socket.write('hello');
  assert.equal(await nextData(socket), 'hello');
  assert.equal(upstream.handshakes[0]?.url, '/chat');
  assert.equal(upstream.handshakes[0]?.headers['x-gateway'], 'stratus');
});

test('a WebSocket route refuses an unauthenticated upgrade with a 401 problem, never reaching the upstream', async (t) => {
  const upstream = await startEchoUpstream(t);
  const { port } = await startGateway(
    t,
    {
      routes: [
        {
          id: 'ws',
          uri: upstream.origin,
          predicates: ['Path=/ws/**'],
          filters: ['AuthorizationHeaderFilter'],
        },
      ],
    },
    {
      settings: {
        jwt: {
          key: { secret: 'ws-secret-ws-secret-ws-secret-ws-secret-ws-secret-ws-secret-0001' },
        },
      },
    },
  );
  const { head, socket } = await handshake(port, '/ws/chat', { authorization: 'Bearer x.y.z' });
  t.after(() => socket.destroy());
  assert.match(head, /^HTTP\/1\.1 401 /);
  assert.match(head, /content-type: application\/problem\+json/i);
  assert.equal(upstream.handshakes.length, 0);
});

test('an Upgrade other than websocket, and an upgrade no route matches, are refused', async (t) => {
  const upstream = await startEchoUpstream(t);
  const { port } = await startGateway(t, {
    routes: [{ id: 'ws', uri: upstream.origin, predicates: ['Path=/ws/**'] }],
  });
  const h2c = await new Promise<string>((resolve) => {
    const socket = connect(port, '127.0.0.1', () =>
      socket.write('GET /ws/x HTTP/1.1\r\nHost: g\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n'),
    );
    let data = '';
    socket.on('data', (chunk) => (data += String(chunk)));
    socket.on('close', () => resolve(data));
  });
  assert.match(h2c, /^HTTP\/1\.1 400 /);
  const { head, socket } = await handshake(port, '/elsewhere');
  t.after(() => socket.destroy());
  assert.match(head, /^HTTP\/1\.1 404 /);
  assert.equal(upstream.handshakes.length, 0);
});
