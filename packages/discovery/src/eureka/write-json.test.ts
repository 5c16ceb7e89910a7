import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleInstance } from '../testing.js';
import { appsHashCode } from './model.js';
import {
  applicationsToJson,
  applicationToJson,
  instanceJson,
  instanceToJson,
} from './write-json.js';

test('an instance serialises with Eureka key order, @Auto fields as strings and nulls omitted', () => {
  const json = instanceJson(
    sampleInstance({ metadata: { 'management.port': '8080' }, actionType: 'ADDED' }),
  );
  assert.deepEqual(Object.keys(json), [
    'instanceId',
    'hostName',
    'app',
    'ipAddr',
    'status',
    'overriddenStatus',
    'port',
    'securePort',
    'countryId',
    'dataCenterInfo',
    'leaseInfo',
    'metadata',
    'homePageUrl',
    'statusPageUrl',
    'healthCheckUrl',
    'vipAddress',
    'secureVipAddress',
    'isCoordinatingDiscoveryServer',
    'lastUpdatedTimestamp',
    'lastDirtyTimestamp',
    'actionType',
  ]);
  assert.equal(json.isCoordinatingDiscoveryServer, 'false');
  assert.equal(json.lastDirtyTimestamp, '1000');
  assert.equal(json.countryId, 1);
  assert.deepEqual(json.port, { $: 8080, '@enabled': 'true' });
  assert.deepEqual(json.securePort, { $: 443, '@enabled': 'false' });
  assert.deepEqual(json.dataCenterInfo, {
    '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo',
    name: 'MyOwn',
  });
  assert.deepEqual(json.metadata, { 'management.port': '8080' });
});

test('an empty metadata map carries the Java EmptyMap class and sid "na" is omitted', () => {
  const json = instanceJson(sampleInstance());
  assert.deepEqual(json.metadata, { '@class': 'java.util.Collections$EmptyMap' });
  assert.equal('sid' in json, false);
  assert.equal(instanceJson(sampleInstance({ sid: 'abc' })).sid, 'abc');
});

test('an instance without instanceId omits the key and Amazon data centers keep their metadata', () => {
  const json = instanceJson(
    sampleInstance({
      instanceId: '',
      dataCenterInfo: {
        className: 'com.netflix.appinfo.AmazonInfo',
        name: 'Amazon',
        metadata: { 'instance-id': 'i-1' },
      },
    }),
  );
  assert.equal('instanceId' in json, false);
  assert.deepEqual(json.dataCenterInfo, {
    '@class': 'com.netflix.appinfo.AmazonInfo',
    name: 'Amazon',
    metadata: { 'instance-id': 'i-1' },
  });
});

test('an empty registry is versions__delta "1", an empty hashcode and an empty application array', () => {
  assert.equal(
    applicationsToJson({ versionDelta: 1, appsHashCode: '', applications: [] }),
    '{"applications":{"versions__delta":"1","apps__hashcode":"","application":[]}}',
  );
});

test('application and instance are arrays even with one element, and single wrappers are objects', () => {
  const instance = sampleInstance();
  const application = { name: 'MYAPP', instances: [instance] };
  const body = JSON.parse(
    applicationsToJson({ versionDelta: 1, appsHashCode: 'UP_1_', applications: [application] }),
  );
  assert.equal(body.applications.apps__hashcode, 'UP_1_');
  assert.ok(Array.isArray(body.applications.application));
  assert.ok(Array.isArray(body.applications.application[0].instance));
  assert.equal(body.applications.application[0].name, 'MYAPP');
  const app = JSON.parse(applicationToJson(application));
  assert.ok(Array.isArray(app.application.instance));
  const one = JSON.parse(instanceToJson(instance));
  assert.equal(one.instance.instanceId, 'host:myapp:8080');
});

test('applications with no instances are left out', () => {
  const json = applicationsToJson({
    versionDelta: 1,
    appsHashCode: '',
    applications: [{ name: 'EMPTY', instances: [] }],
  });
  assert.equal(JSON.parse(json).applications.application.length, 0);
});

test('the hashcode counts every status, sorted by status name', () => {
  assert.equal(appsHashCode([]), '');
  assert.equal(
    appsHashCode([
      { status: 'UP' },
      { status: 'DOWN' },
      { status: 'UP' },
      { status: 'OUT_OF_SERVICE' },
      { status: 'UP' },
    ]),
    'DOWN_1_OUT_OF_SERVICE_1_UP_3_',
  );
});
