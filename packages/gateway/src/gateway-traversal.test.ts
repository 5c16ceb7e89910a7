// Hostile-input suite: path traversal and upstream selection (reliability.md §1.5, §3.F 30).
// The seed's route `/user-service/**` → `RewritePath=/user-service/(?<segment>.*), /$\{segment}`
// must never reach anything but its own upstream's paths, and a canary listening on another
// loopback port must never see a request, whatever the target or Host says.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { rawRequest, startGateway, startUpstream, type Upstream } from './internal/test-servers.js';

async function setup(
  t: TestContext,
): Promise<{ port: number; upstream: Upstream; canary: Upstream }> {
  const upstream = await startUpstream(t);
  const canary = await startUpstream(t);
  const { port } = await startGateway(t, {
    routes: [
      {
        id: 'user-service',
        uri: upstream.origin,
        predicates: ['Path=/user-service/**'],
        filters: ['RewritePath=/user-service/(?<segment>.*), /$\\{segment}'],
      },
    ],
  });
  return { port, upstream, canary };
}

const send = (port: number, target: string, host = 'gateway') =>
  rawRequest(port, `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);

test('encoded dots and slashes cannot escape the route', async (t) => {
  const { port, upstream } = await setup(t);
  for (const target of [
    '/user-service/..%2fadmin',
    '/user-service/..%2Fadmin',
    '/user-service/%2e%2e%2fadmin',
    '/user-service/..%5cadmin',
    '/user-service/..\\admin',
    '/user-service/%2e%2e/%2e%2e/admin',
    '/user-service/../../admin',
    '/user-service/users%00.json',
    '/user-service/users;jsessionid=x/../../admin',
  ]) {
    const text = await send(port, target);
    assert.match(text, /^HTTP\/1\.1 (400|404) /, target);
    assert.match(text, /application\/problem\+json/, target);
  }
  // A malformed escape is refused by the router itself (fastify's 400), before the gateway.
  assert.match(await send(port, '/user-service/%zz'), /^HTTP\/1\.1 400 /);
  assert.equal(upstream.seen.length, 0);
});

test('dot segments resolve inside the route, once: the upstream sees the normalised path only', async (t) => {
  const { port, upstream } = await setup(t);
  assert.match(await send(port, '/user-service/a/%2e%2e/users/1'), /^HTTP\/1\.1 200 /);
  assert.match(await send(port, '/user-service/..%252fadmin'), /^HTTP\/1\.1 200 /);
  assert.deepEqual(
    upstream.seen.map((seen) => seen.url),
    ['/users/1', '/..%252fadmin'],
    'a double-encoded slash stays encoded: it is a name, never a separator upstream',
  );
});

test('an absolute-form target, a Host header or a scheme-relative path never chooses the upstream', async (t) => {
  const { port, upstream, canary } = await setup(t);
  const canaryHost = new URL(canary.origin).host;
  for (const text of [
    await send(port, `${canary.origin}/user-service/x`),
    await send(port, `//${canaryHost}/user-service/x`),
    await send(port, `http://${canaryHost}/`),
    await send(port, '/user-service/x', canaryHost),
    await send(port, '/user-service/@evil.example/x'),
  ]) {
    assert.match(text, /^HTTP\/1\.1 (200|400|404) /);
  }
  assert.equal(canary.seen.length, 0, 'nothing reached the canary');
  for (const seen of upstream.seen) {
    assert.ok(seen.url.startsWith('/'), seen.url);
    assert.notEqual(seen.headers['host'], canaryHost, 'the client Host is not sent upstream');
  }
});
