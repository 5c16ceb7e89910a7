import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { GatewayErrors } from './errors.js';
import {
  client,
  startUpstream,
  staticBalancer,
  type SeenRequest,
} from './internal/test-servers.js';
import { registerGateway } from './gateway.js';
import { routes } from './route-builder.js';
import { parseGatewayDefinitions } from './route-definition.js';
import Fastify from 'fastify';

test('the builder produces the definitions the equivalent YAML produces', () => {
  const built = routes()
    .defaultFilters((f) =>
      f.filter('GlobalFilter', {
        baseMessage: 'Spring Cloud Gateway Global Filter',
        preLogger: true,
        postLogger: true,
      }),
    )
    .route('user-service', (r) =>
      r
        .path('/user-service/**')
        .and()
        .method('GET')
        .order(1)
        .metadata('response-timeout', 200)
        .filters((f) =>
          f
            .removeRequestHeader('Cookie')
            .rewritePath('/user-service/(?<segment>.*)', '/${segment}')
            .authorizationHeader(),
        )
        .uri('lb://USER-SERVICE'),
    )
    .build();
  const yaml = parseGatewayDefinitions(
    parseYaml(`
default-filters:
  - name: GlobalFilter
    args: { baseMessage: Spring Cloud Gateway Global Filter, preLogger: true, postLogger: true }
routes:
  - id: user-service
    uri: lb://USER-SERVICE
    order: 1
    metadata: { response-timeout: 200 }
    predicates:
      - name: Path
        args: { patterns: [/user-service/**] }
      - name: Method
        args: { methods: [GET] }
    filters:
      - name: RemoveRequestHeader
        args: { name: Cookie }
      - name: RewritePath
        args:
          regexp: /user-service/(?<segment>.*)
          replacement: /$\\{segment}
      - name: AuthorizationHeaderFilter
`),
  );
  assert.deepEqual(JSON.parse(JSON.stringify(built)), JSON.parse(JSON.stringify(yaml)));
});

test('built routes serve like YAML ones: Retry, rate limits and rewrites with typed arguments', async (t) => {
  const upstream = await startUpstream(t);
  const app = Fastify();
  registerGateway(app, {
    definitions: routes()
      .route('catalog', (r) =>
        r
          .path('/catalog-service/**')
          .filters((f) =>
            f
              .rewritePath('/catalog-service/(?<segment>.*)', '/${segment}')
              .retry({
                retries: 2,
                methods: ['GET'],
                backoff: { firstBackoff: '10ms', maxBackoff: '50ms' },
              })
              .requestRateLimiter({
                replenishRate: 10,
                burstCapacity: 20,
                keyResolver: 'remoteAddrKeyResolver',
              })
              .addResponseHeader('X-Built', 'yes'),
          )
          .uri('lb://CATALOG-SERVICE'),
      )
      .build(),
    loadBalancer: staticBalancer({ 'CATALOG-SERVICE': [upstream.origin] }),
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  t.after(() => app.close());
  const response = await client(t)(`${url}/catalog-service/catalogs`);
  assert.equal(response.statusCode, 200);
  assert.equal(response.headers['x-built'], 'yes');
  assert.equal(response.headers['x-ratelimit-remaining'], '19');
  assert.equal(((await response.body.json()) as SeenRequest).url, '/catalogs');
});

test('the builder refuses expressions as YAML does', () => {
  assert.throws(
    () =>
      routes()
        .route('x', (r) =>
          r
            .path('/x')
            .filters((f) => f.addResponseHeader('X', '#{T(java.lang.Runtime)}'))
            .uri('http://127.0.0.1:1'),
        )
        .build(),
    (error: unknown) => GatewayErrors.INVALID_ROUTE.is(error),
  );
});
