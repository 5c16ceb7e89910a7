import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import Fastify from 'fastify';
import { createLogger } from '@stratus/core';
import type { GatewayExchange } from './exchange.js';
import {
  AbstractGatewayFilterFactory,
  HIGHEST_PRECEDENCE,
  type FactoryContext,
  type GatewayFilter,
  type GlobalFilter,
} from './filter-api.js';
import { registerGateway } from './gateway.js';
import { client, startGateway, startUpstream, type SeenRequest } from './internal/test-servers.js';
import { parseGatewayDefinitions } from './route-definition.js';

interface StampConfig {
  header: string;
  value: string;
  repeat: number;
  enabled: boolean;
  tags: string[];
}

/** A user's factory as a Spring user writes one: `StampGatewayFilterFactory` → `Stamp`. */
class StampGatewayFilterFactory extends AbstractGatewayFilterFactory<StampConfig> {
  newConfig(): StampConfig {
    return { header: 'X-Stamp', value: '', repeat: 1, enabled: true, tags: [] };
  }
  override shortcutFieldOrder(): string[] {
    return ['value', 'repeat'];
  }
  apply(config: StampConfig): GatewayFilter {
    return {
      pre(exchange) {
        if (!config.enabled) return;
        exchange.requestHeaders[config.header.toLowerCase()] = [
          config.value.repeat(config.repeat),
          ...config.tags,
        ].join(';');
      },
    };
  }
}

/** A Spring-style `filter(exchange, chain)` filter that times the rest of the chain. */
class TimingGatewayFilterFactory extends AbstractGatewayFilterFactory<{ header: string }> {
  newConfig() {
    return { header: 'X-Took' };
  }
  apply(config: { header: string }, context: FactoryContext): GatewayFilter {
    return {
      async filter(exchange, chain) {
        const started = context.clock.now();
        await chain.filter(exchange);
        exchange.responseHeaders[config.header.toLowerCase()] = String(
          context.clock.now() - started >= 0,
        );
      },
    };
  }
}

const order: string[] = [];
const recorder = (name: string, position: number): GlobalFilter => ({
  name,
  order: position,
  pre: () => void order.push(`${name} pre`),
  post: () => void order.push(`${name} post`),
});

test('a user factory is usable by its derived name in the shortcut and the expanded form, with a typed config', async (t) => {
  const upstream = await startUpstream(t);
  const { url } = await startGateway(
    t,
    {
      routes: [
        {
          id: 'short',
          uri: upstream.origin,
          predicates: ['Path=/short'],
          filters: ['Stamp=ab, 3'],
        },
        {
          id: 'long',
          uri: upstream.origin,
          predicates: ['Path=/long'],
          filters: [
            {
              name: 'Stamp',
              args: { header: 'X-Other', value: 'z', 'tags.0': 'a', 'tags.1': 'b' },
            },
          ],
        },
        {
          id: 'off',
          uri: upstream.origin,
          predicates: ['Path=/off'],
          filters: [{ name: 'Stamp', args: { enabled: 'false' } }],
        },
        { id: 'timed', uri: upstream.origin, predicates: ['Path=/timed'], filters: ['Timing'] },
      ],
    },
    { filterFactories: [new StampGatewayFilterFactory(), new TimingGatewayFilterFactory()] },
  );
  const request = client(t);
  const short = (await (await request(`${url}/short`)).body.json()) as SeenRequest;
  assert.equal(short.headers['x-stamp'], 'ababab');
  const long = (await (await request(`${url}/long`)).body.json()) as SeenRequest;
  assert.equal(long.headers['x-other'], 'z;a;b');
  const off = (await (await request(`${url}/off`)).body.json()) as SeenRequest;
  assert.equal(off.headers['x-stamp'], undefined);
  const timed = await request(`${url}/timed`);
  assert.equal(timed.headers['x-took'], 'true');
  await timed.body.dump();
});

test('a typed config refuses unknown args and values of the wrong type, naming the route and filter', () => {
  const app = Fastify();
  const gateway = registerGateway(app, {
    definitions: parseGatewayDefinitions({
      routes: [
        {
          id: 'bad-arg',
          uri: 'http://127.0.0.1:9',
          filters: [{ name: 'Stamp', args: { colour: 'red' } }],
        },
        { id: 'bad-type', uri: 'http://127.0.0.1:9', filters: ['Stamp=x, many'] },
      ],
    }),
    filterFactories: [new StampGatewayFilterFactory()],
  });
  const problems = gateway.problems().join('\n');
  assert.match(problems, /routes\[0\] \(bad-arg\)\.filters\[0\] Stamp: unknown argument 'colour'/);
  assert.match(
    problems,
    /routes\[1\] \(bad-type\)\.filters\[0\] Stamp: argument 'repeat' must be a number/,
  );
});

