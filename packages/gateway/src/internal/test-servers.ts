import { connect } from 'node:net';
import type { TestContext } from 'node:test';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Agent, request as undiciRequest } from 'undici';
import {
  createRoundRobinLoadBalancer,
  createStaticDiscovery,
  type LoadBalancer,
} from '@stratus/discovery';
import { registerGateway, type Gateway, type GatewayOptions } from '../gateway.js';
import { parseGatewayDefinitions } from '../route-definition.js';
import { invalidRoutes } from '../errors.js';

/** What the default upstream handler saw. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  bodyBytes: number;
}

/** A real fastify upstream on 127.0.0.1:0 that accepts any body as a stream. */
export interface Upstream {
  readonly origin: string;
  readonly seen: SeenRequest[];
  readonly app: FastifyInstance;
}

type Handler = (request: FastifyRequest, reply: FastifyReply, seen: SeenRequest[]) => unknown;

/** Default handler: reads the body, answers JSON describing the request. */
export const describeRequest: Handler = async (request, reply, seen) => {
  let bodyBytes = 0;
  for await (const chunk of request.raw as AsyncIterable<Buffer>) bodyBytes += chunk.length;
  const entry = {
    method: request.method,
    url: request.url,
    headers: { ...request.headers },
    bodyBytes,
  };
  seen.push(entry);
  return reply.header('x-upstream', 'yes').send(entry);
};

/** Starts an upstream; closed after the test. */
export async function startUpstream(
  t: TestContext,
  handler: Handler = describeRequest,
): Promise<Upstream> {
  const app = Fastify({ forceCloseConnections: true });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));
  const seen: SeenRequest[] = [];
  app.all('/*', (request, reply) => handler(request, reply, seen));
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  t.after(() => app.close());
  return { origin: address, seen, app };
}

/**
 * A real round-robin balancer over fixed instances: service id → origins, the
 * instance ids being `<service>-<index>`. It records the instances it chose
 * and what the gateway reported.
 */
export function staticBalancer(
  instances: Record<string, string[]>,
): LoadBalancer & { readonly reports: string[]; readonly chosen: string[] } {
  const inner = createRoundRobinLoadBalancer(
    createStaticDiscovery({
      instances: Object.fromEntries(
        Object.entries(instances).map(([id, uris]) => [id, uris.map((uri) => ({ uri }))]),
      ),
    }),
  );
  const reports: string[] = [];
  const chosen: string[] = [];
  return {
    reports,
    chosen,
    choose(serviceId, choice) {
      const instance = inner.choose(serviceId, choice);
      if (instance !== null) chosen.push(instance.instanceId);
      return instance;
    },
    markFailed(serviceId, instanceId) {
      reports.push(`failed ${instanceId}`);
      inner.markFailed(serviceId, instanceId);
    },
    markSucceeded(serviceId, instanceId) {
      reports.push(`ok ${instanceId}`);
      inner.markSucceeded?.(serviceId, instanceId);
    },
  };
}

/** A gateway on 127.0.0.1:0 built from a `spring.cloud.gateway`-shaped object. */
export interface RunningGateway {
  readonly url: string;
  readonly port: number;
  readonly gateway: Gateway;
  readonly app: FastifyInstance;
}

/** Starts a gateway; closed after the test. */
export async function startGateway(
  t: TestContext,
  config: unknown,
  options: Omit<GatewayOptions, 'definitions'> = {},
  setup?: (app: FastifyInstance) => void,
): Promise<RunningGateway> {
  const app = Fastify({ forceCloseConnections: true });
  setup?.(app);
  const gateway = registerGateway(app, {
    definitions: parseGatewayDefinitions(config),
    // As createGateway serves (without tracing): the suites prove the path production takes.
    fastPath: { requestIdHeader: 'x-request-id' },
    ...options,
  });
  t.after(() => app.close());
  if (gateway.problems().length > 0) throw invalidRoutes(gateway.problems());
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  return { url, port, gateway, app };
}

/** An undici client with its own pool, closed after the test. */
export function client(t: TestContext): typeof undiciRequest {
  const agent = new Agent({ keepAliveTimeout: 10 });
  t.after(() => agent.close());
  return ((url: string, options: Record<string, unknown> = {}) =>
    undiciRequest(url, { dispatcher: agent, ...options })) as typeof undiciRequest;
}

/** Sends raw bytes on a fresh connection and returns everything the server wrote until it closed or `idleMs` passed. */
export function rawRequest(port: number, text: string, idleMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    const done = (): void => {
      socket.destroy();
      resolve(data);
    };
    let timer = setTimeout(done, idleMs);
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      clearTimeout(timer);
      timer = setTimeout(done, idleMs);
    });
    socket.on('end', () => {
      clearTimeout(timer);
      done();
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      if (data) resolve(data);
      else reject(error);
    });
    socket.write(text);
  });
}

/** A `spring.cloud.gateway` object with one direct route to `origin`. */
/** An upstream answering the statuses in turn (then 200), recording each body and its length headers. */
export async function recordingUpstream(t: TestContext, statuses: number[] = []) {
  const received: { body: string; contentLength?: string; transferEncoding?: string }[] = [];
  const upstream = await startUpstream(t, async (request, reply) => {
    let body = '';
    for await (const chunk of request.raw) body += String(chunk);
    received.push({
      body,
      contentLength: request.headers['content-length'],
      transferEncoding: request.headers['transfer-encoding'],
    });
    return reply
      .code(statuses.shift() ?? 200)
      .send({ contentType: request.headers['content-type'] });
  });
  return { upstream, received };
}

/** A chunked `POST /x` of `size` bytes in one chunk, sent raw; the whole answer as text. */
export function postChunked(port: number, size: number): Promise<string> {
  const chunk = `${size.toString(16)}\r\n${'a'.repeat(size)}\r\n`;
  return rawRequest(
    port,
    `POST /x HTTP/1.1\r\nHost: g\r\nTransfer-Encoding: chunked\r\n\r\n${chunk}0\r\n\r\n`,
    2000,
  );
}

export function singleRoute(
  origin: string,
  route: Record<string, unknown> = {},
  defaultFilters: unknown[] = [],
): unknown {
  return {
    'default-filters': defaultFilters,
    routes: [{ id: 'test', uri: origin, predicates: ['Path=/**'], ...route }],
  };
}
