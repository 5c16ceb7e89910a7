// Each predicate and filter against Spring Cloud Gateway's documented semantics, with the YAML of
// its reference page (spring-cloud-gateway-server-webflux/*-factory.adoc) as written there, the
// upstream swapped for a local one. One real gateway and upstream per row.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parse as parseYaml } from 'yaml';
import { client, startGateway, startUpstream, type SeenRequest } from './internal/test-servers.js';

/** Upstream: describes the request; `x-test-respond` (JSON) sets response headers, `x-test-status` the status. */
async function echo(request: FastifyRequest, reply: FastifyReply, seen: SeenRequest[]) {
  for await (const chunk of request.raw) void chunk;
  const entry = {
    method: request.method,
    url: request.url,
    headers: { ...request.headers },
    bodyBytes: 0,
  };
  seen.push(entry);
  const respond = request.headers['x-test-respond'];
  if (typeof respond === 'string') {
    for (const [name, value] of Object.entries(
      JSON.parse(respond) as Record<string, string | string[]>,
    ))
      reply.header(name, value);
  }
  return reply.code(Number(request.headers['x-test-status'] ?? 200)).send(entry);
}

interface Outcome {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly seen: SeenRequest | undefined;
}

interface Row {
  readonly name: string;
  /** The route body as in Spring's docs (predicates/filters lines); `uri` is added. */
  readonly yaml: string;
  readonly request: {
    path: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
  };
  readonly expect: (outcome: Outcome) => void;
  readonly settings?: Record<string, unknown>;
}

const routed = (outcome: Outcome): SeenRequest => {
  assert.equal(outcome.status, 200, 'the request reaches the upstream');
  assert.ok(outcome.seen);
  return outcome.seen;
};
const notRouted = (outcome: Outcome): void => {
  assert.equal(outcome.status, 404);
  assert.equal(outcome.seen, undefined);
};

