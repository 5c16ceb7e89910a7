import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createHttpExchangeRepository,
  httpExchangesBody,
  httpTraceBody,
  parseExchangeIncludes,
  type ExchangeInput,
} from './http-exchanges.js';

const exchange = (n: number): ExchangeInput => ({
  startedAt: Date.UTC(2024, 0, 1, 12, 0, n),
  method: 'POST',
  uri: `http://localhost:8000/user-service/login?n=${n}`,
  requestHeaders: {
    accept: '*/*',
    authorization: 'Bearer secret',
    cookie: 'a=b',
    'x-trace': ['1', '2'],
  },
  remoteAddress: '127.0.0.1',
  status: 200,
  responseHeaders: {
    'content-type': 'application/json',
    token: 'eyJhbGciOi',
    'set-cookie': ['s=1'],
    'content-length': 42,
  },
  timeTakenMs: 23,
});

test('records Spring Boot 3 exchanges newest first within the capacity, without secrets by default', () => {
  const repository = createHttpExchangeRepository({ capacity: 2 });
  for (let n = 1; n <= 3; n++) repository.record(exchange(n));
  const body = httpExchangesBody(repository);
  assert.equal(body.exchanges.length, 2);
  assert.deepEqual(body.exchanges[0], {
    timestamp: '2024-01-01T12:00:03.000Z',
    request: {
      method: 'POST',
      uri: 'http://localhost:8000/user-service/login?n=3',
      headers: { accept: ['*/*'], 'x-trace': ['1', '2'] },
    },
    response: {
      status: 200,
      headers: { 'content-type': ['application/json'], 'content-length': ['42'] },
    },
    timeTaken: 'PT0.023S',
  });
});

test('includes what management.httpexchanges.recording.include names, nothing more', () => {
  const include = parseExchangeIncludes(
    'principal, remote_address, authorization-header, cookie_headers',
    'k',
  );
  assert.ok(Array.isArray(include));
  const repository = createHttpExchangeRepository({ include });
  repository.record({ ...exchange(1), principal: 'alice' });
  const [recorded] = httpExchangesBody(repository).exchanges as Array<Record<string, unknown>>;
  assert.deepEqual(recorded, {
    timestamp: '2024-01-01T12:00:01.000Z',
    request: {
      method: 'POST',
      uri: 'http://localhost:8000/user-service/login?n=1',
      remoteAddress: '127.0.0.1',
    },
    response: { status: 200 },
    principal: { name: 'alice' },
  });
  assert.deepEqual(parseExchangeIncludes('headers', 'management.httpexchanges.recording.include'), {
    problem:
      "management.httpexchanges.recording.include: 'headers' is not one of REQUEST_HEADERS, RESPONSE_HEADERS, COOKIE_HEADERS, AUTHORIZATION_HEADER, PRINCIPAL, REMOTE_ADDRESS, SESSION_ID, TIME_TAKEN",
  });
});

test('Authorization and cookies are recorded only when included; excluded headers never', () => {
  const repository = createHttpExchangeRepository({
    include: ['REQUEST_HEADERS', 'RESPONSE_HEADERS', 'AUTHORIZATION_HEADER', 'COOKIE_HEADERS'],
  });
  repository.record(exchange(1));
  const [recorded] = repository.findAll();
  assert.deepEqual(recorded?.request.headers?.authorization, ['Bearer secret']);
  assert.deepEqual(recorded?.response.headers?.['set-cookie'], ['s=1']);
  assert.equal(recorded?.response.headers?.token, undefined, 'the login token is never kept');
});

test("httptrace answers Spring Boot 2 shape for the seed's endpoint", () => {
  const repository = createHttpExchangeRepository();
  repository.record(exchange(7));
  const [trace] = httpTraceBody(repository).traces as Array<Record<string, unknown>>;
  assert.equal(trace?.timeTaken, 23);
  assert.equal(trace?.principal, null);
  assert.equal((trace?.request as { remoteAddress: unknown }).remoteAddress, null);
});
