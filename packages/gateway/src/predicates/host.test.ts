import assert from 'node:assert/strict';
import { test } from 'node:test';
import { predicate, requestContext } from '../internal/test-units.js';
import { hostPredicateFactory } from './host.js';

const matches = (shortcut: string, host: string): Record<string, string> | null => {
  const context = requestContext({ headers: { host } });
  return predicate(hostPredicateFactory, shortcut)(context) ? context.uriVariables : null;
};

test('** matches any number of leading labels, ignoring the port', () => {
  assert.ok(matches('Host=**.somehost.org,**.anotherhost.org', 'www.somehost.org'));
  assert.ok(matches('Host=**.somehost.org', 'a.b.somehost.org:8080'));
  assert.ok(matches('Host=**.somehost.org', 'somehost.org'));
  assert.equal(matches('Host=**.somehost.org', 'www.evilsomehost.org'), null);
});

test('{sub} captures a label and matching is case-insensitive', () => {
  assert.deepEqual(matches('Host={sub}.myhost.org', 'WWW.MyHost.org'), { sub: 'WWW' });
  assert.equal(matches('Host={sub}.myhost.org', 'a.b.myhost.org'), null);
});

test('* matches within one label and a pattern with a port compares the port', () => {
  assert.ok(matches('Host=*.example.org', 'api.example.org'));
  assert.ok(matches('Host=localhost:8000', 'localhost:8000'));
  assert.equal(matches('Host=localhost:8000', 'localhost:9000'), null);
});

test('no Host header never matches', () => {
  assert.equal(predicate(hostPredicateFactory, 'Host=**')(requestContext({ headers: {} })), false);
});