const PREDICATES: readonly Row[] = [
  {
    name: 'After',
    yaml: 'predicates:\n- After=2017-01-20T17:42:47.789-07:00[America/Denver]',
    request: { path: '/' },
    expect: routed,
  },
  {
    name: 'Before',
    yaml: 'predicates:\n- Before=2017-01-20T17:42:47.789-07:00[America/Denver]',
    request: { path: '/' },
    expect: notRouted,
  },
  {
    name: 'Between',
    yaml: 'predicates:\n- Between=2017-01-20T17:42:47.789-07:00[America/Denver], 2017-01-21T17:42:47.789-07:00[America/Denver]',
    request: { path: '/' },
    expect: notRouted,
  },
  {
    name: 'Cookie (shortcut)',
    yaml: 'predicates:\n- Cookie=chocolate, ch.p',
    request: { path: '/', headers: { cookie: 'chocolate=chip' } },
    expect: routed,
  },
  {
    name: 'Cookie full match',
    yaml: 'predicates:\n- Cookie=chocolate, ch.p',
    request: { path: '/', headers: { cookie: 'chocolate=chips' } },
    expect: notRouted,
  },
  {
    name: 'Cookie (expanded)',
    yaml: 'predicates:\n- name: Cookie\n  args:\n    name: mycookie\n    regexp: mycookievalue',
    request: { path: '/', headers: { cookie: 'mycookie=mycookievalue' } },
    expect: routed,
  },
  {
    name: 'Header',
    yaml: 'predicates:\n- Header=X-Request-Id, \\d+',
    request: { path: '/', headers: { 'x-request-id': '123' } },
    expect: routed,
  },
  {
    name: 'Header no match',
    yaml: 'predicates:\n- Header=X-Request-Id, \\d+',
    request: { path: '/', headers: { 'x-request-id': 'abc' } },
    expect: notRouted,
  },
  {
    name: 'Host',
    yaml: 'predicates:\n- Host=**.somehost.org,**.anotherhost.org',
    request: { path: '/', headers: { host: 'www.somehost.org' } },
    expect: routed,
  },
  {
    name: 'Host no match',
    yaml: 'predicates:\n- Host=**.somehost.org,**.anotherhost.org',
    request: { path: '/', headers: { host: 'evil.org' } },
    expect: notRouted,
  },
  {
    name: 'Method',
    yaml: 'predicates:\n- Method=GET,POST',
    request: { path: '/', method: 'POST', body: 'x' },
    expect: routed,
  },
  {
    name: 'Method no match',
    yaml: 'predicates:\n- Method=GET,POST',
    request: { path: '/', method: 'DELETE' },
    expect: notRouted,
  },
  {
    name: 'Path with URI variables',
    yaml: 'predicates:\n- Path=/red/{segment},/blue/{segment}\nfilters:\n- AddRequestHeader=X-Segment, {segment}',
    request: { path: '/blue/green' },
    expect: (o) => assert.equal(routed(o).headers['x-segment'], 'green'),
  },
  {
    name: 'Query (present)',
    yaml: 'predicates:\n- Query=green',
    request: { path: '/?green=1' },
    expect: routed,
  },
  {
    name: 'Query (regexp)',
    yaml: 'predicates:\n- Query=red, gree.',
    request: { path: '/?red=greet' },
    expect: routed,
  },
  {
    name: 'Query no match',
    yaml: 'predicates:\n- Query=red, gree.',
    request: { path: '/?red=green!' },
    expect: notRouted,
  },
  {
    name: 'RemoteAddr no match',
    yaml: 'predicates:\n- RemoteAddr=192.168.1.1/24',
    request: { path: '/' },
    expect: notRouted,
  },
  {
    name: 'RemoteAddr',
    yaml: 'predicates:\n- RemoteAddr=127.0.0.1/8',
    request: { path: '/' },
    expect: routed,
  },
  {
    name: 'XForwardedRemoteAddr behind a trusted proxy',
    yaml: 'predicates:\n- XForwardedRemoteAddr=192.168.1.1/24',
    request: { path: '/', headers: { 'x-forwarded-for': '192.168.1.10' } },
    settings: { trustedProxies: /^127\.0\.0\.1$/ },
    expect: routed,
  },
  {
    name: 'XForwardedRemoteAddr ignores an untrusted peer',
    yaml: 'predicates:\n- XForwardedRemoteAddr=192.168.1.1/24',
    request: { path: '/', headers: { 'x-forwarded-for': '192.168.1.10' } },
    expect: notRouted,
  },
];

