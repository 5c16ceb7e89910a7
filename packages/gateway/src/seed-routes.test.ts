// The seed's gateway YAML, loaded unmodified: first-service/second-service with
// AddRequestHeader/AddResponseHeader/CustomFilter/LoggingFilter under the GlobalFilter default
// filter, and the user-service login route with RemoveRequestHeader/RewritePath.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from '@stratus/core';
import { parse as parseYaml } from 'yaml';
import { registerGateway } from './gateway.js';
import {
  client,
  startUpstream,
  staticBalancer,
  type SeenRequest,
} from './internal/test-servers.js';
import { parseGatewayDefinitions } from './route-definition.js';
import Fastify from 'fastify';

// Copied from the seed (section "Spring Cloud Gateway - Load Balancer"), indentation restored.
const SEED_FIRST_SECOND = `
spring:
  cloud:
    gateway:
      default-filters:
        - name: GlobalFilter
          args:
            baseMessage: Spring Cloud Gateway Global Filter
            preLogger: true
            postLogger: true
      routes:
        - id: first-service
          uri: lb://MY-FIRST-SERVICE
          predicates:
            - Path=/first-service/**
          filters:
            - AddRequestHeader=first-request, first-request-header-by-yaml
            - AddResponseHeader=first-response, first-response-header-by-yaml
            - CustomFilter
        - id: second-service
          uri: lb://MY-SECOND-SERVICE
          predicates:
            - Path=/second-service/**
          filters:
            - AddRequestHeader=second-request, second-request-header-by-yaml
            - AddResponseHeader=second-response, second-response-header-by-yaml
            - name: CustomFilter
            - name: LoggingFilter
              args:
                baseMessage: Hi, Logging Filter
                preLogger: true
                postLogger: true
`;

// The seed's user-service login route (section "API Gateway 설정 변경"), indentation restored.
const SEED_LOGIN = `
spring:
  application:
    name: apigateway-service
  cloud:
    gateway:
      default-filters:
        - name: GlobalFilter
          args:
            baseMessage: Spring Cloud Gateway Global Filter
            preLogger: true
            postLogger: true
      routes:
        - id: user-service
          uri: lb://USER-SERVICE
          predicates:
            - Path=/user-service/login
            - Method=POST
          filters:
            - RemoveRequestHeader=Cookie
            - RewritePath=/user-service/(?<segment>.*), /$\\{segment}
`;

function captureLines() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      callback();
    },
  });
  return {
    lines,
    logger: createLogger({ name: 'apigateway-service', level: 'info', destination }),
  };
}

test("the seed's first-service and second-service routes add their headers and run the seed's filters in Spring's order", async (t) => {
  const first = await startUpstream(t);
  const second = await startUpstream(t);
  const { lines, logger } = captureLines();
  const app = Fastify();
  registerGateway(app, {
    definitions: parseGatewayDefinitions(parseYaml(SEED_FIRST_SECOND)),
    loadBalancer: staticBalancer({
      'MY-FIRST-SERVICE': [first.origin],
      'MY-SECOND-SERVICE': [second.origin],
    }),
    logger,
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  t.after(() => app.close());
  const request = client(t);

  const one = await request(`${url}/first-service/welcome`);
  assert.equal(one.statusCode, 200);
  assert.equal(one.headers['first-response'], 'first-response-header-by-yaml');
  const seenFirst = (await one.body.json()) as SeenRequest;
  assert.equal(seenFirst.url, '/first-service/welcome');
  assert.equal(seenFirst.headers['first-request'], 'first-request-header-by-yaml');
  const firstMessages = lines.map((line) => line['msg']);
  // GlobalFilter (default, order 1) wraps CustomFilter (route position 3).
  assert.deepEqual(firstMessages, [
    'Global Filter baseMessage',
    'Global Filter Start',
    'Custom PRE filter',
    'Custom POST filter',
    'Global Filter End',
  ]);
  lines.length = 0;

  const two = await request(`${url}/second-service/welcome`);
  assert.equal(two.statusCode, 200);
  assert.equal(two.headers['second-response'], 'second-response-header-by-yaml');
  const seenSecond = (await two.body.json()) as SeenRequest;
  assert.equal(seenSecond.headers['second-request'], 'second-request-header-by-yaml');
  // LoggingFilter has Ordered.HIGHEST_PRECEDENCE: first in, last out.
  assert.deepEqual(
    lines.map((line) => line['msg']),
    [
      'Logging Filter baseMessage',
      'Logging PRE Filter',
      'Global Filter baseMessage',
      'Global Filter Start',
      'Custom PRE filter',
      'Custom POST filter',
      'Global Filter End',
      'Logging POST Filter',
    ],
  );
  assert.ok(
    lines.every((line) => line['level'] === 30),
    'the seed logs at info',
  );
  assert.equal(lines.at(-1)?.['status'], 200);
  assert.equal(lines[0]?.['baseMessage'], 'Hi, Logging Filter');
});

test("the seed's login route drops Cookie and rewrites /user-service/login to /login; GET is not routed", async (t) => {
  const users = await startUpstream(t);
  const app = Fastify();
  registerGateway(app, {
    definitions: parseGatewayDefinitions(parseYaml(SEED_LOGIN)),
    loadBalancer: staticBalancer({ 'USER-SERVICE': [users.origin] }),
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  t.after(() => app.close());
  const request = client(t);
  const login = await request(`${url}/user-service/login`, {
    method: 'POST',
    headers: { cookie: 'JSESSIONID=abc', 'content-type': 'application/json' },
    body: '{"email":"a@b.c","password":"secret"}',
  });
  assert.equal(login.statusCode, 200);
  const seen = (await login.body.json()) as SeenRequest;
  assert.equal(seen.url, '/login');
  assert.equal(seen.headers['cookie'], undefined);
  assert.equal(seen.bodyBytes, 37);
  const get = await request(`${url}/user-service/login`);
  assert.equal(get.statusCode, 404);
  await get.body.dump();
});
