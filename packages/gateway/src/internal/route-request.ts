import type { IncomingMessage } from 'node:http';
import type { Clock, Logger, StratusError } from '@stratus/core';
import { GatewayErrors, withResponse } from '../errors.js';
import type { GatewaySettings } from '../settings.js';
import { resolveClientAddress, stripMappedIpv4 } from './client-address.js';
import { Exchange } from './exchange-impl.js';
import { normalizeRequestTarget } from './normalize-path.js';
import { MatchContext, matchRoute } from './request-context.js';
import { contentLengthOf, initialRequestHeaders } from './request-headers.js';
import type { CompiledRoute, GatewayServices, RouteTable } from './types.js';

/** Everything served at one moment: swapped whole on refresh, read once per request. */
export interface GatewayState {
  readonly settings: GatewaySettings;
  readonly table: RouteTable;
  readonly services: GatewayServices;
  /** Lower-case headers the gateway sets itself; a client's copies are always removed. */
  readonly ownedHeaders: readonly string[];
  /** Every header never forwarded as the client sent it: hop-by-hop, `Expect` and the owned ones. */
  readonly droppedHeaders: ReadonlySet<string>;
}

/** What routing one request needs besides the request. */
export interface RouteRequestOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly requestId: string;
  /** Aborted when the client goes away. @default one created when a filter asks for it */
  readonly signal?: AbortSignal;
  /** Called once a route matched; returns headers to propagate upstream (tracing). */
  readonly onRouted?: (route: CompiledRoute) => Readonly<Record<string, string>> | undefined;
}

const isTrusted = (settings: GatewaySettings, address: string): boolean =>
  settings.trustedProxies !== null && settings.trustedProxies.test(address);

/**
 * The first steps of every request: framing check → normalise → match → the exchange the
 * route's filters work on (or the error to answer with).
 */
export function routeRequest(
  raw: IncomingMessage,
  state: GatewayState,
  options: RouteRequestOptions,
): Exchange | StratusError {
  // RFC 9112 §6.1: an HTTP/1.0 message with Transfer-Encoding has faulty framing.
  if (raw.httpVersion === '1.0' && raw.headers['transfer-encoding'] !== undefined)
    return withResponse(
      GatewayErrors.INVALID_HEADER({ message: 'Transfer-Encoding is not allowed in HTTP/1.0' }),
      { closeConnection: true },
    );
  const target = normalizeRequestTarget(raw.url ?? '');
  if (target === null) return GatewayErrors.INVALID_PATH();
  const peer = stripMappedIpv4(raw.socket.remoteAddress ?? '');
  const isTrustedPeer = isTrusted(state.settings, peer);
  const match = new MatchContext(raw, target, state.table, {
    nowMs: options.clock.now(),
    peerAddress: peer,
    isTrustedPeer,
    random: state.services.random,
  });
  const route = matchRoute(state.table.routes, match);
  if (route === undefined) return GatewayErrors.NO_ROUTE();
  const traceHeaders = options.onRouted?.(route);
  if (route.problems.length > 0)
    return GatewayErrors.ROUTE_UNAVAILABLE({ details: { routeId: route.id } });
  const requestHeaders = initialRequestHeaders(raw.headers, isTrustedPeer, state.droppedHeaders);
  if (traceHeaders !== undefined) Object.assign(requestHeaders, traceHeaders);
  return new Exchange({
    raw,
    route,
    requestId: options.requestId,
    method: match.method,
    path: target.path,
    query: target.query,
    requestHeaders,
    uriVariables: match.capturedVariables(),
    contentLength: contentLengthOf(raw.headers),
    maxBodyBytes: state.settings.maxBodyBytes,
    peer,
    clientAddress: resolveClientAddress(peer, raw.headers, (a) => isTrusted(state.settings, a)),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    log: options.logger,
  });
}
