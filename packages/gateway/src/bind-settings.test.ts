import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigEnvironment } from '@stratus/config';
import { Secret } from '@stratus/core';
import { bindGatewaySettings } from './bind-settings.js';
import { GATEWAY_DEFAULTS } from './defaults.js';
import { GatewayErrors, problemsOf } from './errors.js';

const env = (...sources: [string, Record<string, unknown>][]) =>
  new ConfigEnvironment(sources.map(([name, properties]) => ({ name, properties })));

test('with no configuration every setting is its default, frozen', () => {
  const settings = bindGatewaySettings(env());
  assert.equal(settings.connectTimeoutMs, GATEWAY_DEFAULTS.connectTimeoutMs);
  assert.equal(settings.responseTimeoutMs, GATEWAY_DEFAULTS.responseTimeoutMs);
  assert.equal(settings.trustedProxies, null);
  assert.equal(settings.jwt.key, null);
  assert.equal(settings.jwt.userIdHeader, 'x-user-id');
  assert.equal(settings.redis, null);
  assert.equal(settings.rateLimiter.denyEmptyKey, true);
  assert.ok(Object.isFrozen(settings) && Object.isFrozen(settings.jwt));
  assert.equal(settings.jwt.cacheSize, 1024);
  assert.equal(settings.jwt.cacheTtlMs, 60_000);
});

test('the verified-token cache is sized and aged by stratus.gateway.jwt.cache-size and .cache-ttl', () => {
  const settings = bindGatewaySettings(
    env([
      'file:application.yml',
      { 'stratus.gateway.jwt.cache-size': 0, 'stratus.gateway.jwt.cache-ttl': '15s' },
    ]),
  );
  assert.equal(settings.jwt.cacheSize, 0);
  assert.equal(settings.jwt.cacheTtlMs, 15_000);
  assert.throws(
    () =>
      bindGatewaySettings(env(['file:application.yml', { 'stratus.gateway.jwt.cache-size': -1 }])),
    /stratus\.gateway\.jwt\.cache-size/,
  );
});

test("Spring's keys bind under spring.cloud.gateway.server.webflux, which wins over spring.cloud.gateway", () => {
  const settings = bindGatewaySettings(
    env([
      'file:./config-repo/apigateway-service.yml',
      {
        'spring.cloud.gateway.server.webflux.httpclient.connect-timeout': 1500,
        'spring.cloud.gateway.httpclient.connect-timeout': 9999,
        'spring.cloud.gateway.httpclient.response-timeout': '5s',
        'spring.cloud.gateway.server.webflux.trusted-proxies': '10\\.0\\.0\\.\\d+',
        'spring.cloud.gateway.loadbalancer.use404': true,
        'spring.cloud.gateway.filter.request-rate-limiter.empty-key-status-code': 'UNAUTHORIZED',
        'spring.cloud.gateway.redis-rate-limiter.include-headers': false,
        'spring.cloud.gateway.filter.secure-headers.frame-options': 'SAMEORIGIN',
        'spring.cloud.gateway.filter.local-response-cache.size': '2MB',
        'spring.cloud.gateway.set-status.original-status-header-name': 'original-http-status',
      },
    ]),
  );
  assert.equal(settings.connectTimeoutMs, 1500);
  assert.equal(settings.responseTimeoutMs, 5000);
  assert.ok(settings.trustedProxies?.test('10.0.0.7'));
  assert.ok(!settings.trustedProxies?.test('10.0.0.7x'), "Java's matches() is a full match");
  assert.equal(settings.use404, true);
  assert.equal(settings.rateLimiter.emptyKeyStatusCode, 401);
  assert.equal(settings.rateLimiter.includeHeaders, false);
  assert.equal(settings.secureHeaders.values['X-Frame-Options'], 'SAMEORIGIN');
  assert.equal(settings.responseCache.sizeBytes, 2 * 1024 * 1024);
  assert.equal(settings.originalStatusHeaderName, 'original-http-status');
});

