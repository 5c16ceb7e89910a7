import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readApplicationsDocument } from './read-applications.js';

test('a single application or instance object is read as a one-element list', () => {
  const document = readApplicationsDocument({
    applications: {
      apps__hashcode: 'UP_1_',
      application: { name: 'A', instance: { hostName: 'h' } },
    },
  });
  assert.deepEqual(document, { hashcode: 'UP_1_', instances: [{ hostName: 'h' }] });
});

test('a document without applications or application list is unusable, an empty list is not', () => {
  assert.equal(readApplicationsDocument(null), null);
  assert.equal(readApplicationsDocument({ applications: {} }), null);
  assert.equal(readApplicationsDocument({ applications: [] }), null);
  assert.deepEqual(readApplicationsDocument({ applications: { application: [] } }), {
    hashcode: null,
    instances: [],
  });
});

test('entries that are not objects are skipped', () => {
  const document = readApplicationsDocument({
    applications: { application: ['x', { instance: [1, null, { hostName: 'h' }] }] },
  });
  assert.deepEqual(document?.instances, [{ hostName: 'h' }]);
});
