import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '@stratus/core';
import { buildInstanceInfo } from './instance-info.js';

test('builds the Spring register body with the default instance id, lower-case VIP and Spring key order', () => {
  const info = buildInstanceInfo({
    appName: 'user-service',
    hostName: 'host',
    ipAddr: '10.0.0.5',
    port: 8080,
    clock: createManualClock(1_700_000_000_000),
  });
  assert.deepEqual(Object.keys(info), [
    'instanceId',
    'app',
    'appGroupName',
    'ipAddr',
    'sid',
    'homePageUrl',
    'statusPageUrl',
    'healthCheckUrl',
    'secureHealthCheckUrl',
    'vipAddress',
    'secureVipAddress',
    'countryId',
    'dataCenterInfo',
    'hostName',
    'status',
    'overriddenStatus',
    'leaseInfo',
    'isCoordinatingDiscoveryServer',
    'lastUpdatedTimestamp',
    'lastDirtyTimestamp',
    'actionType',
    'asgName',
    'port',
    'securePort',
    'metadata',
  ]);
  assert.equal(info.instanceId, 'host:user-service:8080');
  assert.equal(info.app, 'USER-SERVICE');
  assert.equal(info.vipAddress, 'user-service');
  assert.equal(info.secureVipAddress, 'user-service');
  assert.equal(info.statusPageUrl, 'http://host:8080/actuator/info');
  assert.equal(info.healthCheckUrl, 'http://host:8080/actuator/health');
  assert.equal(info.homePageUrl, 'http://host:8080/');
  assert.deepEqual(info.port, { $: 8080, '@enabled': 'true' });
  assert.deepEqual(info.securePort, { $: 443, '@enabled': 'false' });
  assert.deepEqual(info.dataCenterInfo, {
    '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo',
    name: 'MyOwn',
  });
  assert.equal(info.status, 'UP');
  assert.equal(info.overriddenStatus, 'UNKNOWN');
  assert.deepEqual(info.leaseInfo, {
    renewalIntervalInSecs: 30,
    durationInSecs: 90,
    registrationTimestamp: 0,
    lastRenewalTimestamp: 0,
    evictionTimestamp: 0,
    serviceUpTimestamp: 0,
  });
  assert.equal(info.lastDirtyTimestamp, 1_700_000_000_000);
  assert.equal(JSON.stringify(info).includes('"appGroupName":null'), true);
});

test('explicit options override every default', () => {
  const info = buildInstanceInfo({
    appName: 'Shop',
    hostName: 'h',
    ipAddr: '1.1.1.1',
    port: 1,
    instanceId: 'custom',
    securePort: 8443,
    metadata: { zone: 'a' },
    statusPageUrl: 'http://x/info',
    healthCheckUrl: 'http://x/health',
    homePageUrl: 'http://x/',
    leaseRenewalIntervalInSecs: 1,
    leaseExpirationDurationInSecs: 3,
    status: 'STARTING',
    vipAddress: 'shop,store',
  });
  assert.equal(info.instanceId, 'custom');
  assert.deepEqual(info.securePort, { $: 8443, '@enabled': 'true' });
  assert.deepEqual(info.metadata, { zone: 'a' });
  assert.equal(info.leaseInfo.durationInSecs, 3);
  assert.equal(info.leaseInfo.renewalIntervalInSecs, 1);
  assert.equal(info.status, 'STARTING');
  assert.equal(info.vipAddress, 'shop,store');
  assert.equal(info.statusPageUrl, 'http://x/info');
});
