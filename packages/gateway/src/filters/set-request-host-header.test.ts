import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStratusError } from '@stratus/core';
import { problemsOf } from '../errors.js';
import { exchange, filter, validateDefinitions } from '../internal/test-units.js';
import { routes } from '../route-builder.js';
import { preserveHostHeaderFilterFactory } from './preserve-host-header.js';
import { setRequestHostHeaderFilterFactory } from './set-request-host-header.js';

const hostAfter = (
  item: Parameters<typeof filter>[1],
  uriVariables: Record<string, string> = {},
): { host: unknown; preserveHost: boolean } => {
  const ex = exchange({ requestHeaders: { host: 'client.example.com' }, uriVariables });
  void filter(setRequestHostHeaderFilterFactory, item).pre?.(ex);
  return { host: ex.requestHeaders['host'], preserveHost: ex.preserveHost };
};

test("Spring's expanded form and the shortcut set the Host sent upstream", () => {
  for (const item of [
    { name: 'SetRequestHostHeader', args: { host: 'example.org' } },
    'SetRequestHostHeader=example.org',
  ])
    assert.deepEqual(hostAfter(item), { host: 'example.org', preserveHost: true });
});

test('accepts host names, IP literals and ports', () => {
  for (const host of [
    'example.org:8443',
    '10.0.0.7',
    '[::1]:8080',
    '[2001:db8::1]',
    'my_service.internal',
    'localhost',
  ])
    assert.equal(hostAfter({ name: 'SetRequestHostHeader', args: { host } }).host, host);
});

test('expands URI variables from Path and Host', () => {
  assert.equal(
    hostAfter('SetRequestHostHeader={sub}.example.org:{port}', { sub: 'blue', port: '8080' }).host,
    'blue.example.org:8080',
  );
});

test('an expanded value that is not a host is refused with 400, nothing set', () => {
  for (const sub of ['evil.org/x', 'a b', 'a\r\nX-Evil: 1', 'user@evil.org', '']) {
    const ex = exchange({ requestHeaders: { host: 'client' }, uriVariables: { sub } });
    assert.throws(
      () => filter(setRequestHostHeaderFilterFactory, 'SetRequestHostHeader={sub}').pre?.(ex),
      (error) => isStratusError(error) && error.code === 'GW_ERR_INVALID_HEADER',
      sub,
    );
    assert.equal(ex.requestHeaders['host'], 'client');
  }
});

test('wins over PreserveHostHeader in either order', () => {
  for (const order of [
    [preserveHostHeaderFilterFactory, setRequestHostHeaderFilterFactory],
    [setRequestHostHeaderFilterFactory, preserveHostHeaderFilterFactory],
  ] as const) {
    const ex = exchange({ requestHeaders: { host: 'client.example.com' } });
    for (const factory of order) {
      const item =
        factory === preserveHostHeaderFilterFactory
          ? 'PreserveHostHeader'
          : 'SetRequestHostHeader=example.org';
      void filter(factory, item).pre?.(ex);
    }
    assert.equal(ex.requestHeaders['host'], 'example.org');
    assert.equal(ex.preserveHost, true);
  }
});

test('a value that is not host[:port] is a problem when the route compiles', () => {
  for (const host of [
    'http://example.org',
    'example.org/path',
    'exa mple.org',
    'example.org:0',
    'example.org:65536',
    'example.org:http',
    'user@example.org',
    'a..b',
    '-example.org',
    'a\r\nX-Evil: 1',
  ])
    assert.throws(
      () =>
        filter(setRequestHostHeaderFilterFactory, { name: 'SetRequestHostHeader', args: { host } }),
      /argument 'host' must be host\[:port\]/,
      host,
    );
  assert.throws(
    () =>
      validateDefinitions({
        routes: [{ id: 'r', uri: 'http://127.0.0.1:1', filters: ['SetRequestHostHeader'] }],
      }),
    (error) => /SetRequestHostHeader.*'host' is required/.test(problemsOf(error).join('\n')),
  );
});

test("the route builder's setRequestHostHeader(host) builds the same filter", () => {
  const built = routes()
    .route('r', (r) =>
      r.filters((f) => f.setRequestHostHeader('{sub}.example.org')).uri('http://127.0.0.1:1'),
    )
    .build();
  const definition = built.routes[0]?.filters[0];
  assert.ok(definition);
  assert.equal(hostAfter(definition, { sub: 'red' }).host, 'red.example.org');
});
