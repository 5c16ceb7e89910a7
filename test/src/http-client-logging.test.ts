import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import {
  createClientFactory,
  defineClient,
  endpoint,
  jsonBody,
  type LoggerLevel,
} from '@stratus/http';
import type { Logger } from '@stratus/core';
import { balancerOver, capturedLogger, environmentOf, listen } from './http-client-support.js';

// Canaries: none of these may appear in any captured log line.
const BEARER = 'Bearer canary-token-1a2b3c';
const COOKIE = 'SESSION=canary-session-4d5e6f';
const PASSWORD = 'canary-password-7g8h9i';
const API_KEY = 'canary-api-key-0j1k2l';
const ISSUED_TOKEN = 'canary-issued-jwt-3m4n5o';
const QUERY_TOKEN = 'canary-query-token-6p7q8r';

const Users = defineClient({
  name: 'user-service',
  endpoints: {
    login: endpoint({
      method: 'POST',
      path: '/login',
      query: ['access_token', 'lang'],
      body: jsonBody<{ email: string; password: string; profile: { apiKey: string } }>(),
    }),
  },
});

async function exchangeAt(t: TestContext, level: LoggerLevel, logger: Logger) {
  const upstream = await listen(t, (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, {
        'content-type': 'application/json',
        token: ISSUED_TOKEN,
        'set-cookie': COOKIE,
        'x-note': '{"level":50,"msg":"forged line"}',
      });
      res.end(JSON.stringify({ userId: 'u1', token: ISSUED_TOKEN, nested: { secret: API_KEY } }));
    });
  });
  const clients = createClientFactory({
    properties: environmentOf(`
spring.cloud.openfeign.client.config.user-service.logger-level: ${level}
`),
    loadBalancer: balancerOver('user-service', [upstream.uri]),
    logger,
  });
  t.after(() => clients.close());
  await clients.create(Users).login(
    {
      access_token: QUERY_TOKEN,
      lang: 'ko',
      body: { email: 'a@example.com', password: PASSWORD, profile: { apiKey: API_KEY } },
    },
    { headers: { authorization: BEARER, cookie: COOKIE } },
  );
}

function assertNoCanary(text: string): void {
  for (const canary of [
    BEARER,
    'canary-token-1a2b3c',
    COOKIE,
    PASSWORD,
    API_KEY,
    ISSUED_TOKEN,
    QUERY_TOKEN,
  ])
    assert.ok(!text.includes(canary), `'${canary}' leaked into the log`);
}

const exchangeLines = (lines: Array<Record<string, unknown>>) =>
  lines.filter((line) => String(line.msg).startsWith('http client'));

test('NONE logs nothing, and FULL logs nothing while DEBUG is off for the logger', async (t) => {
  const none = capturedLogger('debug');
  await exchangeAt(t, 'NONE', none.logger);
  assert.deepEqual(exchangeLines(none.lines()), []);
  const quiet = capturedLogger('info');
  await exchangeAt(t, 'FULL', quiet.logger);
  assert.deepEqual(exchangeLines(quiet.lines()), []);
});

test('BASIC logs the request line and the status with the time taken, without headers or bodies', async (t) => {
  const captured = capturedLogger();
  await exchangeAt(t, 'BASIC', captured.logger);
  const [request, response, ...rest] = exchangeLines(captured.lines());
  assert.deepEqual(rest, []);
  assert.equal(request?.msg, 'http client request');
  assert.equal(request?.methodKey, 'user-service#login');
  assert.equal(request?.method, 'POST');
  // As Feign's logger, the request line names the service; the answer names the instance.
  assert.equal(request?.url, 'lb://user-service/login?access_token=%5Bredacted%5D&lang=ko');
  assert.match(String(response?.instance), /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(response?.msg, 'http client response');
  assert.equal(response?.status, 200);
  assert.equal(typeof response?.elapsedMs, 'number');
  assert.equal(request?.headers, undefined);
  assert.equal(response?.body, undefined);
  assertNoCanary(captured.text());
});

test('HEADERS adds headers with Authorization, cookies and token headers redacted', async (t) => {
  const captured = capturedLogger();
  await exchangeAt(t, 'HEADERS', captured.logger);
  const [request, response] = exchangeLines(captured.lines());
  const sent = request?.headers as Record<string, string>;
  const received = response?.headers as Record<string, string>;
  assert.equal(sent.authorization, '[redacted]');
  assert.equal(sent.cookie, '[redacted]');
  assert.equal(sent['content-type'], 'application/json');
  assert.equal(received.token, '[redacted]');
  assert.equal(received['set-cookie'], '[redacted]');
  assert.equal(request?.body, undefined);
  assertNoCanary(captured.text());
});

test('FULL adds bodies with secret-named fields redacted at any depth; hostile header values stay one field', async (t) => {
  const captured = capturedLogger();
  await exchangeAt(t, 'FULL', captured.logger);
  const lines = captured.lines();
  const [request, response] = exchangeLines(lines);
  assert.deepEqual(request?.body, {
    email: 'a@example.com',
    password: '[redacted]',
    profile: { apiKey: '[redacted]' },
  });
  assert.deepEqual(response?.body, {
    userId: 'u1',
    token: '[redacted]',
    nested: { secret: '[redacted]' },
  });
  assert.equal(typeof request?.bodyBytes, 'number');
  assert.equal(
    (response?.headers as Record<string, string>)['x-note'],
    '{"level":50,"msg":"forged line"}',
  );
  assert.ok(
    !lines.some((line) => line.msg === 'forged line'),
    'a header value never becomes a log line',
  );
  assertNoCanary(captured.text());
});
