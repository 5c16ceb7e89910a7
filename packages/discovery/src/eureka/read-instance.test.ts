import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '@stratus/core';
import { buildInstanceInfo, instanceInfoOf } from '../instance-info.js';
import { DEFAULT_DATA_CENTER_CLASS } from './model.js';
import { instanceIdOfRaw, parseInstance } from './read-instance.js';

const springBody = {
  instance: {
    instanceId: 'host:myapp:8080',
    app: 'MYAPP',
    appGroupName: null,
    ipAddr: '10.0.0.5',
    sid: 'na',
    homePageUrl: 'http://host:8080/',
    statusPageUrl: 'http://host:8080/actuator/info',
    healthCheckUrl: 'http://host:8080/actuator/health',
    secureHealthCheckUrl: null,
    vipAddress: 'myapp',
    secureVipAddress: 'myapp',
    countryId: 1,
    dataCenterInfo: {
      '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo',
      name: 'MyOwn',
    },
    hostName: 'host',
    status: 'UP',
    overriddenStatus: 'UNKNOWN',
    leaseInfo: {
      renewalIntervalInSecs: 30,
      durationInSecs: 90,
      registrationTimestamp: 0,
      lastRenewalTimestamp: 0,
      evictionTimestamp: 0,
      serviceUpTimestamp: 0,
    },
    isCoordinatingDiscoveryServer: false,
    lastUpdatedTimestamp: 1700000000000,
    lastDirtyTimestamp: 1700000000000,
    actionType: null,
    asgName: null,
    port: { $: 8080, '@enabled': 'true' },
    securePort: { $: 443, '@enabled': 'false' },
    metadata: { 'management.port': '8080' },
  },
};

const ok = (body: unknown, app = 'MYAPP') => {
  const result = parseInstance(body, app, 42);
  assert.equal(result.ok, true, result.ok ? '' : result.message);
  return (result as Extract<typeof result, { ok: true }>).instance;
};

const message = (body: unknown, app = 'MYAPP'): string => {
  const result = parseInstance(body, app, 42);
  assert.equal(result.ok, false);
  return (result as Extract<typeof result, { ok: false }>).message;
};

test('the body Spring sends parses field for field', () => {
  const instance = ok(springBody);
  assert.equal(instance.instanceId, 'host:myapp:8080');
  assert.deepEqual(instance.port, { port: 8080, enabled: true });
  assert.deepEqual(instance.securePort, { port: 443, enabled: false });
  assert.equal(instance.lastDirtyTimestamp, 1700000000000);
  assert.deepEqual(instance.metadata, { 'management.port': '8080' });
  assert.equal(instance.secureHealthCheckUrl, null);
});

test('the eureka-js-client body parses: lower-case app, no instanceId, no lease info', () => {
  const instance = ok(
    {
      instance: {
        app: 'jqservice',
        hostName: 'localhost',
        ipAddr: '127.0.0.1',
        port: { $: 8080, '@enabled': 'true' },
        vipAddress: 'jq.test.something.com',
        dataCenterInfo: {
          '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo',
          name: 'MyOwn',
        },
        status: 'UP',
      },
    },
    'jqservice',
  );
  assert.equal(instance.app, 'JQSERVICE');
  assert.equal(instance.instanceId, '');
  assert.equal(instance.leaseInfo.durationInSecs, 90);
  assert.equal(instance.lastDirtyTimestamp, 42);
  assert.deepEqual(instance.securePort, { port: 7002, enabled: false });
});

test('ports are read from a number, a string or an object with a boolean @enabled', () => {
  const with_ = (port: unknown, securePort?: unknown) =>
    ok({ instance: { ...springBody.instance, port, securePort } });
  assert.deepEqual(with_(9000).port, { port: 9000, enabled: true });
  assert.deepEqual(with_('9001').port, { port: 9001, enabled: true });
  assert.deepEqual(with_({ $: '9002', '@enabled': false }).port, { port: 9002, enabled: false });
  assert.deepEqual(with_(9000, { $: 8443, '@enabled': true }).securePort, {
    port: 8443,
    enabled: true,
  });
  assert.equal(message({ instance: { ...springBody.instance, port: 'http' } }), 'Invalid port');
  assert.equal(message({ instance: { ...springBody.instance, port: 70000 } }), 'Invalid port');
});

