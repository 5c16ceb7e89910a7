import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics } from './index.js';

test('http.server.requests is exposed with Micrometer names and tags', async () => {
  const metrics = createMetrics({ application: 'user-service', collectProcessMetrics: false });
  metrics.recordHttpServerRequest({
    method: 'GET',
    uri: '/users/{userId}',
    status: 200,
    durationSeconds: 0.25,
  });
  metrics.recordHttpServerRequest({
    method: 'GET',
    uri: '/users/{userId}',
    status: 404,
    durationSeconds: 0.5,
  });
  const text = await metrics.scrape();
  assert.match(
    text,
    /http_server_requests_seconds_count\{[^}]*uri="\/users\/\{userId\}"[^}]*status="200"[^}]*\} 1/,
  );
  assert.match(text, /http_server_requests_seconds_sum\{/);
  assert.match(text, /http_server_requests_seconds_max\{/);
  assert.match(text, /outcome="CLIENT_ERROR"/);
  assert.match(text, /application="user-service"/);
  const described = await metrics.describe('http.server.requests', { status: '200' });
  assert.deepEqual(described?.measurements, [
    { statistic: 'COUNT', value: 1 },
    { statistic: 'TOTAL_TIME', value: 0.25 },
    { statistic: 'MAX', value: 0.25 },
  ]);
  assert.equal(await metrics.describe('no.such.meter'), null);
});