test('global filters run by their order around route filters, global first on ties, posts in reverse', async (t) => {
  order.length = 0;
  const upstream = await startUpstream(t);
  const { url } = await startGateway(
    t,
    {
      'default-filters': [{ name: 'Recorded', args: { label: 'default' } }],
      routes: [
        {
          id: 'r',
          uri: upstream.origin,
          filters: [{ name: 'Recorded', args: { label: 'route' } }],
        },
      ],
    },
    {
      globalFilters: [
        recorder('late', 10_000),
        recorder('tie', 1),
        recorder('first', HIGHEST_PRECEDENCE),
      ],
      filterFactories: [
        {
          name: 'Recorded',
          newConfig: () => ({ label: '' }),
          apply: (config: { label: string }) => ({
            pre: () => void order.push(`${config.label} pre`),
            post: () => void order.push(`${config.label} post`),
          }),
        },
      ],
    },
  );
  await (await client(t)(`${url}/x`)).body.dump();
  assert.deepEqual(order, [
    'first pre',
    'tie pre',
    'default pre',
    'route pre',
    'late pre',
    'late post',
    'route post',
    'default post',
    'tie post',
    'first post',
  ]);
});

test('an unknown filter name does not stop the gateway: its route answers 503 and the error names route and filter', async (t) => {
  const upstream = await startUpstream(t);
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    name: 'gw',
    level: 'info',
    destination: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        callback();
      },
    }),
  });
  const app = Fastify();
  const gateway = registerGateway(app, {
    definitions: parseGatewayDefinitions({
      routes: [
        {
          id: 'typo',
          uri: upstream.origin,
          predicates: ['Path=/secure/**'],
          filters: ['AuthorisationHeaderFilter'],
        },
        { id: 'open', uri: upstream.origin, predicates: ['Path=/**'] },
      ],
    }),
    logger,
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  t.after(() => app.close());
  const request = client(t);
  const refused = await request(`${url}/secure/data`);
  assert.equal(refused.statusCode, 503);
  assert.equal(refused.headers['content-type'], 'application/problem+json');
  assert.equal(((await refused.body.json()) as { code: string }).code, 'GW_ERR_ROUTE_UNAVAILABLE');
  const open = await request(`${url}/public`);
  assert.equal(open.statusCode, 200);
  await open.body.dump();
  assert.equal(upstream.seen.length, 1, 'the misconfigured route never reached the upstream');
  const error = lines.find((line) => line['level'] === 50);
  assert.match(
    String(error?.['problem']),
    /routes\[0\] \(typo\)\.filters\[0\] AuthorisationHeaderFilter: unknown filter/,
  );
  assert.deepEqual(gateway.problems().length, 1);
});

test('setRoutes with an unknown filter is refused with GW_ERR_INVALID_ROUTE and the old routes keep serving', async (t) => {
  const upstream = await startUpstream(t);
  const { url, gateway } = await startGateway(t, { routes: [{ id: 'ok', uri: upstream.origin }] });
  assert.throws(
    () =>
      gateway.setRoutes(
        parseGatewayDefinitions({ routes: [{ id: 'x', uri: upstream.origin, filters: ['Nope'] }] }),
      ),
    (error: unknown) =>
      (error as { code?: string }).code === 'GW_ERR_INVALID_ROUTE' &&
      /\(x\)\.filters\[0\] Nope: unknown filter/.test(String((error as Error).message)),
  );
  const response = await client(t)(`${url}/still`);
  assert.equal(response.statusCode, 200);
  await response.body.dump();
});

test('a filter answering in its pre phase skips the upstream but the earlier filters still post-process', async (t) => {
  const upstream = await startUpstream(t);
  const { url } = await startGateway(
    t,
    {
      routes: [
        { id: 'r', uri: upstream.origin, filters: ['AddResponseHeader=X-Outer, yes', 'Teapot'] },
      ],
    },
    {
      filterFactories: [
        {
          name: 'Teapot',
          newConfig: () => ({}),
          apply: () => ({
            pre: (exchange: GatewayExchange) => exchange.respond(418, 'short and stout'),
          }),
        },
      ],
    },
  );
  const response = await client(t)(`${url}/`);
  assert.equal(response.statusCode, 418);
  assert.equal(response.headers['x-outer'], 'yes');
  assert.equal(await response.body.text(), 'short and stout');
  assert.equal(upstream.seen.length, 0);
});
