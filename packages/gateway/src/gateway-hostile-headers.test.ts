import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SignJWT } from 'jose';
import {
  client,
  rawRequest,
  singleRoute,
  startGateway,
  startUpstream,
  type SeenRequest,
} from './internal/test-servers.js';

// Hostile-input suite: identity and address spoofing, header injection (reliability.md §1.5, §3.F 29).
const SECRET = 'hostile-headers-secret-0123456789-0123456789-0123456789-0123456789';

const bodyOf = (text: string): SeenRequest => {
  const body = text.slice(text.indexOf('\r\n\r\n') + 4);
  return JSON.parse(body.slice(body.indexOf('{'), body.lastIndexOf('}') + 1)) as SeenRequest;
};

test('client X-Forwarded-*, Forwarded, X-Real-IP, X-User-* and X-Internal-* are stripped when no proxy is trusted', async (t) => {
  const upstream = await startUpstream(t);
  const { url } = await startGateway(t, singleRoute(upstream.origin));
  const response = await client(t)(`${url}/x`, {
    headers: {
      'x-forwarded-for': '1.2.3.4',
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'https',
      forwarded: 'for=1.2.3.4;host=evil.example',
      'x-real-ip': '1.2.3.4',
      'x-user-id': 'admin',
      'x-user-roles': 'ADMIN',
      'x-internal-token': 'x',
    },
  });
  const seen = (await response.body.json()) as SeenRequest;
  for (const name of [
    'x-forwarded-for',
    'x-forwarded-host',
    'x-forwarded-proto',
    'forwarded',
    'x-real-ip',
    'x-user-id',
    'x-user-roles',
    'x-internal-token',
  ]) {
    assert.equal(seen.headers[name], undefined, name);
  }
});

test("with trusted proxies an untrusted peer's X-Forwarded-For is rebuilt from the socket", async (t) => {
  const upstream = await startUpstream(t);
  const { url } = await startGateway(t, singleRoute(upstream.origin), {
    settings: { trustedProxies: /^10\.0\.0\.\d+$/ },
  });
  const response = await client(t)(`${url}/x`, {
    headers: { 'x-forwarded-for': '1.2.3.4', 'x-user-id': 'admin' },
  });
  const seen = (await response.body.json()) as SeenRequest;
  assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
  assert.equal(seen.headers['x-forwarded-proto'], 'http');
  assert.match(
    String(seen.headers['forwarded']),
    /^proto=http;host="127\.0\.0\.1:\d+";for="127\.0\.0\.1:\d+"$/,
  );
  assert.equal(seen.headers['x-user-id'], undefined);
});

test("a trusted proxy's X-Forwarded-For is kept and the peer appended, with X-Forwarded-Prefix after StripPrefix", async (t) => {
  const upstream = await startUpstream(t);
  const { url } = await startGateway(
    t,
    singleRoute(upstream.origin, { predicates: ['Path=/prefix/**'], filters: ['StripPrefix=1'] }),
    {
      settings: { trustedProxies: /^127\.0\.0\.1$/ },
    },
  );
  const response = await client(t)(`${url}/prefix/get`, {
    headers: { 'x-forwarded-for': '203.0.113.9' },
  });
  const seen = (await response.body.json()) as SeenRequest;
  assert.equal(seen.url, '/get');
  assert.equal(seen.headers['x-forwarded-for'], '203.0.113.9, 127.0.0.1');
  assert.equal(seen.headers['x-forwarded-prefix'], '/prefix');
});

test('an incoming X-User-Id is replaced by the token subject, even if the client names it in Connection', async (t) => {
  const upstream = await startUpstream(t);
  const { port } = await startGateway(
    t,
    singleRoute(upstream.origin, { filters: ['AuthorizationHeaderFilter'] }),
    { settings: { jwt: { key: { secret: SECRET } } } },
  );
  const token = await new SignJWT({ sub: 'user-7' })
    .setProtectedHeader({ alg: 'HS512' })
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(SECRET));
  const text = await rawRequest(
    port,
    `GET /x HTTP/1.1\r\nHost: gw\r\nConnection: close, X-User-Id, Authorization-Extra\r\nX-User-Id: admin\r\nX-User-Id: root\r\nAuthorization: Bearer ${token}\r\n\r\n`,
  );
  assert.match(text, /^HTTP\/1\.1 200/);
  assert.equal(bodyOf(text).headers['x-user-id'], 'user-7');
});

