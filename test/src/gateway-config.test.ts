// The gateway as `stratus gateway` runs it: routes and settings from the config server (Gateway
// 4.3's spring.cloud.gateway.server.webflux.* prefix), /actuator/gateway/*, the
// spring_cloud_gateway_requests_seconds timer, and routes replaced on POST /actuator/refresh
// without dropping a request in flight; an invalid refresh keeps the old routes.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Fastify from 'fastify';
import { createSilentLogger } from '@stratus/core';
import { createConfigServer } from '@stratus/config-server';
import { createGateway } from '@stratus/gateway';
import { call, tempDir } from './support.js';

const logger = createSilentLogger();
const ADMIN = { authorization: `Basic ${Buffer.from('admin:pw').toString('base64')}` };

/** An upstream that answers after `?delay=ms`, naming itself and echoing the headers it got. */
async function startUpstream(t: TestContext, name: string): Promise<string> {
  const app = Fastify();
  app.all('/*', async (request) => {
    const delay = Number((request.query as { delay?: string }).delay ?? 0);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    return { name, url: request.url, headers: request.headers };
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  t.after(() => app.close());
  return url;
}

const gatewayYml = (first: string, second: string, extraFilter = '') => `
spring:
  cloud:
    gateway:
      server:
        webflux:
          routes:
            - id: first-service
              uri: ${first}
              predicates:
                - Path=/first-service/**
              filters:
                - AddRequestHeader=first-request, first-request-header-by-yaml
                - AddResponseHeader=first-response, first-response-header-by-yaml
                ${extraFilter}
            - id: second-service
              uri: ${second}
              predicates:
                - Path=/second-service/**
`;

async function startConfigServer(t: TestContext, repo: string): Promise<string> {
  const data = await tempDir(t, 'stratus-gw-cs-data-');
  const app = await createConfigServer({
    argv: [
      '--server.port=0',
      '--server.address=127.0.0.1',
      '--spring.profiles.active=native',
      `--spring.cloud.config.server.native.search-locations=file:${repo}`,
      '--eureka.client.enabled=false',
      '--spring.config.import=',
      `--stratus.data-dir=${data}`,
    ],
    env: {},
    logger,
  });
  t.after(() => app.close());
  await app.start();
  return app.url;
}

async function startConfiguredGateway(t: TestContext, configUrl: string, flags: string[] = []) {
  const data = await tempDir(t, 'stratus-gw-data-');
  const gateway = await createGateway({
    argv: [
      '--server.port=0',
      '--server.address=127.0.0.1',
      '--eureka.client.enabled=false',
      `--spring.config.import=configserver:${configUrl}`,
      `--stratus.data-dir=${data}`,
      '--spring.security.user.name=admin',
      '--spring.security.user.password=pw',
      '--management.endpoints.web.exposure.include=health,info,prometheus,refresh,gateway',
      ...flags,
    ],
    env: {},
    logger,
  });
  t.after(() => gateway.close());
  await gateway.start();
  return gateway;
}

test('routes from the config server serve, and the gateway actuator is read-only and behind credentials', async (t) => {
  const repo = await tempDir(t, 'stratus-gw-repo-');
  const first = await startUpstream(t, 'first');
  const second = await startUpstream(t, 'second');
  await writeFile(join(repo, 'apigateway-service.yml'), gatewayYml(first, second));
  const gateway = await startConfiguredGateway(t, await startConfigServer(t, repo));
  const G = gateway.url;

  const routed = await call<{ name: string; url: string; headers: Record<string, string> }>(
    `${G}/first-service/welcome`,
  );
  assert.equal(routed.status, 200);
  assert.equal(routed.body.name, 'first');
  assert.equal(routed.body.headers['first-request'], 'first-request-header-by-yaml');
  assert.equal(routed.headers.get('first-response'), 'first-response-header-by-yaml');

  assert.equal((await call(`${G}/actuator/gateway/routes`)).status, 401);
  const routes = await call<{ route_id: string; uri: string; filters: string[] }[]>(
    `${G}/actuator/gateway/routes`,
    { headers: ADMIN },
  );
  assert.equal(routes.status, 200);
  assert.deepEqual(
    routes.body.map((route) => route.route_id),
    ['first-service', 'second-service'],
  );
  assert.match(
    routes.body[0]?.filters[0] ?? '',
    /^\[\[AddRequestHeader first-request, first-request-header-by-yaml\], order = 1\]$/,
  );
  const filters = await call<Record<string, null>>(`${G}/actuator/gateway/routefilters`, {
    headers: ADMIN,
  });
  assert.ok('RequestRateLimiterGatewayFilterFactory' in filters.body);
  const write = await call(`${G}/actuator/gateway/routes/evil`, {
    method: 'POST',
    headers: ADMIN,
    json: { uri: 'http://127.0.0.1:1', predicates: ['Path=/evil/**'] },
  });
  assert.equal(write.status, 404, 'no route-writing operation without access: unrestricted');

  const metrics = await call<string>(`${G}/actuator/prometheus`);
  assert.match(
    metrics.body,
    /spring_cloud_gateway_requests_seconds_count\{[^}]*routeId="first-service"[^}]*outcome="SUCCESSFUL"[^}]*status="OK"[^}]*httpStatusCode="200"[^}]*httpMethod="GET"[^}]*\} 1/,
  );
  assert.match(
    metrics.body,
    /spring_cloud_gateway_requests_seconds_max\{[^}]*routeId="first-service"/,
  );
});

