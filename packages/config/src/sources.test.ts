import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigEnvironment } from './environment.js';
import { environmentVariableCandidates } from './relaxed.js';
import { environmentVariablesSource, javaSystemProperties } from './sources.js';

const envOf = (vars: Record<string, string>) =>
  new ConfigEnvironment([environmentVariablesSource(vars)]);

// Spring Framework's SystemEnvironmentPropertySourceTests.withUppercase: every lookup on the left
// finds the variable on the right.
const FRAMEWORK_TABLE: Array<[string, string]> = [
  ...['A_KEY', 'A.KEY', 'A-KEY', 'a_key', 'a.key', 'a-key'].map(
    (k) => [k, 'a_value'] as [string, string],
  ),
  ...[
    'A_LONG_KEY',
    'A.LONG.KEY',
    'A-LONG-KEY',
    'A.LONG-KEY',
    'A-LONG.KEY',
    'A_long_KEY',
    'A.long.KEY',
    'A-long-KEY',
    'A.long-KEY',
    'A-long.KEY',
  ].map((k) => [k, 'a_long_value'] as [string, string]),
  ...['A_DOT.KEY', 'A-DOT.KEY', 'A_dot.KEY', 'A-dot.KEY'].map(
    (k) => [k, 'a_dot_value'] as [string, string],
  ),
  ...['A_HYPHEN-KEY', 'A.HYPHEN-KEY', 'A_hyphen-KEY', 'A.hyphen-KEY'].map(
    (k) => [k, 'a_hyphen_value'] as [string, string],
  ),
];

test("every lookup of Spring Framework's SystemEnvironmentPropertySource table finds its variable", () => {
  const env = envOf({
    A_KEY: 'a_value',
    A_LONG_KEY: 'a_long_value',
    'A_DOT.KEY': 'a_dot_value',
    'A_HYPHEN-KEY': 'a_hyphen_value',
  });
  for (const [lookup, expected] of FRAMEWORK_TABLE) assert.equal(env.get(lookup), expected, lookup);
  assert.equal(env.get('a.key.missing'), undefined);
});

test('a name is matched as it is first: a.key and a_key set together keep their own values', () => {
  const env = envOf({ a_key: 'a_value', 'a.key': 'a.value' });
  assert.equal(env.get('a_key'), 'a_value');
  assert.equal(env.get('a.key'), 'a.value');
  assert.equal(envOf({ akey: 'avalue' }).get('akey'), 'avalue');
  assert.equal(envOf({ 'a.key': 'a.value' }).get('a.key'), 'a.value');
});

test('docker run -e with dotted and camelCase names, and Kubernetes hyphenated keys, are found', () => {
  const env = envOf({
    'spring.cloud.config.uri': 'http://config-service:8888',
    'eureka.client.serviceUrl.defaultZone': 'http://discovery-service:8761/eureka/',
    'spring.datasource.url': 'jdbc:mysql://mysql:3306/mydb?useSSL=false&serverTimezone=Asia/Seoul',
    'ORDER-SERVICE-URL': 'http://order-service:10000',
    GATEWAY_IP: '192.168.0.8',
  });
  assert.equal(env.get('spring.cloud.config.uri'), 'http://config-service:8888');
  assert.equal(
    env.get('eureka.client.service-url.defaultZone'),
    'http://discovery-service:8761/eureka/',
  );
  assert.equal(
    env.get('eureka.client.serviceUrl.default-zone'),
    'http://discovery-service:8761/eureka/',
  );
  assert.equal(
    env.getObject('eureka.client.service-url')?.['defaultZone'],
    'http://discovery-service:8761/eureka/',
  );
  assert.match(String(env.get('spring.datasource.url')), /serverTimezone=Asia\/Seoul$/);
  for (const key of [
    'order-service-url',
    'order_service_url',
    'ORDER_SERVICE_URL',
    'orderServiceUrl',
  ])
    assert.equal(env.get(key), 'http://order-service:10000', key);
  assert.equal(env.get('gateway.ip'), '192.168.0.8');
  assert.equal(env.get('gateway-ip'), '192.168.0.8', 'the legacy form GATEWAY_IP');
  assert.equal(env.resolve('${gateway_ip}'), '192.168.0.8');
});

test("Spring Boot's mapper forms: SPRING_CLOUD_CONFIG_URI, list indices and dashed segments", () => {
  const env = envOf({
    SPRING_CLOUD_CONFIG_URI: 'http://config:8888',
    EUREKA_CLIENT_SERVICEURL_DEFAULTZONE: 'http://registry/eureka/',
    MY_LIST_0_NAME: 'first',
    FOO_THE_BAR: 'legacy',
    HOST_F00_NAME: 'f00',
  });
  assert.equal(env.get('spring.cloud.config.uri'), 'http://config:8888');
  assert.equal(env.get('eureka.client.serviceUrl.defaultZone'), 'http://registry/eureka/');
  assert.equal(env.get('my.list[0].name'), 'first');
  assert.equal(env.get('foo.the-bar'), 'legacy', 'FOO_THE_BAR, the legacy form of foo.the-bar');
  assert.equal(env.get('host.f00.name'), 'f00');
});

test("environmentVariableCandidates lists Spring Boot's SystemEnvironmentPropertyMapper names", () => {
  // SystemEnvironmentPropertyMapperTests.mapFromConfigurationShouldReturnBestGuess
  const cases: Array<[string, string[]]> = [
    ['server', ['SERVER', 'server']],
    ['server.port', ['SERVER_PORT', 'server_port']],
    ['host[0]', ['HOST_0', 'host_0']],
    ['host[0][1]', ['HOST_0_1', 'host_0_1']],
    ['host[0].name', ['HOST_0_NAME', 'host_0_name']],
    ['host.f00.name', ['HOST_F00_NAME', 'host_f00_name']],
    ['foo.the-bar', ['FOO_THEBAR', 'FOO_THE_BAR', 'foo_thebar', 'foo_the_bar']],
  ];
  for (const [name, expected] of cases) {
    const candidates = environmentVariableCandidates(name);
    for (const e of expected) assert.ok(candidates.includes(e), `${name} → ${e}`);
    assert.equal(candidates[0], name, 'the name as it is comes first');
  }
});

test('names that are not property names (bash functions, empty, spaces) are left out', () => {
  const source = environmentVariablesSource({
    'BASH_FUNC_x%%': '() { :; }',
    _: '/usr/bin/node',
    'WITH SPACE': 'x',
    SERVER_PORT: '8080',
    UNSET: undefined as unknown as string,
  });
  assert.deepEqual(Object.keys(source.properties), ['server.port']);
});

test('javaSystemProperties gives the Java names with Node values', () => {
  const props = javaSystemProperties();
  for (const key of [
    'user.home',
    'user.dir',
    'user.name',
    'java.io.tmpdir',
    'file.separator',
    'path.separator',
    'line.separator',
  ])
    assert.equal(typeof props[key], 'string', key);
  assert.equal(props['user.dir'], process.cwd());
});
