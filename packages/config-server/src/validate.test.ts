import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateLabel, validateName, validateProfiles } from './validate.js';

test('names: (_) becomes /, comma lists pass, traversal and odd characters are rejected', () => {
  assert.equal(validateName('foo'), 'foo');
  assert.equal(validateName('order-service'), 'order-service');
  assert.equal(validateName('org(_)repo'), 'org/repo');
  assert.equal(validateName('a,b'), 'a,b');
  for (const bad of [
    '',
    '..',
    '../etc',
    'a/../b',
    '(_)etc',
    '..%2Fetc',
    '..%252Fetc',
    'a#b',
    'a%23b',
    'a\\b',
    'a\u0000b',
    'a?b',
    'file:x',
    '/etc',
    'a(_)(_)b',
    'a,,b',
    '.(_)x',
    '%2e%2e',
    'x..',
    '(_)',
  ]) {
    assert.equal(validateName(bad), null, bad);
  }
});

test('labels: empty means none, (_) becomes /, traversal is rejected', () => {
  assert.deepEqual(validateLabel(undefined), { label: null });
  assert.deepEqual(validateLabel(''), { label: null });
  assert.deepEqual(validateLabel('main'), { label: 'main' });
  assert.deepEqual(validateLabel('feature(_)x'), { label: 'feature/x' });
  assert.deepEqual(validateLabel('feature/x'), { label: 'feature/x' });
  for (const bad of [
    '..(_)..(_)etc(_)passwd',
    '(_)etc',
    '..',
    'a/../b',
    '%2e%2e%2fx',
    '..%255c',
    'x#y',
  ]) {
    assert.equal(validateLabel(bad), null, bad);
  }
});

test('profiles: letters, digits and - _ . + @ inside, letter or digit at both ends', () => {
  assert.deepEqual(validateProfiles('dev'), ['dev']);
  assert.deepEqual(validateProfiles('dev,mysql'), ['dev', 'mysql']);
  assert.deepEqual(validateProfiles('a-b_c.d+e@f'), ['a-b_c.d+e@f']);
  for (const bad of [
    '',
    ',',
    'dev,',
    '-dev',
    'dev-',
    '../dev',
    'dev/x',
    '{x}',
    'a:b',
    'a..b',
    'd%2e',
    ' dev',
    'dev#',
  ]) {
    assert.equal(validateProfiles(bad), null, bad);
  }
});
