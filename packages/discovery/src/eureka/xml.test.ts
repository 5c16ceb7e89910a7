import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleInstance } from '../testing.js';
import { parseInstance } from './read-instance.js';
import { parseSimpleXml, xmlInstanceToJson } from './read-xml.js';
import { applicationsToXml, instanceToXml } from './write-xml.js';

const XSTREAM_BODY = `<?xml version="1.0" encoding="UTF-8"?>
<instance><instanceId>host:myapp:8080</instanceId><hostName>host</hostName><app>MYAPP</app>
 <ipAddr>10.0.0.5</ipAddr><status>UP</status><overriddenstatus>UNKNOWN</overriddenstatus>
 <port enabled="true">8080</port><securePort enabled="false">443</securePort><countryId>1</countryId>
 <dataCenterInfo class="com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo"><name>MyOwn</name></dataCenterInfo>
 <leaseInfo><renewalIntervalInSecs>30</renewalIntervalInSecs><durationInSecs>45</durationInSecs></leaseInfo>
 <metadata><management.port>8080</management.port><zone__name>a&amp;b</zone__name></metadata>
 <vipAddress>myapp</vipAddress><lastDirtyTimestamp>1700000000000</lastDirtyTimestamp><actionType>ADDED</actionType>
</instance>`;

test('an XStream register body parses into the same instance as JSON', () => {
  const root = parseSimpleXml(XSTREAM_BODY);
  assert.ok(root);
  const result = parseInstance({ instance: xmlInstanceToJson(root) }, 'myapp', 1);
  assert.ok(result.ok);
  assert.equal(result.instance.instanceId, 'host:myapp:8080');
  assert.deepEqual(result.instance.port, { port: 8080, enabled: true });
  assert.equal(result.instance.leaseInfo.durationInSecs, 45);
  assert.deepEqual(result.instance.metadata, { 'management.port': '8080', zone_name: 'a&b' });
  assert.equal(result.instance.lastDirtyTimestamp, 1700000000000);
});

test('XML ports follow XStream defaults: unsecure enabled unless "false", secure only if "true"', () => {
  const root = parseSimpleXml('<instance><port>80</port><securePort>443</securePort></instance>')!;
  assert.deepEqual(xmlInstanceToJson(root), { port: { $: '80' }, securePort: { $: '443' } });
});

test('DOCTYPE, entities, CDATA and unbalanced XML are refused', () => {
  assert.equal(parseSimpleXml('<!DOCTYPE x [<!ENTITY e "x">]><instance>&e;</instance>'), null);
  assert.equal(parseSimpleXml('<instance><![CDATA[x]]></instance>'), null);
  assert.equal(parseSimpleXml('<instance><app>x</instance>'), null);
  assert.equal(parseSimpleXml('<instance>&unknown;</instance>'), null);
  assert.equal(
    parseSimpleXml('<a><b><c><d><e><f><g><h><i>deep</i></h></g></f></e></d></c></b></a>'),
    null,
  );
  assert.equal(parseSimpleXml('<instance/><instance/>'), null);
});

test('instances serialise to XStream XML with overriddenstatus, port attributes and escaped text', () => {
  const xml = instanceToXml(sampleInstance({ metadata: { a$b: '<x>', 'bad key': 'dropped' } }));
  assert.match(
    xml,
    /^<instance><instanceId>host:myapp:8080<\/instanceId><hostName>host<\/hostName>/,
  );
  assert.match(xml, /<overriddenstatus>UNKNOWN<\/overriddenstatus>/);
  assert.match(
    xml,
    /<port enabled="true">8080<\/port><securePort enabled="false">443<\/securePort>/,
  );
  assert.match(xml, /<metadata><a_-b>&#60;x&#62;<\/a_-b><\/metadata>/);
  assert.doesNotMatch(xml, /dropped/);
  assert.match(
    instanceToXml(sampleInstance()),
    /<dataCenterInfo class="com.netflix.appinfo.InstanceInfo\$DefaultDataCenterInfo"><name>MyOwn<\/name><\/dataCenterInfo>/,
  );
  assert.match(
    instanceToXml(sampleInstance()),
    /<metadata class="java.util.Collections\$EmptyMap"\/>/,
  );
});

test('the registry XML envelope carries versions__delta and apps__hashcode', () => {
  const xml = applicationsToXml({
    versionDelta: 1,
    appsHashCode: 'UP_1_',
    applications: [{ name: 'MYAPP', instances: [sampleInstance()] }],
  });
  assert.match(
    xml,
    /^<applications><versions__delta>1<\/versions__delta><apps__hashcode>UP_1_<\/apps__hashcode><application><name>MYAPP<\/name><instance>/,
  );
});