test('the JWT key: jwk-set-uri, then public-key-location, then the seed token.secret', () => {
  const secret = bindGatewaySettings(
    env(['file:application.yml', { 'token.secret': 'seed-secret' }]),
  );
  assert.ok(
    secret.jwt.key && 'secret' in secret.jwt.key && secret.jwt.key.secret instanceof Secret,
  );
  assert.equal(String((secret.jwt.key as { secret: Secret }).secret), '[redacted]');
  const jwks = bindGatewaySettings(
    env([
      'file:application.yml',
      {
        'token.secret': 'seed-secret',
        'spring.security.oauth2.resourceserver.jwt.jwk-set-uri': 'https://issuer.example/jwks',
        'spring.security.oauth2.resourceserver.jwt.issuer-uri': 'https://issuer.example',
        'spring.security.oauth2.resourceserver.jwt.audiences': 'shop, admin',
        'spring.security.oauth2.resourceserver.jwt.jws-algorithms': 'RS256',
        'stratus.gateway.jwt.claim-headers.roles': 'X-User-Roles',
      },
    ]),
  );
  assert.deepEqual(jwks.jwt.key, { jwksUrl: 'https://issuer.example/jwks' });
  assert.equal(jwks.jwt.issuer, 'https://issuer.example');
  assert.deepEqual(jwks.jwt.audiences, ['shop', 'admin']);
  assert.deepEqual(jwks.jwt.algorithms, ['RS256']);
  assert.deepEqual(jwks.jwt.claimHeaders, { roles: 'x-user-roles' });
  const pem = bindGatewaySettings(
    env([
      'file:application.yml',
      { 'spring.security.oauth2.resourceserver.jwt.public-key-location': 'file:key.pem' },
    ]),
    {
      readFile: (location) =>
        location === 'file:key.pem'
          ? '-----BEGIN PUBLIC KEY-----\nAAA\n-----END PUBLIC KEY-----'
          : '',
    },
  );
  assert.ok(pem.jwt.key && 'publicKeyPem' in pem.jwt.key);
});

test('spring.data.redis.* configures the Redis rate limiter', () => {
  const settings = bindGatewaySettings(
    env([
      'file:application.yml',
      {
        'spring.data.redis.host': '10.1.1.1',
        'spring.data.redis.port': 6380,
        'spring.data.redis.password': 'pw',
        'spring.data.redis.timeout': '500ms',
      },
    ]),
  );
  assert.equal(settings.redis?.host, '10.1.1.1');
  assert.equal(settings.redis?.port, 6380);
  assert.equal(String(settings.redis?.password), '[redacted]');
  assert.equal(settings.redis?.commandTimeoutMs, 500);
  const url = bindGatewaySettings(
    env(['file:a.yml', { 'spring.data.redis.url': 'redis://user:s3cret@cache:6390/2' }]),
  );
  assert.deepEqual(
    [url.redis?.host, url.redis?.port, url.redis?.username, url.redis?.database],
    ['cache', 6390, 'user', 2],
  );
});

test('a mistyped or unknown stratus.gateway key is reported with its file and key, every problem at once', () => {
  const file = 'file:./config-repo/apigateway-service.yml';
  let error: unknown;
  try {
    bindGatewaySettings(
      env([
        file,
        {
          'stratus.gateway.max-conections-per-client': 10,
          'stratus.gateway.max-buffered-body-bytes': 'lots',
          'stratus.gateway.access-log.enabled': 'maybe',
          'spring.cloud.gateway.httpclient.response-timeout': 'soon',
          'spring.cloud.gateway.trusted-proxies': '(',
        },
      ]),
    );
  } catch (caught) {
    error = caught;
  }
  assert.ok(GatewayErrors.INVALID_OPTIONS.is(error));
  const problems = problemsOf(error);
  for (const expected of [
    /^file:\.\/config-repo\/apigateway-service\.yml: stratus\.gateway\.max-conections-per-client: unknown setting/,
    /stratus\.gateway\.max-buffered-body-bytes.*'lots' is not a number/,
    /stratus\.gateway\.access-log\.enabled.*'maybe' is not true or false/,
    /^file:.*: spring\.cloud\.gateway\.httpclient\.response-timeout: not a duration/,
    /^file:.*: spring\.cloud\.gateway\.trusted-proxies: invalid regex/,
  ]) {
    assert.ok(
      problems.some((problem) => expected.test(problem)),
      `${expected} in ${JSON.stringify(problems, null, 1)}`,
    );
  }
  assert.ok(
    problems.every((problem) => problem.includes(file)),
    'each problem names its file',
  );
});

test('algorithms that do not fit the key are refused (no HS/RS confusion by configuration)', () => {
  assert.throws(
    () =>
      bindGatewaySettings(
        env([
          'file:a.yml',
          {
            'token.secret': 's',
            'spring.security.oauth2.resourceserver.jwt.jws-algorithms': 'RS256',
          },
        ]),
      ),
    /do not fit the key/,
  );
  assert.throws(
    () =>
      bindGatewaySettings(
        env([
          'file:a.yml',
          {
            'token.secret': 's',
            'spring.security.oauth2.resourceserver.jwt.jws-algorithms': 'none',
          },
        ]),
      ),
    /never contain 'none'/,
  );
});