test('the legacy overriddenstatus spelling is read and unknown statuses become UNKNOWN', () => {
  const { overriddenStatus: _drop, ...rest } = springBody.instance;
  assert.equal(
    ok({ instance: { ...rest, overriddenstatus: 'OUT_OF_SERVICE' } }).overriddenStatus,
    'OUT_OF_SERVICE',
  );
  assert.equal(ok({ instance: { ...rest } }).overriddenStatus, 'UNKNOWN');
  assert.equal(ok({ instance: { ...springBody.instance, status: 'SLEEPY' } }).status, 'UNKNOWN');
});

test('metadata drops @class and a missing dataCenterInfo @class is inferred from the name', () => {
  const instance = ok({
    instance: {
      ...springBody.instance,
      metadata: { '@class': 'java.util.Collections$EmptyMap' },
      dataCenterInfo: { name: 'Amazon', metadata: { 'instance-id': 'i-9' } },
    },
  });
  assert.deepEqual(instance.metadata, {});
  assert.equal(instance.dataCenterInfo.className, 'com.netflix.appinfo.AmazonInfo');
  assert.equal(
    ok({ instance: { ...springBody.instance, dataCenterInfo: { name: 'MyOwn' } } }).dataCenterInfo
      .className,
    'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo',
  );
});

test('timestamps and flags arrive as numbers, strings or booleans', () => {
  const instance = ok({
    instance: {
      ...springBody.instance,
      lastDirtyTimestamp: '1700000000001',
      isCoordinatingDiscoveryServer: 'true',
      lastUpdatedTimestamp: true,
    },
  });
  assert.equal(instance.lastDirtyTimestamp, 1700000000001);
  assert.equal(instance.lastUpdatedTimestamp, 42);
  assert.equal(instance.isCoordinatingDiscoveryServer, true);
  assert.equal(
    message({ instance: { ...springBody.instance, lastDirtyTimestamp: 'yesterday' } }),
    'Invalid lastDirtyTimestamp',
  );
});

test('missing fields get Eureka messages, checked in Eureka order', () => {
  const base = springBody.instance;
  assert.equal(
    message({ instance: { ...base, instanceId: '', hostName: '' } }),
    'Missing instanceId',
  );
  assert.equal(message({ instance: { ...base, hostName: ' ' } }), 'Missing hostname');
  assert.equal(message({ instance: { ...base, ipAddr: null } }), 'Missing ip address');
  assert.equal(message({ instance: { ...base, app: undefined } }), 'Missing appName');
  assert.equal(
    message({ instance: base }, 'other'),
    'Mismatched appName, expecting OTHER but was MYAPP',
  );
  assert.equal(
    message({ instance: { ...base, dataCenterInfo: undefined } }),
    'Missing dataCenterInfo',
  );
  assert.equal(
    message({ instance: { ...base, dataCenterInfo: { '@class': 'x' } } }),
    'Missing dataCenterInfo Name',
  );
  assert.equal(message('not an object'), 'Missing instance');
});

test('the app name in the path is compared upper-cased', () => {
  assert.equal(ok(springBody, 'myapp').app, 'MYAPP');
});

test('the register body Spring sends, as buildInstanceInfo writes it, reads back to the same model', () => {
  const options = {
    appName: 'user-service',
    hostName: 'h',
    ipAddr: '10.0.0.5',
    port: 8080,
    securePort: 8443,
    metadata: { zone: 'a' },
    clock: createManualClock(1_700_000_000_000),
  };
  const body = JSON.parse(JSON.stringify({ instance: buildInstanceInfo(options) }));
  assert.deepEqual(ok(body, 'user-service'), instanceInfoOf(options));
  assert.equal(instanceInfoOf(options).dataCenterInfo.className, DEFAULT_DATA_CENTER_CLASS);
});

test('the id of a registry document instance follows Eureka: instanceId, else the AWS id, else the host', () => {
  assert.equal(instanceIdOfRaw({ instanceId: ' h:a:1 ', hostName: 'h' }), 'h:a:1');
  assert.equal(instanceIdOfRaw({ hostName: 'h' }), 'h');
  assert.equal(
    instanceIdOfRaw({
      hostName: 'h',
      dataCenterInfo: { name: 'Amazon', metadata: { 'instance-id': 'i-1' } },
    }),
    'i-1',
  );
  assert.equal(instanceIdOfRaw({}), '');
});
