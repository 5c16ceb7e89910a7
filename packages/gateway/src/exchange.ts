import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Logger } from '@stratus/core';

/** Outgoing headers keyed by lower-case name. */
export type HeaderRecord = Record<string, string | string[]>;

/** What a route predicate sees of the incoming request. */
export interface PredicateContext {
  readonly method: string;
  /** The normalised request path (dot segments resolved, unreserved escapes decoded). */
  readonly path: string;
  /** Raw query string without `?`. */
  readonly rawQuery: string;
  /** Incoming headers as Node parsed them (lower-case names). */
  readonly headers: IncomingHttpHeaders;
  /** Current time, epoch ms, from the injected clock. */
  readonly nowMs: number;
  /** The socket peer's address (IPv4-mapped IPv6 unwrapped). */
  readonly peerAddress: string;
  /** True when the peer is one of `trusted-proxies`. */
  readonly isTrustedPeer: boolean;
  /** URI template variables captured so far for this route (Path, Host). */
  readonly uriVariables: Record<string, string>;
  /** Query parameters, parsed on first use. */
  query(): URLSearchParams;
  /** Cookies by name (all values), parsed on first use. */
  cookies(): Map<string, string[]>;
  /** The route chosen in a `Weight` group for this request (one draw per group and request). */
  weightChoice(group: string): string | undefined;
}

/** What a filter knows of the route it belongs to. */
export interface RouteInfo {
  readonly id: string;
  readonly uri: string;
  readonly order: number;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/**
 * The mutable state of one proxied request, shared by the route's filters (Spring's
 * `ServerWebExchange`, flattened). Pre filters change what is sent upstream; post filters
 * change what is sent to the client.
 */
export interface GatewayExchange {
  readonly route: RouteInfo;
  /** Shortcut for `route.id`. */
  readonly routeId: string;
  /** The request's id (`X-Request-Id` when the client sent a sane one), for logs. */
  readonly requestId: string;
  readonly method: string;
  /** The normalised path the client asked for, before any filter rewrote it. */
  readonly originalPath: string;
  /** The path that will be sent upstream (raw-encoded); filters rewrite it. */
  path: string;
  /** Raw query sent upstream, without `?`; filters rewrite it. */
  query: string;
  /** The client's request headers as received (read-only; filters edit `requestHeaders`). */
  readonly incomingHeaders: IncomingHttpHeaders;
  /** Headers that will be sent upstream (lower-case names, hop-by-hop already removed). */
  readonly requestHeaders: HeaderRecord;
  /** Headers that will be sent to the client; filled in when the upstream answers. */
  readonly responseHeaders: HeaderRecord;
  /** Status sent to the client: the upstream's once it answered; post filters may change it. */
  statusCode: number;
  /** The response body: the upstream's stream, or what a filter answered with. */
  responseBody: Readable | Buffer | null;
  /** URI template variables captured by Path and Host. */
  readonly uriVariables: Readonly<Record<string, string>>;
  /** Incoming `Content-Length`, or null for no or chunked body. */
  readonly contentLength: number | null;
  /** Largest body the route accepts, bytes; RequestSize lowers or raises it. */
  maxBodyBytes: number;
  /**
   * Send `requestHeaders.host` upstream instead of the target's: the client's (PreserveHostHeader)
   * or one a filter set (SetRequestHostHeader).
   */
  preserveHost: boolean;
  /** The client address: the socket peer, or the first untrusted hop when behind `trusted-proxies`. */
  readonly clientAddress: string;
  /** The authenticated subject (set by AuthorizationHeaderFilter), or null. */
  principal: string | null;
  /** Verified token claims, when AuthorizationHeaderFilter ran. */
  claims: Readonly<Record<string, unknown>> | null;
  /** Free-form attributes shared by filters (Spring's exchange attributes). */
  readonly attributes: Map<string, unknown>;
  /** Aborted when the client goes away or a time limit of the call passes. */
  readonly signal: AbortSignal;
  /** True once a filter (or the cache) answered: the upstream is not called. */
  readonly isResponded: boolean;
  /**
   * Answers the request without calling the upstream (Spring's `response.setComplete()`); the
   * remaining pre filters are skipped, the post filters of the filters already run still run.
   */
  respond(status: number, body?: Buffer | string | null): void;
  /**
   * Reads the whole request body into memory, for a pre filter (CacheRequestBody,
   * ModifyRequestBody): the client's bytes, or what {@link setRequestBody} put in their place.
   * Read once; the same bytes are then sent upstream (on every attempt) with a `Content-Length`.
   * Requests whose filters never call it stream their body as they always do.
   *
   * @throws StratusError `GW_ERR_PAYLOAD_TOO_LARGE` when the body is larger than `maxBodyBytes`.
   */
  readRequestBody(): Promise<Buffer>;
  /** Replaces the body sent upstream (a string as UTF-8) and sets its `Content-Length`. */
  setRequestBody(body: Buffer | string): void;
  readonly log: Logger;
}