const FILTERS: readonly Row[] = [
  {
    name: 'AddRequestHeader',
    yaml: 'filters:\n- AddRequestHeader=X-Request-red, blue',
    request: { path: '/' },
    expect: (o) => assert.equal(routed(o).headers['x-request-red'], 'blue'),
  },
  {
    name: 'AddRequestHeadersIfNotPresent',
    yaml: 'filters:\n- AddRequestHeadersIfNotPresent=X-Request-Color-1:blue,X-Request-Color-2:green',
    request: { path: '/', headers: { 'x-request-color-1': 'red' } },
    expect: (o) => {
      assert.equal(routed(o).headers['x-request-color-1'], 'red');
      assert.equal(o.seen?.headers['x-request-color-2'], 'green');
    },
  },
  {
    name: 'AddRequestParameter',
    yaml: 'filters:\n- AddRequestParameter=red, blue',
    request: { path: '/p?a=1' },
    expect: (o) => assert.equal(routed(o).url, '/p?a=1&red=blue'),
  },
  {
    name: 'AddResponseHeader',
    yaml: 'filters:\n- AddResponseHeader=X-Response-Red, Blue',
    request: { path: '/' },
    expect: (o) => assert.equal(o.headers['x-response-red'], 'Blue'),
  },
  {
    name: 'AddResponseHeader override=false',
    yaml: 'filters:\n- AddResponseHeader=X-Response-Red, Blue, false',
    request: { path: '/', headers: { 'x-test-respond': '{"x-response-red":"Up"}' } },
    expect: (o) => assert.equal(o.headers['x-response-red'], 'Up'),
  },
  {
    name: 'SetRequestHeader',
    yaml: 'filters:\n- SetRequestHeader=X-Request-Red, Blue',
    request: { path: '/', headers: { 'x-request-red': 'old' } },
    expect: (o) => assert.equal(routed(o).headers['x-request-red'], 'Blue'),
  },
  {
    name: 'SetResponseHeader',
    yaml: 'filters:\n- SetResponseHeader=X-Response-Red, Blue',
    request: { path: '/', headers: { 'x-test-respond': '{"x-response-red":"1234"}' } },
    expect: (o) => assert.equal(o.headers['x-response-red'], 'Blue'),
  },
  {
    name: 'RemoveRequestHeader',
    yaml: 'filters:\n- RemoveRequestHeader=X-Request-Foo',
    request: { path: '/', headers: { 'x-request-foo': 'x' } },
    expect: (o) => assert.equal(routed(o).headers['x-request-foo'], undefined),
  },
  {
    name: 'RemoveResponseHeader',
    yaml: 'filters:\n- RemoveResponseHeader=X-Response-Foo',
    request: { path: '/', headers: { 'x-test-respond': '{"x-response-foo":"x"}' } },
    expect: (o) => assert.equal(o.headers['x-response-foo'], undefined),
  },
  {
    name: 'RemoveRequestParameter',
    yaml: 'filters:\n- RemoveRequestParameter=red',
    request: { path: '/p?red=1&blue=2&red=3' },
    expect: (o) => assert.equal(routed(o).url, '/p?blue=2'),
  },
  {
    name: 'RewriteRequestParameter',
    yaml: 'predicates:\n- Path=/products\nfilters:\n- RewriteRequestParameter=campaign,fall2023',
    request: { path: '/products?campaign=old' },
    expect: (o) => assert.equal(routed(o).url, '/products?campaign=fall2023'),
  },
  {
    name: 'MapRequestHeader',
    yaml: 'filters:\n- MapRequestHeader=Blue, X-Request-Red',
    request: { path: '/', headers: { blue: 'sky' } },
    expect: (o) => assert.equal(routed(o).headers['x-request-red'], 'sky'),
  },
  {
    name: 'RewritePath',
    yaml: 'predicates:\n- Path=/red/**\nfilters:\n- RewritePath=/red/?(?<segment>.*), /$\\{segment}',
    request: { path: '/red/blue' },
    expect: (o) => assert.equal(routed(o).url, '/blue'),
  },
  {
    name: 'RewriteResponseHeader',
    yaml: 'filters:\n- RewriteResponseHeader=X-Response-Red, , password=[^&]+, password=***',
    request: {
      path: '/',
      headers: {
        'x-test-respond': '{"x-response-red":"/42?user=ford&password=omg!what&flag=true"}',
      },
    },
    expect: (o) =>
      assert.equal(o.headers['x-response-red'], '/42?user=ford&password=***&flag=true'),
  },
  {
    name: 'RewriteLocationResponseHeader',
    yaml: 'filters:\n- RewriteLocationResponseHeader=AS_IN_REQUEST, Location, ,',
    request: {
      path: '/some/object/name',
      headers: {
        host: 'api.example.com:443',
        'x-test-respond':
          '{"location":"https://object-service.prod.example.net/v2/some/object/id"}',
      },
    },
    expect: (o) =>
      assert.equal(o.headers['location'], 'https://api.example.com:443/some/object/id'),
  },
  {
    name: 'StripPrefix',
    yaml: 'predicates:\n- Path=/name/**\nfilters:\n- StripPrefix=2',
    request: { path: '/name/blue/red' },
    expect: (o) => assert.equal(routed(o).url, '/red'),
  },
  {
    name: 'PrefixPath',
    yaml: 'filters:\n- PrefixPath=/mypath',
    request: { path: '/hello' },
    expect: (o) => assert.equal(routed(o).url, '/mypath/hello'),
  },
  {
    name: 'SetPath',
    yaml: 'predicates:\n- Path=/red/{segment}\nfilters:\n- SetPath=/{segment}',
    request: { path: '/red/blue' },
    expect: (o) => assert.equal(routed(o).url, '/blue'),
  },
  {
    name: 'PreserveHostHeader',
    yaml: 'filters:\n- PreserveHostHeader',
    request: { path: '/', headers: { host: 'public.example.org' } },
    expect: (o) => assert.equal(routed(o).headers['host'], 'public.example.org'),
  },
  {
    name: 'SetRequestHostHeader',
    yaml: 'predicates:\n- Path=/headers\nfilters:\n- name: SetRequestHostHeader\n  args:\n    host: example.org',
    request: { path: '/headers', headers: { host: 'public.example.org' } },
    expect: (o) => assert.equal(routed(o).headers['host'], 'example.org'),
  },
  {
    name: 'RedirectTo',
    yaml: 'filters:\n- RedirectTo=302, https://acme.org',
    request: { path: '/' },
    expect: (o) => {
      assert.equal(o.status, 302);
      assert.equal(o.headers['location'], 'https://acme.org');
      assert.equal(o.seen, undefined);
    },
  },
  {
    name: 'RedirectTo includeRequestParams',
    yaml: 'filters:\n- RedirectTo=302, https://acme.org, true',
    request: { path: '/?skip=10' },
    expect: (o) => assert.equal(o.headers['location'], 'https://acme.org?skip=10'),
  },
  {
    name: 'SetStatus (name)',
    yaml: 'filters:\n- SetStatus=UNAUTHORIZED',
    request: { path: '/' },
    expect: (o) => assert.equal(o.status, 401),
  },
  {
    name: 'SetStatus (code) with original-status-header-name',
    yaml: 'filters:\n- SetStatus=401',
    request: { path: '/' },
    settings: { originalStatusHeaderName: 'original-http-status' },
    expect: (o) => {
      assert.equal(o.status, 401);
      assert.equal(o.headers['original-http-status'], '200');
    },
  },
  {
    name: 'RequestSize (expanded)',
    yaml: 'filters:\n- name: RequestSize\n  args:\n    maxSize: 5000',
    request: { path: '/', method: 'POST', body: 'x'.repeat(6000) },
    expect: (o) => {
      assert.equal(o.status, 413);
      assert.equal(
        o.headers['errormessage'],
        'Request size is larger than permissible limit. Request size is 6.0 KB where permissible limit is 5.0 KB',
      );
      assert.equal(o.seen, undefined);
    },
  },
  {
    name: 'RequestHeaderSize',
    yaml: 'filters:\n- RequestHeaderSize=1000B',
    request: { path: '/', headers: { 'x-big': 'b'.repeat(1100) } },
    expect: (o) => {
      assert.equal(o.status, 431);
      assert.match(
        String(o.headers['errormessage']),
        /Request Header\/s size is larger than permissible limit \(1000B\)\. Request Header\/s size for 'x-big' is 1105B\./,
      );
      assert.equal(o.seen, undefined);
    },
  },
  {
    name: 'DedupeResponseHeader',
    yaml: 'filters:\n- DedupeResponseHeader=Access-Control-Allow-Credentials Access-Control-Allow-Origin',
    request: {
      path: '/',
      headers: {
        'x-test-respond':
          '{"access-control-allow-credentials":["true","true"],"access-control-allow-origin":["https://musk.mars","https://musk.mars"]}',
      },
    },
    expect: (o) => {
      assert.equal(o.headers['access-control-allow-credentials'], 'true');
      assert.equal(o.headers['access-control-allow-origin'], 'https://musk.mars');
    },
  },
  {
    name: 'DedupeResponseHeader RETAIN_LAST',
    yaml: 'filters:\n- DedupeResponseHeader=Access-Control-Allow-Credentials, RETAIN_LAST',
    request: {
      path: '/',
      headers: { 'x-test-respond': '{"access-control-allow-credentials":["true","false"]}' },
    },
    expect: (o) => assert.equal(o.headers['access-control-allow-credentials'], 'false'),
  },
  {
    name: 'SecureHeaders',
    yaml: 'filters:\n- SecureHeaders',
    request: { path: '/', headers: { 'x-test-respond': '{"x-frame-options":"SAMEORIGIN"}' } },
    expect: (o) => {
      assert.equal(o.headers['x-frame-options'], 'SAMEORIGIN', 'an upstream value is kept');
      assert.equal(o.headers['x-content-type-options'], 'nosniff');
      assert.equal(o.headers['strict-transport-security'], 'max-age=631138519');
      assert.equal(o.headers['x-xss-protection'], '1 ; mode=block');
      assert.equal(o.headers['referrer-policy'], 'no-referrer');
      assert.equal(o.headers['permissions-policy'], undefined, 'Permissions-Policy is opt-in');
    },
  },
  {
    name: 'SecureHeaders disable',
    yaml: 'filters:\n- name: SecureHeaders\n  args:\n    disable: x-frame-options,strict-transport-security',
    request: { path: '/' },
    expect: (o) => {
      assert.equal(o.headers['x-frame-options'], undefined);
      assert.equal(o.headers['strict-transport-security'], undefined);
      assert.equal(o.headers['x-download-options'], 'noopen');
    },
  },
];

