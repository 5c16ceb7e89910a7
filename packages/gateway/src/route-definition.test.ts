import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { GatewayErrors, problemsOf as listedProblems } from './errors.js';
import { validateDefinitions } from './internal/test-units.js';
import { parseGatewayDefinitions, parseShortcut } from './route-definition.js';

const SEED_YAML = `
spring:
  cloud:
    gateway:
      default-filters:
        - name: GlobalFilter
          args: { baseMessage: Spring Cloud Gateway Global Filter, preLogger: true, postLogger: true }
      routes:
        - id: user-service
          uri: lb://USER-SERVICE
          predicates:
            - Path=/user-service/login
            - Method=POST
          filters:
            - RemoveRequestHeader=Cookie
            - RewritePath=/user-service/(?<segment>.*), /$\\{segment}
        - id: user-service
          uri: lb://USER-SERVICE
          predicates:
            - Path=/user-service/users
            - Method=POST
          filters:
            - RemoveRequestHeader=Cookie
            - RewritePath=/user-service/(?<segment>.*), /$\\{segment}
        - id: user-service
          uri: lb://USER-SERVICE
          predicates:
            - Path=/user-service/**
            - Method=GET
          filters:
            - RemoveRequestHeader=Cookie
            - RewritePath=/user-service/(?<segment>.*), /$\\{segment}
            - AuthorizationHeaderFilter
`;

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (error) {
    assert.ok(
      GatewayErrors.INVALID_ROUTE.is(error),
      `expected GW_ERR_INVALID_ROUTE, got ${String(error)}`,
    );
    return listedProblems(error);
  }
  assert.fail('expected the definitions to be rejected');
}

test('the seed route YAML parses into three lb:// routes with the default GlobalFilter', () => {
  const definitions = parseGatewayDefinitions(parseYaml(SEED_YAML));
  assert.equal(definitions.routes.length, 3);
  assert.deepEqual(definitions.defaultFilters, [
    {
      name: 'GlobalFilter',
      args: {
        baseMessage: 'Spring Cloud Gateway Global Filter',
        preLogger: 'true',
        postLogger: 'true',
      },
    },
  ]);
  const [login, , all] = definitions.routes;
  assert.equal(login?.id, 'user-service');
  assert.equal(login?.uri, 'lb://USER-SERVICE');
  assert.equal(login?.order, 0);
  assert.deepEqual(login?.predicates, [
    { name: 'Path', args: { _genkey_0: '/user-service/login' } },
    { name: 'Method', args: { _genkey_0: 'POST' } },
  ]);
  assert.deepEqual(all?.filters, [
    { name: 'RemoveRequestHeader', args: { _genkey_0: 'Cookie' } },
    {
      name: 'RewritePath',
      args: { _genkey_0: '/user-service/(?<segment>.*)', _genkey_1: '/$\\{segment}' },
    },
    { name: 'AuthorizationHeaderFilter', args: {} },
  ]);
});

test('the same routes under spring.cloud.gateway.server.webflux parse identically', () => {
  const tree = parseYaml(SEED_YAML) as { spring: { cloud: { gateway: unknown } } };
  const webflux = { server: { webflux: tree.spring.cloud.gateway } };
  assert.deepEqual(
    JSON.parse(JSON.stringify(parseGatewayDefinitions(webflux))),
    JSON.parse(JSON.stringify(parseGatewayDefinitions(tree))),
  );
});

test('shortcut args are split at the first = and on commas, trimmed, empty ones dropped', () => {
  assert.deepEqual(parseShortcut('Header=X-Id, a=b,, c '), {
    name: 'Header',
    args: { _genkey_0: 'X-Id', _genkey_1: 'a=b', _genkey_2: 'c' },
  });
  assert.deepEqual(parseShortcut('PreserveHostHeader'), { name: 'PreserveHostHeader', args: {} });
});

