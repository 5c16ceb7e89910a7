import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeSegment, parseServiceUrl } from './service-url.js';

test('userinfo becomes a Basic auth secret and is removed from the logged base URL', () => {
  const parsed = parseServiceUrl('http://user:p%40ss@localhost:8761/eureka');
  assert.equal(parsed?.base, 'http://localhost:8761/eureka/');
  assert.equal(
    parsed?.authorization?.reveal(),
    `Basic ${Buffer.from('user:p@ss').toString('base64')}`,
  );
  assert.equal(String(parsed?.authorization), '[redacted]');
  assert.equal(parseServiceUrl('http://localhost:8761/eureka/')?.authorization, null);
  assert.equal(parseServiceUrl('ftp://x/'), null);
  assert.equal(parseServiceUrl('not a url'), null);
});

test('instance ids keep their colons in paths, as Spring sends them', () => {
  assert.equal(encodeSegment('host:app:8080'), 'host:app:8080');
  assert.equal(encodeSegment('a/b c'), 'a%2Fb%20c');
});
