import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asList, booleanOf, integerOf, portOf, statusOf, stringMapOf } from './json-values.js';

test('a port is read from a number, a numeric string or an object; an absent one takes the fallback', () => {
  assert.deepEqual(portOf(8080, 7001, true), { port: 8080, enabled: true });
  assert.deepEqual(portOf(' 8081 ', 7001, true), { port: 8081, enabled: true });
  assert.deepEqual(portOf({ $: '443', '@enabled': 'TRUE' }, 7002, false), {
    port: 443,
    enabled: true,
  });
  assert.deepEqual(portOf({ '@enabled': true }, 7002, false), { port: 7002, enabled: true });
  assert.deepEqual(portOf(undefined, 7001, true), { port: 7001, enabled: true });
  assert.equal(portOf(undefined, null, true), null, 'no port and no fallback');
});

test('a port outside 0..65535 or not a number is refused, not replaced by the fallback', () => {
  assert.equal(portOf('http', 7001, true), null);
  assert.equal(portOf(70_000, 7001, true), null);
  assert.equal(portOf(-1, 7001, true), null);
  assert.equal(portOf(80.5, 7001, true), null);
});

test('integers come from numbers or decimal strings; booleans are absent, not zero', () => {
  assert.equal(integerOf('1700000000000'), 1_700_000_000_000);
  assert.equal(integerOf(true), undefined);
  assert.equal(integerOf(null), undefined);
  assert.equal(integerOf('12abc'), null);
  assert.equal(integerOf(Number.MAX_SAFE_INTEGER + 2), null);
  assert.equal(booleanOf(' False ', true), false);
  assert.equal(booleanOf('maybe', true), true);
});

test('statuses are read in any case, unknown ones are UNKNOWN and absent ones the fallback', () => {
  assert.equal(statusOf(' out_of_service ', 'UP'), 'OUT_OF_SERVICE');
  assert.equal(statusOf('SLEEPY', 'UP'), 'UNKNOWN');
  assert.equal(statusOf(undefined, 'UP'), 'UP');
});

test('a string map drops @class and non-text values, and keeps __proto__ as a plain key', () => {
  const map = stringMapOf(
    JSON.parse('{"@class":"java.util.Collections$EmptyMap","a":1,"b":{},"__proto__":"x"}'),
  );
  assert.deepEqual(Object.keys(map), ['a', '__proto__']);
  assert.equal(Object.getPrototypeOf(map), Object.prototype);
  assert.deepEqual(asList({ one: 1 }), [{ one: 1 }]);
  assert.deepEqual(asList(null), []);
});