test('expanded items accept lists, indexed keys, _genkey_ keys and flattened-property lists', () => {
  const definitions = parseGatewayDefinitions({
    routes: {
      '0': {
        id: 'expanded',
        uri: 'http://127.0.0.1:8080',
        order: '-1',
        predicates: [
          { name: 'Path', args: { patterns: ['/a/**', '/b'], matchTrailingSlash: false } },
          { name: 'Method', args: { 'methods.0': 'GET', 'methods.1': 'POST' } },
          { name: 'Header', args: { _genkey_0: 'X-Id', _genkey_1: '\\d+' } },
          { name: 'Cookie', args: { name: 'session', regexp: 'ab.*' } },
        ],
        filters: [
          { name: 'AddRequestHeader', args: { name: 'X-A', value: 'b' } },
          { name: 'StripPrefix', args: { parts: 1 } },
        ],
        metadata: { 'response-timeout': 200 },
      },
    },
  });
  const route = definitions.routes[0];
  assert.equal(route?.order, -1);
  assert.deepEqual(route?.predicates[0], {
    name: 'Path',
    args: { 'patterns.0': '/a/**', 'patterns.1': '/b', matchTrailingSlash: 'false' },
  });
  assert.deepEqual(route?.filters[1], { name: 'StripPrefix', args: { parts: '1' } });
});

