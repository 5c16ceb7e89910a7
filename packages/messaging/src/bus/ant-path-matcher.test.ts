import assert from 'node:assert/strict';
import { test } from 'node:test';
import { antPathMatch } from './ant-path-matcher.js';

// Spring's AntPathMatcherTests#match, with ':' as the separator Spring Cloud Bus uses.
const SPRING_CASES: Array<[pattern: string, path: string, matches: boolean]> = [
  ['test', 'test', true],
  [':test', ':test', true],
  ['test', ':test', false],
  [':test', 'test', false],
  ['t?st', 'test', true],
  ['??st', 'test', true],
  ['tes?', 'tes', false],
  ['tes?', 'testt', false],
  ['*', 'test', true],
  ['test*', 'test', true],
  ['test*', 'testTest', true],
  ['test*', 'test:', false],
  ['test*', 'test:t', false],
  ['*test*', 'AnothertestTest', true],
  ['*test', 'Anothertest', true],
  ['*.*', 'test.test.test', true],
  ['a*b*c', 'aXbYc', true],
  ['a*b*c', 'aXbY', false],
  ['**', 'testing:testing', true],
  [':**', ':testing:testing', true],
  ['**:*', 'testing:testing', true],
  [':bla:**:bla', ':bla:testing:testing:bla', true],
  [':bla:**:bla', ':bla:bla', true],
  [':bla:**:bla', ':bla:testing:testing:bla:blaa', false],
  [':*bla:test', ':XXXbla:test', true],
  [':*bla:test', ':XXXbl:test', false],
  [':????', ':bala:bla', false],
  [':**:*bla', ':bla:bla:bla:bbb', false],
  [':*bla*:**:bla:**', ':XXXblaXXXX:testing:testing:bla:testing:testing', true],
  [':x:x:**:bla', ':x:x:x:', false],
  [':foo:bar:**', ':foo:bar', true],
  ['', '', true],
  [':{bla}.*', ':testing.html', true],
  [':{bla}', ':testing', true],
  [':{bla}', ':testing:more', false],
];

test("matches Spring's AntPathMatcher test table with ':' as the separator", () => {
  for (const [pattern, path, expected] of SPRING_CASES) {
    assert.equal(antPathMatch(pattern, path), expected, `${pattern} vs ${path}`);
  }
});

// Bus destinations (normalised) against bus ids, as Spring Cloud Bus's addressing docs describe.
const BUS_CASES: Array<[destination: string, busId: string, matches: boolean]> = [
  ['**', 'customers:9000:3f2a', true],
  ['*:**', 'customers:9000:3f2a', true],
  ['customers:**', 'customers:9000:3f2a', true],
  ['customers:**', 'customers-v2:9000:3f2a', false],
  ['customers:9000:**', 'customers:9000:3f2a', true],
  ['customers:9000:**', 'customers:9001:3f2a', false],
  ['customers:9000', 'customers:9000:3f2a', false],
  ['customers:*', 'customers:9000:3f2a', false],
  ['customers:*:*', 'customers:9000:3f2a', true],
  ['*:9000:*', 'stores:9000:3f2a', true],
  ['cust*:**', 'customers:9000:3f2a', true],
  ['customers:dev:**', 'customers:dev:9000:3f2a', true],
  ['**:3f2a', 'customers:9000:3f2a', true],
  ['Customers:**', 'customers:9000:3f2a', false],
];

test('matches bus destinations against bus ids segment by segment', () => {
  for (const [destination, busId, expected] of BUS_CASES) {
    assert.equal(antPathMatch(destination, busId), expected, `${destination} vs ${busId}`);
  }
});

test('answers quickly for a hostile pattern full of wildcards', () => {
  const pattern = `${'*a'.repeat(2000)}:**:${'**:'.repeat(500)}x`;
  const path = `${'a'.repeat(4000)}:${'b:'.repeat(200)}y`;
  const started = performance.now();
  assert.equal(antPathMatch(pattern, path), false);
  assert.ok(performance.now() - started < 1_000, 'matching stays bounded');
});
