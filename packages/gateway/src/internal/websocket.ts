import { request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import type { Clock, Logger } from '@stratus/core';
import { GatewayErrors } from '../errors.js';
import type { GatewayExchange } from '../exchange.js';
import type { LoadBalancer } from '@stratus/discovery';
import { runChain } from './chain.js';
import { Exchange } from './exchange-impl.js';
import { routeRequest, type GatewayState } from './route-request.js';
import { withoutHopByHop, type HeaderRecord } from './headers.js';
import { responseHead, writeRawProblem } from './raw-response.js';

/** What the WebSocket proxy needs from the gateway. */
export interface WebSocketContext {
  readonly state: () => GatewayState;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly loadBalancer: LoadBalancer | undefined;
}

interface Upgraded {
  readonly response: IncomingMessage;
  readonly socket: Duplex | null;
  readonly head: Buffer | null;
}

const UPGRADED_ATTR = 'stratusWebSocketUpstream';

function originFor(exchange: Exchange, balancer: LoadBalancer | undefined): string {
  const target = exchange.compiled.target;
  if (target.kind === 'direct') return target.origin;
  if (target.kind !== 'lb')
    throw GatewayErrors.UPSTREAM_UNAVAILABLE({
      message: 'The route has no upstream for a WebSocket',
    });
  const instance = balancer?.choose(target.serviceId) ?? null;
  if (instance === null)
    throw GatewayErrors.NO_INSTANCE({ details: { serviceId: target.serviceId } });
  return new URL(instance.uri).origin;
}

/** The chain's terminal for an upgrade: opens the upstream handshake, keeps its answer on the exchange. */
function upgradeTerminal(context: WebSocketContext) {
  return (exchange: GatewayExchange): Promise<void> => {
    const ex = exchange as Exchange;
    const origin = new URL(originFor(ex, context.loadBalancer));
    const headers: HeaderRecord = {
      ...ex.requestHeaders,
      connection: 'Upgrade',
      upgrade: 'websocket',
    };
    if (!ex.preserveHost) headers['host'] = origin.host;
    const send = origin.protocol === 'https:' ? httpsRequest : httpRequest;
    const timeoutMs = ex.compiled.connectTimeoutMs ?? context.state().settings.connectTimeoutMs;
    return new Promise<void>((resolve, reject) => {
      const upstream = send({
        protocol: origin.protocol,
        hostname: origin.hostname,
        port: origin.port,
        method: 'GET',
        path: ex.query === '' ? ex.path : `${ex.path}?${ex.query}`,
        headers,
        timeout: timeoutMs,
      });
      const done = (upgraded: Upgraded): void => {
        ex.statusCode = upgraded.response.statusCode ?? 502;
        Object.assign(ex.responseHeaders, withoutHopByHop(upgraded.response.headers));
        ex.attributes.set(UPGRADED_ATTR, upgraded);
        resolve();
      };
      upstream.once('upgrade', (response, socket, head) => done({ response, socket, head }));
      upstream.once('response', (response) => done({ response, socket: null, head: null }));
      upstream.once('timeout', () => upstream.destroy(GatewayErrors.UPSTREAM_TIMEOUT()));
      upstream.once('error', (error) =>
        reject(
          GatewayErrors.UPSTREAM_TIMEOUT.is(error)
            ? error
            : GatewayErrors.UPSTREAM_UNAVAILABLE({ cause: error }),
        ),
      );
      upstream.end();
    });
  };
}

/** Relays the upstream's answer: a 101 splices the two sockets; anything else is sent as is. */
function relay(client: Duplex, clientHead: Buffer, exchange: Exchange, tunnels: Set<Duplex>): void {
  const upgraded = exchange.attributes.get(UPGRADED_ATTR) as Upgraded;
  if (upgraded.socket === null || exchange.statusCode !== 101) {
    upgraded.socket?.destroy();
    client.write(
      responseHead(exchange.statusCode, { ...exchange.responseHeaders, connection: 'close' }),
    );
    upgraded.response.pipe(client);
    return;
  }
  const upstream = upgraded.socket;
  client.write(
    responseHead(101, { ...exchange.responseHeaders, connection: 'Upgrade', upgrade: 'websocket' }),
  );
  if (upgraded.head !== null && upgraded.head.length > 0) client.write(upgraded.head);
  if (clientHead.length > 0) upstream.write(clientHead);
  tunnels.add(client);
  const close = (): void => {
    tunnels.delete(client);
    client.destroy();
    upstream.destroy();
  };
  upstream.on('error', close).on('close', close);
  client.on('error', close).on('close', close);
  upstream.pipe(client);
  client.pipe(upstream);
}

/** Routes one upgrade request through the gateway's routes and filters. */
async function handleUpgrade(
  context: WebSocketContext,
  raw: IncomingMessage,
  client: Duplex,
  head: Buffer,
  tunnels: Set<Duplex>,
): Promise<void> {
  const requestId = randomUUID();
  const isWebSocket = String(raw.headers.upgrade ?? '').toLowerCase() === 'websocket';
  if (!isWebSocket || raw.method !== 'GET')
    return writeRawProblem(
      client,
      GatewayErrors.INVALID_HEADER({ message: 'Only WebSocket upgrades are proxied' }),
      requestId,
    );
  const gone = new AbortController();
  client.once('close', () => gone.abort());
  const exchange = routeRequest(raw, context.state(), {
    clock: context.clock,
    logger: context.logger,
    requestId,
    signal: gone.signal,
  });
  if (!(exchange instanceof Exchange)) return writeRawProblem(client, exchange, requestId);
  const route = exchange.compiled;
  try {
    await runChain(route.filters, 0, exchange, upgradeTerminal(context));
    if (exchange.attributes.has(UPGRADED_ATTR)) relay(client, head, exchange, tunnels);
    else writeRawProblem(client, GatewayErrors.UPSTREAM_UNAVAILABLE(), requestId);
  } catch (error) {
    context.logger.debug(
      { routeId: route.id, code: (error as { code?: string }).code },
      'websocket upgrade refused',
    );
    writeRawProblem(client, error, requestId);
  }
}

/**
 * Proxies WebSocket upgrades (Spring's WebsocketRoutingFilter): an `Upgrade: websocket` GET is
 * normalised, matched and filtered like any request, the handshake is sent to the route's
 * upstream over HTTP/1.1, and on `101` the two sockets are spliced. Other `Upgrade` values
 * (h2c, …) are refused with 400. `closeTunnels` ends the open tunnels (at shutdown).
 */
export function attachWebSocketProxy(
  server: Server,
  context: WebSocketContext,
): { detach(): void; closeTunnels(): void } {
  const tunnels = new Set<Duplex>();
  const onUpgrade = (raw: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    handleUpgrade(context, raw, socket, head, tunnels).catch((error: unknown) => {
      context.logger.warn({ err: (error as Error).message }, 'websocket upgrade failed');
      socket.destroy();
    });
  };
  server.on('upgrade', onUpgrade);
  return {
    detach: () => void server.off('upgrade', onUpgrade),
    // Upgraded sockets are no longer the HTTP server's: they would hold its close forever.
    closeTunnels: () => {
      for (const socket of tunnels) socket.destroy();
      tunnels.clear();
    },
  };
}
