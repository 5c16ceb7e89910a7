import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSecretName, redactBody, redactHeaders, redactUrl } from './redact.js';

test('names that carry secrets are recognised whatever their spelling', () => {
  for (const name of [
    'Authorization',
    'proxy-authorization',
    'Cookie',
    'set-cookie',
    'token',
    'X-Auth-Token',
    'password',
    'pwd',
    'clientSecret',
    'api_key',
    'X-API-Key',
    'refreshToken',
    'privateKey',
    'JSESSIONID',
  ])
    assert.ok(isSecretName(name), name);
  for (const name of ['content-type', 'email', 'userId', 'qty', 'accept'])
    assert.ok(!isSecretName(name), name);
});

test('headers, query parameters, JSON and form bodies lose their secrets; long values are clipped', () => {
  assert.deepEqual(
    redactHeaders({ Authorization: 'Bearer x', Accept: ['a', 'b'], 'X-Long': 'v'.repeat(2000) }),
    {
      authorization: '[redacted]',
      accept: 'a, b',
      'x-long': `${'v'.repeat(1024)}…[976 more]`,
    },
  );
  assert.equal(redactUrl('http://h/p?token=abc&x=1'), 'http://h/p?token=%5Bredacted%5D&x=1');
  const json = Buffer.from(
    JSON.stringify({ a: [{ password: 'p' }], b: { c: { apiKey: 'k' } }, ok: 1 }),
  );
  assert.deepEqual(redactBody(json, 'application/json'), {
    a: [{ password: '[redacted]' }],
    b: { c: { apiKey: '[redacted]' } },
    ok: 1,
  });
  assert.equal(
    redactBody(Buffer.from('user=a&password=b'), 'application/x-www-form-urlencoded'),
    'user=a&password=%5Bredacted%5D',
  );
  assert.equal(
    redactBody(Buffer.from('{"password": not json'), 'application/json'),
    '[21 bytes, not JSON]',
  );
  assert.equal(
    redactBody(Buffer.from('secret=abc other'), 'text/plain'),
    'secret=[redacted] other',
  );
  assert.equal(redactBody(Buffer.from([1, 2, 3]), 'application/octet-stream'), '[3 bytes]');
});