test('a refresh replaces the routes without dropping the request in flight; an unknown filter is refused and the old routes stay', async (t) => {
  const repo = await tempDir(t, 'stratus-gw-repo-');
  const first = await startUpstream(t, 'first');
  const second = await startUpstream(t, 'second');
  const file = join(repo, 'apigateway-service.yml');
  await writeFile(file, gatewayYml(first, second));
  const gateway = await startConfiguredGateway(t, await startConfigServer(t, repo));
  const G = gateway.url;

  const inFlight = call<{ name: string }>(`${G}/first-service/slow?delay=1500`);
  await new Promise((resolve) => setTimeout(resolve, 200));
  await writeFile(file, gatewayYml(second, first, '- AddRequestHeader=X-Refreshed, yes'));
  const refreshed = await call<string[]>(`${G}/actuator/refresh`, {
    method: 'POST',
    headers: ADMIN,
  });
  assert.equal(refreshed.status, 200);
  assert.ok(
    refreshed.body.some((key) => key.startsWith('spring.cloud.gateway.server.webflux.routes')),
    JSON.stringify(refreshed.body),
  );
  const old = await inFlight;
  assert.equal(old.status, 200, 'the request routed before the refresh finished on the old route');
  assert.equal(old.body.name, 'first');
  const now = await call<{ name: string; headers: Record<string, string> }>(`${G}/first-service/x`);
  assert.equal(now.body.name, 'second');
  assert.equal(now.body.headers['x-refreshed'], 'yes');

  await writeFile(file, gatewayYml(first, second, '- NoSuchFilter=1'));
  const rejected = await call<{ code: string; detail: string }>(`${G}/actuator/refresh`, {
    method: 'POST',
    headers: ADMIN,
  });
  assert.equal(rejected.status, 400);
  assert.equal(rejected.body.code, 'BOOT_ERR_REFRESH_REJECTED');
  assert.match(JSON.stringify(rejected.body), /first-service.*NoSuchFilter: unknown filter/);
  const still = await call<{ name: string }>(`${G}/first-service/x`);
  assert.equal(still.body.name, 'second', 'the previous routes keep serving');
});

test('with access unrestricted, routes can be saved and removed through the actuator; expressions are refused', async (t) => {
  const repo = await tempDir(t, 'stratus-gw-repo-');
  const first = await startUpstream(t, 'first');
  await writeFile(join(repo, 'apigateway-service.yml'), gatewayYml(first, first));
  const gateway = await startConfiguredGateway(t, await startConfigServer(t, repo), [
    '--management.endpoint.gateway.access=unrestricted',
  ]);
  const G = gateway.url;
  const evil = await call<{ code: string }>(`${G}/actuator/gateway/routes/evil`, {
    method: 'POST',
    headers: ADMIN,
    json: {
      uri: first,
      predicates: ['Path=/evil/**'],
      filters: ['AddResponseHeader=X-Out, #{T(java.lang.Runtime).getRuntime().exec("id")}'],
    },
  });
  assert.equal(evil.status, 400);
  assert.equal(evil.body.code, 'GW_ERR_INVALID_ROUTE');
  const anonymous = await call(`${G}/actuator/gateway/routes/added`, {
    method: 'POST',
    json: { uri: first },
  });
  assert.equal(anonymous.status, 401);
  const saved = await call(`${G}/actuator/gateway/routes/added`, {
    method: 'POST',
    headers: ADMIN,
    json: { uri: first, predicates: ['Path=/added/**'], filters: ['SetPath=/from-actuator'] },
  });
  assert.equal(saved.status, 201);
  assert.equal((await call(`${G}/added/x`)).status, 404, 'saved routes apply on refresh');
  assert.equal(
    (await call(`${G}/actuator/gateway/refresh`, { method: 'POST', headers: ADMIN })).status,
    200,
  );
  const added = await call<{ url: string }>(`${G}/added/x`);
  assert.equal(added.body.url, '/from-actuator');
  assert.equal(
    (await call(`${G}/actuator/gateway/routes/added`, { method: 'DELETE', headers: ADMIN })).status,
    200,
  );
  await call(`${G}/actuator/gateway/refresh`, { method: 'POST', headers: ADMIN });
  assert.equal((await call(`${G}/added/x`)).status, 404);
});

test('an unknown stratus.gateway key stops the start with its file and key', async (t) => {
  const repo = await tempDir(t, 'stratus-gw-repo-');
  await mkdir(repo, { recursive: true });
  await writeFile(
    join(repo, 'apigateway-service.yml'),
    'stratus:\n  gateway:\n    max-conections-per-client: 5\n',
  );
  const configUrl = await startConfigServer(t, repo);
  const data = await tempDir(t, 'stratus-gw-data-');
  await assert.rejects(
    createGateway({
      argv: [
        '--server.port=0',
        '--eureka.client.enabled=false',
        `--spring.config.import=configserver:${configUrl}`,
        `--stratus.data-dir=${data}`,
      ],
      env: {},
      logger,
    }),
    (error: unknown) =>
      (error as { code?: string }).code === 'GW_ERR_INVALID_OPTIONS' &&
      /apigateway-service\.yml.*stratus\.gateway\.max-conections-per-client: unknown setting/.test(
        String((error as Error).message),
      ),
  );
});
