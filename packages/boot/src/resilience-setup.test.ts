import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isStratusError } from '@stratus/core';
import { testApp } from './internal/testing.js';

const PASSWORD = 'resilience-test-password';
const BASIC = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`;

const yaml = (slidingWindowSize: number | string) =>
  [
    'spring.security.user: { name: admin, password: ' + PASSWORD + ' }',
    'management:',
    '  health.circuitbreakers.enabled: true',
    '  endpoint.health.show-details: always',
    '  endpoints.web.exposure.include: health, prometheus, circuitbreakers, circuitbreakerevents, retries, retryevents, bulkheads, ratelimiters, timelimiters',
    'resilience4j:',
    '  circuitbreaker:',
    '    configs:',
    '      default: { slidingWindowSize: ' +
      slidingWindowSize +
      ', minimumNumberOfCalls: 2, registerHealthIndicator: true }',
    '    instances:',
    '      backendA: { baseConfig: default }',
    '  retry.instances.backendA: { maxAttempts: 2, waitDuration: 0 }',
    '  bulkhead.instances.backendA: { maxConcurrentCalls: 3 }',
    '  timelimiter.instances.backendA: { timeoutDuration: 2s }',
    '',
  ].join('\n');

async function started(t: Parameters<typeof testApp>[0], body = yaml(4)) {
  const made = await testApp(t, { yaml: body });
  await made.app.start();
  const call = async (path: string, init: RequestInit & { auth?: boolean } = {}) => {
    const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
    if (init.auth !== false) headers.authorization = BASIC;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${made.app.url}${path}`, { ...init, headers });
    const text = await response.text();
    return { status: response.status, text, json: () => JSON.parse(text) as Record<string, any> };
  };
  return { ...made, call };
}

test('serves Resilience4j’s actuator endpoints with Spring’s ids and shapes, behind the management credentials', async (t) => {
  const { app, call } = await started(t);
  const listed = await call('/actuator/circuitbreakers');
  assert.equal(listed.status, 200);
  assert.deepEqual(listed.json().circuitBreakers.backendA, {
    failureRate: '-1.0%',
    slowCallRate: '-1.0%',
    failureRateThreshold: '50.0%',
    slowCallRateThreshold: '100.0%',
    bufferedCalls: 0,
    failedCalls: 0,
    slowCalls: 0,
    slowFailedCalls: 0,
    notPermittedCalls: 0,
    state: 'CLOSED',
  });
  assert.equal((await call('/actuator/circuitbreakers', { auth: false })).status, 401);
  assert.deepEqual((await call('/actuator/retries')).json(), { retries: ['backendA'] });
  assert.deepEqual((await call('/actuator/bulkheads')).json(), { bulkheads: ['backendA'] });
  assert.deepEqual((await call('/actuator/ratelimiters')).json(), { rateLimiters: [] });
  assert.deepEqual((await call('/actuator/timelimiters')).json(), { timeLimiters: ['backendA'] });
  assert.equal((await call('/actuator/bulkheadevents')).status, 404, 'not exposed, not there');

  const forceOpen = { method: 'POST', body: JSON.stringify({ updateState: 'FORCE_OPEN' }) };
  assert.equal(
    (await call('/actuator/circuitbreakers/backendA', { ...forceOpen, auth: false })).status,
    401,
  );
  assert.equal(app.resilience.circuitBreaker('backendA').state, 'CLOSED');
  const changed = await call('/actuator/circuitbreakers/backendA', forceOpen);
  assert.equal(changed.status, 200);
  assert.deepEqual(changed.json(), {
    circuitBreakerName: 'backendA',
    currentState: 'FORCED_OPEN',
    message: 'backendA state has been changed successfully',
  });
  assert.equal(app.resilience.circuitBreaker('backendA').state, 'FORCED_OPEN');
  assert.equal((await call('/actuator/circuitbreakers/nobody', forceOpen)).status, 404);
  assert.equal(
    (await call('/actuator/circuitbreakers/backendA', { method: 'POST', body: '{}' })).status,
    400,
  );
  const events = (await call('/actuator/circuitbreakerevents/backendA/state_transition')).json();
  assert.deepEqual(
    events.circuitBreakerEvents.map((e: { stateTransition: string }) => e.stateTransition),
    ['CLOSED_TO_FORCED_OPEN'],
  );
});

test('publishes the breakers’ meters on /actuator/prometheus and a circuitBreakers health component', async (t) => {
  const { app, call } = await started(t);
  const breaker = app.circuitBreakerFactory.create('backendA');
  for (let i = 0; i < 2; i++)
    assert.equal(
      await breaker.run(
        () => Promise.reject(new Error('down')),
        () => 'fallback',
      ),
      'fallback',
    );
  assert.equal(app.resilience.circuitBreaker('backendA').state, 'OPEN');
  const scrape = (await call('/actuator/prometheus', { auth: false })).text;
  assert.match(scrape, /resilience4j_circuitbreaker_state\{name="backendA",state="open"[^}]*\} 1/);
  assert.match(
    scrape,
    /resilience4j_circuitbreaker_calls_seconds_count\{name="backendA",kind="failed"[^}]*\} 2/,
  );
  const health = await call('/actuator/health', { auth: false });
  const component = health.json().components.circuitBreakers;
  assert.equal(component.details.backendA.status, 'CIRCUIT_OPEN');
  assert.equal(component.details.backendA.details.failureRate, '100.0%');
});

test('a refresh reconfigures the breakers, and one with a resilience4j value that does not bind is rejected', async (t) => {
  const { app, dir } = await started(t);
  assert.equal(app.resilience.circuitBreaker('backendA').config.slidingWindowSize, 4);
  await writeFile(join(dir, 'application.yml'), yaml(8));
  await app.config.refresh();
  assert.equal(app.resilience.circuitBreaker('backendA').config.slidingWindowSize, 8);
  await writeFile(join(dir, 'application.yml'), yaml('lots'));
  await assert.rejects(app.config.refresh(), (error: unknown) => {
    assert.ok(isStratusError(error));
    assert.equal(error.code, 'BOOT_ERR_REFRESH_REJECTED');
    assert.match(String(error.details.problems), /slidingWindowSize/i);
    return true;
  });
  assert.equal(app.resilience.circuitBreaker('backendA').config.slidingWindowSize, 8);
});

test('resilience4j settings that do not bind stop the boot with BOOT_ERR_INVALID_CONFIG', async (t) => {
  await assert.rejects(testApp(t, { yaml: yaml(-3) }), (error: unknown) => {
    assert.ok(isStratusError(error));
    assert.equal(error.code, 'BOOT_ERR_INVALID_CONFIG');
    assert.match(String(error.details.problems), /resilience4j\.circuitbreaker/);
    return true;
  });
});
