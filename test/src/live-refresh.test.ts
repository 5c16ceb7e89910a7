// Live configuration on the running shop (issue 4, reliability.md §3.C): a change in the config
// repository reaches a service through POST /actuator/refresh without a restart; an invalid
// change is rejected and the old configuration stays; the gateway re-reads its routes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { startStack, REPO_ROOT } from '@stratus/cli';
import { call, freePort, tempDir } from './support.js';

const ADMIN = { authorization: `Basic ${Buffer.from('admin:stratus-dev').toString('base64')}` };

test('refresh applies a new token lifetime without a restart, rejects an invalid one, and re-reads gateway routes', async (t) => {
  const repo = await tempDir(t, 'stratus-refresh-repo-');
  const dataDir = await tempDir(t, 'stratus-refresh-data-');
  await cp(join(REPO_ROOT, 'config-repo'), repo, { recursive: true });
  const stack = await startStack({
    dataDir,
    configRepo: repo,
    registryPort: await freePort(),
    configPort: await freePort(),
    gatewayPort: await freePort(),
    output: null,
  });
  t.after(() => stack.stop());
  const G = stack.urls.gateway;
  const userService = stack.processes.get('user-service')!;
  const users = `http://127.0.0.1:${userService.port}`;
  const pid = userService.child.pid;

  const signup = await call(`${G}/user-service/users`, {
    json: { email: 'grace@example.com', name: 'Grace Hopper', pwd: 'cobol forever 1959' },
  });
  assert.equal(signup.status, 201);
  const tokenLifetimeS = async () => {
    const login = await call(`${G}/user-service/login`, {
      json: { email: 'grace@example.com', password: 'cobol forever 1959' },
    });
    assert.equal(login.status, 200);
    const claims = decodeJwt(login.headers.get('token')!);
    return claims.exp! - claims.iat!;
  };
  assert.equal(await tokenLifetimeS(), 86_400, 'config-repo/application.yml: 24 h');

  const applicationYml = join(repo, 'application.yml');
  const original = await readFile(applicationYml, 'utf8');
  assert.match(original, /expiration_time: 86400000/);
  await writeFile(
    applicationYml,
    original.replace(/expiration_time: 86400000/, 'expiration_time: 60000'),
  );

  const anonymous = await call(`${users}/actuator/refresh`, { method: 'POST' });
  assert.equal(anonymous.status, 401, 'refresh needs the management credentials');
  const refreshed = await call<string[]>(`${users}/actuator/refresh`, {
    method: 'POST',
    headers: ADMIN,
  });
  assert.equal(refreshed.status, 200);
  assert.ok(
    refreshed.body.includes('token.expiration_time'),
    `changed keys: ${JSON.stringify(refreshed.body)}`,
  );
  assert.equal(await tokenLifetimeS(), 60, 'a new login gets the new lifetime');
  assert.equal(userService.child.pid, pid);
  assert.equal(userService.child.exitCode, null, 'no restart');

  await writeFile(
    applicationYml,
    original.replace(/expiration_time: 86400000/, 'expiration_time: soon'),
  );
  const rejected = await call<{ code: string; status: number }>(`${users}/actuator/refresh`, {
    method: 'POST',
    headers: ADMIN,
  });
  assert.equal(rejected.status, 400);
  assert.equal(rejected.body.code, 'BOOT_ERR_REFRESH_REJECTED');
  assert.match(rejected.headers.get('content-type') ?? '', /application\/problem\+json/);
  assert.equal(await tokenLifetimeS(), 60, 'the previous configuration stays');
  assert.equal(userService.child.exitCode, null);

  // The gateway: a new route in apigateway-service.yml is served after the gateway's refresh.
  const gatewayYml = join(repo, 'apigateway-service.yml');
  const routes = await readFile(gatewayYml, 'utf8');
  const anchor = '        # catalog-service: the catalogue is public\n';
  assert.ok(routes.includes(anchor));
  const added = [
    '        - id: shop-catalog-alias',
    '          uri: lb://CATALOG-SERVICE',
    '          predicates:',
    '            - Path=/shop-catalog/**',
    '          filters:',
    '            - RewritePath=/shop-catalog/(?<segment>.*), /$\\{segment}',
    '',
  ].join('\n');
  const before = await call(`${G}/shop-catalog/catalogs`);
  assert.equal(before.status, 404);
  await writeFile(gatewayYml, routes.replace(anchor, added + anchor));
  const gatewayRefresh = await call<string[]>(`${G}/actuator/refresh`, {
    method: 'POST',
    headers: ADMIN,
  });
  assert.equal(gatewayRefresh.status, 200);
  assert.ok(gatewayRefresh.body.some((k) => k.startsWith('spring.cloud.gateway.routes')));
  const after = await call<unknown[]>(`${G}/shop-catalog/catalogs`);
  assert.equal(after.status, 200);
  assert.ok(Array.isArray(after.body));

  // Config server down during a refresh: the service keeps what the server served last.
  await writeFile(
    applicationYml,
    original.replace(/expiration_time: 86400000/, 'expiration_time: 60000'),
  );
  const accepted = await call<string[]>(`${users}/actuator/refresh`, {
    method: 'POST',
    headers: ADMIN,
  });
  assert.deepEqual(accepted.body, [], 'same values as the configuration in use');
  await stack.processes.get('config-service')!.stop();
  const whileDown = await call<string[]>(`${users}/actuator/refresh`, {
    method: 'POST',
    headers: ADMIN,
  });
  assert.equal(whileDown.status, 200, 'refresh fails soft');
  assert.deepEqual(whileDown.body, []);
  assert.equal(await tokenLifetimeS(), 60, 'not the built-in default of 24 h');
  assert.equal(userService.child.exitCode, null);
});
