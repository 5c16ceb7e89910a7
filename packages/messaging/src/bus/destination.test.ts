import assert from 'node:assert/strict';
import { test } from 'node:test';
import { busPathMatch, createServiceMatcher, normalizeDestination } from './destination.js';

test("normalises destinations as Spring's PathDestinationFactory does", () => {
  const cases: Array<[string | null | undefined, string]> = [
    [undefined, '**'],
    [null, '**'],
    ['**', '**'],
    ['customers', 'customers:**'],
    ['customers:9000', 'customers:9000:**'],
    ['customers:**', 'customers:**'],
    ['customers:9000:**', 'customers:9000:**'],
    ['customers:9000:3f2a', 'customers:9000:3f2a'],
    ['*', '*:**'],
    ['', ':**'],
  ];
  for (const [input, expected] of cases)
    assert.equal(normalizeDestination(input), expected, String(input));
});

test('an event without a destination, or with a blank one, is for every instance', () => {
  const matcher = createServiceMatcher('customers:9000:3f2a');
  assert.equal(matcher.isForSelf(null), true);
  assert.equal(matcher.isForSelf('  '), true);
  assert.equal(matcher.isForSelf('stores:**'), false);
});

test('a multi-profile id matches a destination naming any one of its profiles', () => {
  const id = 'customers:dev,mysql:9000:3f2a';
  assert.equal(busPathMatch('customers:dev:**', id), true);
  assert.equal(busPathMatch('customers:mysql:**', id), true);
  assert.equal(busPathMatch('customers:dev,mysql:**', id), true);
  assert.equal(busPathMatch('customers:prod:**', id), false);
});

test('destinations also match spring.cloud.config.name followed by the id after the application name', () => {
  const matcher = createServiceMatcher('customers:9000:3f2a', ['customers-config', 'shared']);
  assert.equal(matcher.isForSelf('shared:**'), true);
  assert.equal(matcher.isForSelf('customers-config:9000:**'), true);
  assert.equal(matcher.isForSelf('other:**'), false);
});

test('the origin is matched as a pattern against the own id, as Spring does', () => {
  const matcher = createServiceMatcher('customers:9000:3f2a');
  assert.equal(matcher.isFromSelf('customers:9000:3f2a'), true);
  assert.equal(matcher.isFromSelf('customers:9000:ffff'), false);
  assert.equal(matcher.isFromSelf('**'), true);
  assert.equal(matcher.isFromSelf(null), false);
});