test('invalid definitions are rejected once, listing every problem', () => {
  const problems = problemsOf(() =>
    validateDefinitions({
      'default-filters': ['NoSuchFilter=1', 'TokenRelay='],
      routes: [
        {
          id: 'a',
          uri: 'ftp://example.org',
          predicates: ['Path=/a/**', 'Nope=1', 'Version=1.1+'],
          filters: ['RewritePath=/a/(?<x.*), /b'],
        },
        {
          id: 'b',
          predicates: ['Path=no-slash'],
          filters: [{ name: 'StripPrefix', args: { parts: 'two' } }],
          extra: 1,
        },
        {
          id: 'c',
          uri: 'lb://',
          predicates: [{ name: 'Cookie', args: { name: 'x', regexp: '(' } }],
          filters: [{ name: 'AddRequestHeader', args: { nme: 'X' } }],
        },
      ],
    }),
  );
  const expected = [
    /default-filters\[0\] NoSuchFilter: unknown filter \(known: /,
    /default-filters\[1\] TokenRelay: unknown filter — not supported by Stratus: needs an OAuth2 client/,
    /predicates\[2\] Version: unknown predicate — not supported by Stratus: needs Spring API versioning/,
    /routes\[0\] \(a\)\.uri: .*must use lb, http, https/,
    /routes\[0\] \(a\)\.predicates\[1\] Nope: unknown predicate/,
    /routes\[0\] \(a\)\.filters\[0\] RewritePath: invalid regex/,
    /routes\[1\] \(b\)\.uri: is required/,
    /routes\[1\]: unknown key 'extra'/,
    /routes\[1\] \(b\)\.predicates\[0\] Path: .*must start with '\/'/,
    /routes\[1\] \(b\)\.filters\[0\] StripPrefix: .*non-negative integer/,
    /routes\[2\] \(c\)\.uri: .*lb:\/\/SERVICE-ID/,
    /routes\[2\] \(c\)\.predicates\[0\] Cookie: invalid regex/,
    /routes\[2\] \(c\)\.filters\[0\] AddRequestHeader: unknown argument 'nme'/,
  ];
  for (const pattern of expected) {
    assert.ok(
      problems.some((problem) => pattern.test(problem)),
      `missing ${pattern} in ${JSON.stringify(problems, null, 1)}`,
    );
  }
});

test('#{…} expressions are rejected wherever they appear and never evaluated (CVE-2022-22947)', () => {
  const spel = '#{new String(T(java.lang.Runtime).getRuntime().exec("id"))}';
  const problems = problemsOf(() =>
    parseGatewayDefinitions({
      routes: [
        {
          id: 'x',
          uri: 'http://127.0.0.1:1',
          predicates: ['Path=/x'],
          filters: [`AddResponseHeader=X-Out, ${spel}`],
        },
        {
          id: 'y',
          uri: 'http://127.0.0.1:1',
          filters: [{ name: 'SetRequestHeader', args: { name: 'X', value: spel } }],
        },
        { id: 'z', uri: 'http://127.0.0.1:1', metadata: { key: '#{@bean}' } },
      ],
    }),
  );
  assert.equal(
    problems.filter((problem) => problem.includes('are not allowed in route definitions')).length,
    3,
  );
});

test('a shortcut with too many args, a bad boolean and a bad date are reported', () => {
  const problems = problemsOf(() =>
    validateDefinitions({
      routes: [
        {
          uri: 'http://127.0.0.1:1',
          predicates: ['Cookie=a, b, c', 'After=yesterday'],
          filters: ['AddResponseHeader=X, y, maybe'],
        },
      ],
    }),
  );
  assert.equal(problems.length, 3, JSON.stringify(problems));
});

test('a route without id gets a generated one, and duplicate ids are allowed', () => {
  const definitions = parseGatewayDefinitions({
    routes: [
      { uri: 'http://127.0.0.1:1' },
      { id: 'same', uri: 'http://127.0.0.1:1' },
      { id: 'same', uri: 'http://127.0.0.1:1' },
    ],
  });
  assert.match(definitions.routes[0]?.id ?? '', /^[0-9a-f-]{36}$/);
  assert.equal(definitions.routes.filter((route) => route.id === 'same').length, 2);
});

test('parsed definitions are frozen and the input is not', () => {
  const input = { routes: [{ id: 'a', uri: 'http://127.0.0.1:1', metadata: { a: 1 } }] };
  const definitions = parseGatewayDefinitions(input);
  assert.ok(Object.isFrozen(definitions.routes[0]));
  assert.ok(!Object.isFrozen(input.routes[0]?.metadata));
});

test('empty or missing configuration yields no routes', () => {
  assert.deepEqual(parseGatewayDefinitions(undefined), { routes: [], defaultFilters: [] });
  assert.deepEqual(parseGatewayDefinitions({ enabled: true }), { routes: [], defaultFilters: [] });
});

test('${…} placeholders are refused in route arguments; only a RewritePath group reference like ${segment} passes', () => {
  const problems = problemsOf(() =>
    validateDefinitions({
      routes: [
        {
          id: 'leak',
          uri: 'http://127.0.0.1:1',
          filters: ['AddResponseHeader=X-Secret, ${token.secret}'],
        },
        {
          id: 'leak2',
          uri: 'http://127.0.0.1:1',
          filters: [{ name: 'SetPath', args: { template: '/${user.home}' } }],
        },
        {
          id: 'nogroup',
          uri: 'http://127.0.0.1:1',
          filters: ['RewritePath=/a/(?<segment>.*), /${secret}'],
        },
        {
          id: 'dotted',
          uri: 'http://127.0.0.1:1',
          filters: ['RewritePath=/a/(?<segment>.*), /${token.secret}'],
        },
      ],
    }),
  );
  assert.ok(
    problems.some(
      (p) => /\(leak\)|routes\[0\]/.test(p) && /not allowed in route definitions/.test(p),
    ),
    JSON.stringify(problems),
  );
  assert.ok(
    problems.some((p) => /routes\[1\]/.test(p) && /not allowed in route definitions/.test(p)),
    JSON.stringify(problems),
  );
  assert.ok(
    problems.some((p) => /\(nogroup\).*No group with name \{secret\}/.test(p)),
    JSON.stringify(problems),
  );
  assert.ok(
    problems.some((p) => /routes\[3\]/.test(p) && /not allowed in route definitions/.test(p)),
    JSON.stringify(problems),
  );
  const ok = validateDefinitions({
    routes: [
      {
        id: 'ok',
        uri: 'http://127.0.0.1:1',
        filters: ['RewritePath=/a/(?<segment>.*), /${segment}'],
      },
    ],
  });
  assert.equal(ok.routes[0]?.filters[0]?.args['_genkey_1'], '/${segment}');
});