test('a client Connection header cannot strip Authorization to bypass the filter', async (t) => {
  const upstream = await startUpstream(t);
  const { port } = await startGateway(
    t,
    singleRoute(upstream.origin, { filters: ['AuthorizationHeaderFilter'] }),
    { settings: { jwt: { key: { secret: SECRET } } } },
  );
  const text = await rawRequest(
    port,
    'GET /x HTTP/1.1\r\nHost: gw\r\nConnection: close, Authorization\r\nAuthorization: Bearer x.y.z\r\n\r\n',
  );
  assert.match(text, /^HTTP\/1\.1 401/);
  assert.equal(upstream.seen.length, 0);
});

test('CRLF in a request header is refused by the server and nothing is forwarded', async (t) => {
  const upstream = await startUpstream(t);
  const { port } = await startGateway(t, singleRoute(upstream.origin));
  const bareCr = await rawRequest(
    port,
    'GET /x HTTP/1.1\r\nHost: gw\r\nX-A: a\rX-Injected: 1\r\nConnection: close\r\n\r\n',
  );
  assert.match(bareCr, /^HTTP\/1\.1 400/);
  const folded = await rawRequest(
    port,
    'GET /x HTTP/1.1\r\nHost: gw\r\nX-A: a\r\n X-Injected: 1\r\nConnection: close\r\n\r\n',
  );
  assert.match(folded, /^HTTP\/1\.1 400/);
  assert.equal(upstream.seen.length, 0);
});

test('encoded CRLF in a path variable stays encoded in a generated header', async (t) => {
  const upstream = await startUpstream(t);
  const { url } = await startGateway(
    t,
    singleRoute(upstream.origin, {
      predicates: ['Path=/red/{segment}'],
      filters: ['AddRequestHeader=X-Seg, v-{segment}'],
    }),
  );
  const response = await client(t)(`${url}/red/a%0D%0AX-Injected:%201`);
  assert.equal(response.statusCode, 200);
  const seen = (await response.body.json()) as SeenRequest;
  assert.equal(seen.headers['x-seg'], 'v-a%0D%0AX-Injected:%201');
  assert.equal(seen.headers['x-injected'], undefined);
});

test('CRLF in a header value from configuration is refused at load', async () => {
  const { validateDefinitions } = await import('./internal/test-units.js');
  assert.throws(
    () =>
      validateDefinitions({
        routes: [
          {
            uri: 'http://127.0.0.1:1',
            filters: [
              { name: 'AddResponseHeader', args: { name: 'X', value: 'a\r\nSet-Cookie: x=1' } },
            ],
          },
        ],
      }),
    /not allowed in a header value/,
  );
});

test('paths that could escape the route or confuse the upstream get 400 and are never forwarded', async (t) => {
  const upstream = await startUpstream(t);
  const { port } = await startGateway(
    t,
    singleRoute(upstream.origin, { predicates: ['Path=/api/**'] }),
  );
  for (const target of [
    '/api/..%2f..%2fadmin',
    '/api/orders;jsessionid=x/../admin',
    '/api/%5c..%5cadmin',
    '/api/a%00b',
    '/api/../../etc',
    'http://127.0.0.2:1/api/x',
  ]) {
    const text = await rawRequest(
      port,
      `GET ${target} HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n`,
    );
    assert.match(text, /^HTTP\/1\.1 (400|404)/, target);
  }
  const text = await rawRequest(
    port,
    'GET //127.0.0.2/api/x HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n',
  );
  assert.match(text, /^HTTP\/1\.1 404/);
  assert.equal(upstream.seen.length, 0);
});

test('dot segments and unreserved escapes are normalised once, before matching and forwarding', async (t) => {
  const upstream = await startUpstream(t);
  const { url } = await startGateway(
    t,
    singleRoute(upstream.origin, { predicates: ['Path=/api/**'] }),
  );
  const response = await client(t)(`${url}/api/x/../%7Euser//%41?q=%2F`);
  const seen = (await response.body.json()) as SeenRequest;
  assert.equal(seen.url, '/api/~user/A?q=%2F');
});