for (const row of [...PREDICATES, ...FILTERS]) {
  test(`${row.name} behaves as Spring documents it`, async (t) => {
    const upstream = await startUpstream(t, echo);
    const route = {
      id: 'docs',
      uri: upstream.origin,
      ...(parseYaml(row.yaml) as Record<string, unknown>),
    };
    const { url } = await startGateway(t, { routes: [route] }, { settings: row.settings ?? {} });
    const request = client(t);
    const response = await request(`${url}${row.request.path}`, {
      method: (row.request.method ?? 'GET') as 'GET',
      headers: row.request.headers ?? {},
      ...(row.request.body === undefined ? {} : { body: row.request.body }),
    });
    await response.body.dump();
    row.expect({
      status: response.statusCode,
      headers: response.headers as Record<string, string | string[] | undefined>,
      seen: upstream.seen[0],
    });
  });
}

test('Weight sends each request of a group to one route, by the normalised weights', async (t) => {
  const high = await startUpstream(t);
  const low = await startUpstream(t);
  const draws = [0.1, 0.79, 0.81, 0.95];
  const { url } = await startGateway(
    t,
    parseYaml(`
routes:
- id: weight_high
  uri: ${high.origin}
  predicates:
  - Weight=group1, 8
- id: weight_low
  uri: ${low.origin}
  predicates:
  - Weight=group1, 2
`),
    { random: () => draws.shift() ?? 0 },
  );
  const request = client(t);
  for (let i = 0; i < 4; i++) await (await request(`${url}/`)).body.dump();
  assert.equal(high.seen.length, 2);
  assert.equal(low.seen.length, 2);
});

test('RemoveJsonAttributesResponseBody behaves as Spring documents it', async (t) => {
  const upstream = await startUpstream(t, (_request, reply) =>
    reply.send({ id: 7, color: 'red', name: 'ball', parts: [{ id: 8, color: 'blue' }] }),
  );
  const forms = [
    [
      'RemoveJsonAttributesResponseBody=id,color',
      { name: 'ball', parts: [{ id: 8, color: 'blue' }] },
    ],
    ['RemoveJsonAttributesResponseBody=id,color,true', { name: 'ball', parts: [{}] }],
  ] as const;
  for (const [filterLine, expected] of forms) {
    const route = {
      id: 'docs',
      uri: upstream.origin,
      ...(parseYaml(`filters:\n- ${filterLine}`) as Record<string, unknown>),
    };
    const { url } = await startGateway(t, { routes: [route] });
    const response = await client(t)(`${url}/`);
    const text = await response.body.text();
    assert.equal(response.statusCode, 200);
    assert.deepEqual(JSON.parse(text), expected, filterLine);
    assert.equal(response.headers['content-length'], String(Buffer.byteLength(text)));
  }
});
