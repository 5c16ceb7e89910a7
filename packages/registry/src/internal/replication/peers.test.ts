import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePeerUrl, resolvePeers } from './peers.js';

test('a defaultZone URL loses its credentials into a Basic header and gains a trailing slash', () => {
  const peer = parsePeerUrl('http://eureka:s3cret@peer2:8762/eureka');
  assert.equal(peer?.url, 'http://peer2:8762/eureka/');
  assert.equal(peer?.authorization, `Basic ${Buffer.from('eureka:s3cret').toString('base64')}`);
  assert.equal(peer?.host, 'peer2');
  assert.equal(peer?.port, 8762);
  assert.equal(parsePeerUrl('ftp://x/'), null);
  assert.equal(parsePeerUrl('not a url'), null);
});

test('the peers are every other defaultZone entry: self by host:port or self-url, duplicates and junk dropped', () => {
  const zones = [
    'http://localhost:8761/eureka/, http://u:p@peer2:8762/eureka/',
    'http://peer3:8763/eureka/',
    'http://peer3:8763/eureka',
    'junk',
  ];
  const byPort = resolvePeers(zones, { port: 8761, hosts: ['localhost'] });
  assert.deepEqual(
    byPort.peers.map((p) => p.url),
    ['http://peer2:8762/eureka/', 'http://peer3:8763/eureka/'],
  );
  assert.deepEqual(byPort.invalid, ['junk']);
  const bySelfUrl = resolvePeers(zones, {
    selfUrl: 'http://peer3:8763/eureka/',
    port: 0,
    hosts: [],
  });
  assert.deepEqual(
    bySelfUrl.peers.map((p) => p.url),
    ['http://localhost:8761/eureka/', 'http://peer2:8762/eureka/'],
  );
  assert.equal(
    resolvePeers(['http://a:pw@x/'], { port: 0, hosts: [] }).peers[0]?.url.includes('pw'),
    false,
  );
});
