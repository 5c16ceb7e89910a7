import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseApplications } from './parse-apps.js';

test('reads instances from arrays or single objects and prefers an enabled secure port', () => {
  const parsed = parseApplications({
    applications: {
      application: {
        name: 'A',
        instance: {
          instanceId: 'h:a:1',
          app: 'a',
          hostName: 'h',
          vipAddress: 'a',
          status: 'UP',
          port: { $: 1, '@enabled': 'true' },
          securePort: { $: 8443, '@enabled': 'true' },
          metadata: { '@class': 'java.util.Collections$EmptyMap' },
        },
      },
    },
  });
  assert.deepEqual(parsed, [
    {
      instanceId: 'h:a:1',
      serviceId: 'A',
      vipAddress: 'a',
      host: 'h',
      port: 8443,
      secure: true,
      uri: 'https://h:8443',
      status: 'UP',
      metadata: {},
    },
  ]);
});

test('a missing application list is unusable, an empty one is an empty registry, bad instances are skipped', () => {
  assert.equal(parseApplications({ applications: {} }), null);
  assert.equal(parseApplications({}), null);
  assert.equal(parseApplications(null), null);
  assert.deepEqual(parseApplications({ applications: { application: [] } }), []);
  const parsed = parseApplications({
    applications: {
      application: [
        {
          instance: [
            { app: 'A', hostName: 'h', port: 'x' },
            { app: 'A', hostName: 'h', port: 80 },
          ],
        },
      ],
    },
  });
  assert.equal(parsed?.length, 1);
  assert.equal(parsed?.[0]?.instanceId, 'h');
  assert.equal(parsed?.[0]?.status, 'UNKNOWN');
});
