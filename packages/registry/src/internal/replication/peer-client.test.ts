import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RegistryErrors } from '../../errors.js';
import { failureReason, isRetryable, PeerClient } from './peer-client.js';
import { parsePeerUrl } from './peers.js';
import type { ReplicationTransport } from './transport.js';

const peer = parsePeerUrl('http://u:pw@peer:8762/eureka/')!;
const clientAnswering = (transport: ReplicationTransport) =>
  new PeerClient(peer, transport, () => 50);
const heartbeat = { appName: 'A', id: 'h:a:1', action: 'Heartbeat' } as const;

test('a peer answering 408, 429 or 5xx fails retryably, with the status in a typed field', async () => {
  for (const status of [408, 429, 500, 503]) {
    const error = await clientAnswering(async () => ({ status, body: 'boom' }))
      .postBatch([heartbeat])
      .catch((e: unknown) => e);
    assert.ok(RegistryErrors.PEER_FAILED.is(error), `${status}`);
    assert.equal(error.details.statusCode, status);
    assert.equal(isRetryable(error), true);
    assert.equal(failureReason(error), `HTTP ${status}`);
  }
});

test('any other status is a rejection that is not retried', async () => {
  const error = await clientAnswering(async () => ({ status: 401, body: '' }))
    .fetchApps()
    .catch((e: unknown) => e);
  assert.ok(RegistryErrors.PEER_REJECTED.is(error));
  assert.equal(isRetryable(error), false);
  assert.equal(failureReason(error), 'HTTP 401');
});

test('a network failure names its code, never the URL or its credentials', async () => {
  const error = await clientAnswering(async (request) => {
    throw Object.assign(new Error(`fetch failed for ${request.url}`), {
      cause: { code: 'ECONNREFUSED' },
    });
  })
    .postBatch([heartbeat])
    .catch((e: unknown) => e);
  assert.ok(RegistryErrors.PEER_UNREACHABLE.is(error));
  assert.equal(isRetryable(error), true);
  assert.equal(failureReason(error), 'ECONNREFUSED');
});

test('the reason comes from the typed fields, not from the message', () => {
  const error = RegistryErrors.PEER_FAILED({ message: 'HTTP 999', details: { statusCode: 502 } });
  assert.equal(failureReason(error), 'HTTP 502');
  assert.equal(failureReason(new TypeError('x')), 'TypeError');
  assert.equal(failureReason('not an error'), 'request failed');
});

test('an unreadable answer: a batch response of the wrong length is null, a registry that is not JSON is an error', async () => {
  const batch = await clientAnswering(async () => ({
    status: 200,
    body: JSON.stringify({ responseList: [] }),
  })).postBatch([heartbeat]);
  assert.equal(batch, null);
  const error = await clientAnswering(async () => ({ status: 200, body: '<applications/>' }))
    .fetchApps()
    .catch((e: unknown) => e);
  assert.ok(RegistryErrors.PEER_BAD_RESPONSE.is(error));
  assert.equal(failureReason(error), 'invalid JSON');
});

test('requests carry the peer credentials and the replication header, with the configured timeout', async () => {
  const seen: Parameters<ReplicationTransport>[0][] = [];
  await clientAnswering(async (request) => {
    seen.push(request);
    return { status: 200, body: JSON.stringify({ responseList: [{ statusCode: 200 }] }) };
  }).postBatch([heartbeat]);
  assert.equal(seen[0]?.url, 'http://peer:8762/eureka/peerreplication/batch/');
  assert.equal(seen[0]?.headers.authorization, peer.authorization);
  assert.equal(seen[0]?.headers['x-netflix-discovery-replication'], 'true');
  assert.equal(seen[0]?.timeoutMs, 50);
});
