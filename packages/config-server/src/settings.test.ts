import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSilentLogger, isStratusError, Secret } from '@stratus/core';
import { ConfigEnvironment } from '@stratus/config';
import { tempTree } from '@stratus/testing';
import { CONFIG_SERVER_DEFAULTS } from './defaults.js';
import { bindConfigServerSettings } from './internal/settings.js';
import { createConfigServer } from './server.js';

function environment(properties: Record<string, unknown>): ConfigEnvironment {
  return new ConfigEnvironment([{ name: 'commandLineArgs', properties }]);
}

test("an empty configuration binds to Spring's defaults, frozen", () => {
  const settings = bindConfigServerSettings(environment({}));
  assert.equal(settings.git.refreshRateMs, 0);
  assert.equal(settings.git.timeoutMs, 5000);
  assert.equal(settings.git.cloneOnStart, false);
  assert.equal(settings.git.uri, undefined);
  assert.deepEqual(settings.searchLocations, ['file:./config-repo']);
  assert.equal(settings.decryptOnServer, true);
  assert.equal(settings.securityEnabled, false);
  assert.ok(Object.isFrozen(settings) && Object.isFrozen(settings.git));
  assert.ok(Object.isFrozen(CONFIG_SERVER_DEFAULTS));
});

test('git settings bind by their Spring names and units, repos by name', () => {
  const settings = bindConfigServerSettings(
    environment({
      'spring.cloud.config.server.git.uri': 'https://git.example/config.git',
      'spring.cloud.config.server.git.password': 'token-1',
      'spring.cloud.config.server.git.refreshRate': '30',
      'spring.cloud.config.server.git.timeout': '2s',
      'spring.cloud.config.server.git.clone-on-start': 'true',
      'spring.cloud.config.server.git.search-paths[0]': '{application}',
      'spring.cloud.config.server.git.repos.team-a.uri': 'file:./team-a',
      'spring.cloud.config.server.git.repos.team-a.pattern': 'orders*,billing*/dev',
    }),
  );
  assert.equal(settings.git.uri, 'https://git.example/config.git');
  assert.ok(settings.git.password instanceof Secret);
  assert.equal(settings.git.refreshRateMs, 30_000, 'refresh-rate is in seconds, as in Spring');
  assert.equal(settings.git.timeoutMs, 2000);
  assert.equal(settings.git.cloneOnStart, true);
  assert.deepEqual(settings.git.searchPaths, ['{application}']);
  assert.deepEqual(settings.git.repos['team-a']?.pattern, ['orders*', 'billing*/dev']);
});

function problemsOf(error: unknown): string[] {
  assert.ok(isStratusError(error), String(error));
  assert.equal(error.code, 'CFG_ERR_INVALID_CONFIG');
  return error.details['problems'] as string[];
}

test('a mistyped stratus.config-server key and a bad git value stop start-up, each named', async () => {
  await assert.rejects(
    createConfigServer({
      argv: [
        '--server.port=0',
        '--server.address=127.0.0.1',
        '--eureka.client.enabled=false',
        '--spring.cloud.config.server.git.uri=file:./nowhere',
        '--spring.cloud.config.server.git.timeout=soon',
        '--stratus.config-server.security.enabeld=true',
      ],
      env: {},
      logger: createSilentLogger(),
    }),
    (error: unknown) => {
      assert.deepEqual(problemsOf(error), [
        "spring.cloud.config.server.git.timeout (commandLineArgs): 'soon' is not a duration (like 5s or 500ms)",
        'stratus.config-server.security.enabeld (commandLineArgs): not a setting of stratus.config-server; did you mean stratus.config-server.security.enabled?',
      ]);
      return true;
    },
  );
});

test('a refresh re-binds the settings, and a refresh with a bad value is refused', async (t) => {
  const root = tempTree(t, { 'app.yml': 'greeting: hello\n' });
  const env: Record<string, string | undefined> = {};
  const app = await createConfigServer({
    argv: [
      '--server.port=0',
      '--server.address=127.0.0.1',
      '--eureka.client.enabled=false',
      `--spring.cloud.config.server.native.search-locations=file:${root}`,
      '--spring.security.user.password=pw-123',
    ],
    env,
    logger: createSilentLogger(),
  });
  t.after(() => app.close());
  await app.start();
  const url = `http://127.0.0.1:${app.port}/app/default`;
  assert.equal((await fetch(url)).status, 200);

  env['STRATUS_CONFIGSERVER_SECURITY_ENABLED'] = 'true';
  await app.config.refresh();
  assert.equal((await fetch(url)).status, 401, 'the refreshed setting applies at once');

  env['STRATUS_CONFIGSERVER_SECURITY_ENABLED'] = 'maybe';
  await assert.rejects(app.config.refresh(), (error: unknown) => {
    assert.ok(isStratusError(error));
    assert.equal(error.code, 'BOOT_ERR_REFRESH_REJECTED');
    assert.match(JSON.stringify(error.details), /stratus\.config-server\.security\.enabled/);
    return true;
  });
  assert.equal((await fetch(url)).status, 401, 'the old settings stay');
});

test('a config server with neither a git uri nor the native profile says so and starts nothing', async () => {
  await assert.rejects(
    createConfigServer({
      argv: ['--server.port=0', '--eureka.client.enabled=false', '--spring.profiles.active=dev'],
      env: {},
      logger: createSilentLogger(),
    }),
    (error: unknown) => {
      assert.deepEqual(problemsOf(error), [
        'spring.cloud.config.server.git.uri: required without the native profile',
      ]);
      return true;
    },
  );
});
