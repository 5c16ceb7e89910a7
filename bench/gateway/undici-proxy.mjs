#!/usr/bin/env node
// The floor of what Node can do as a proxy: node:http in, undici's stream() out over a
// keep-alive Agent, the first path segment stripped (`StripPrefix=1`), hop-by-hop headers not
// forwarded, nothing else. Under /jwt/ it first verifies `Authorization: Bearer` with jose
// (HS512, key imported once) and sends the subject as X-User-Id, as the gateway's filter does.
// Usage (forked by run.mjs): undici-proxy.mjs <upstream origin> <token secret>; sends its port.
import { createServer } from 'node:http';
import { Agent, stream } from 'undici';
import { jwtVerify } from 'jose';

const [origin, secret] = process.argv.slice(2);
const dispatcher = new Agent({ keepAliveTimeout: 60_000 });
const key = await crypto.subtle.importKey(
  'raw',
  new TextEncoder().encode(secret),
  { name: 'HMAC', hash: 'SHA-512' },
  false,
  ['verify'],
);
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'upgrade', 'host']);

function forward(request, response, path, userId) {
  const headers = {};
  for (const name in request.headers) if (!HOP.has(name)) headers[name] = request.headers[name];
  if (userId !== undefined) headers['x-user-id'] = userId;
  stream(
    origin,
    {
      path,
      method: request.method,
      headers,
      body: request.method === 'GET' ? null : request,
      dispatcher,
    },
    ({ statusCode, headers: upstream }) => {
      for (const name in upstream) if (HOP.has(name)) delete upstream[name];
      response.writeHead(statusCode, upstream);
      return response;
    },
  ).catch(() => {
    if (!response.headersSent) response.writeHead(502).end();
    else response.destroy();
  });
}

const server = createServer((request, response) => {
  const url = request.url;
  const slash = url.indexOf('/', 1);
  const path = slash === -1 ? '/' : url.slice(slash);
  if (!url.startsWith('/jwt/')) return forward(request, response, path, undefined);
  const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
  if (token === undefined) return response.writeHead(401).end();
  jwtVerify(token, key, { algorithms: ['HS512'], requiredClaims: ['exp', 'sub'] }).then(
    ({ payload }) => forward(request, response, path, payload.sub),
    () => response.writeHead(401).end(),
  );
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
