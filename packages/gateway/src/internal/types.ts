import type { IncomingHttpHeaders } from 'node:http';
import type { Clock, Logger } from '@stratus/core';
import type { ArgSpec, BoundArgs } from './bind-args.js';
import type { HeaderRecord } from './headers.js';

/** What a predicate sees of the incoming request. */
export interface PredicateContext {
  readonly method: string;
  /** Normalised request path. */
  readonly path: string;
  /** Raw query string without `?`. */
  readonly rawQuery: string;
  /** Incoming headers as Node parsed them (lower-case names). */
  readonly headers: IncomingHttpHeaders;
  /** Current time, epoch ms, from the injected clock. */
  readonly nowMs: number;
  /** URI template variables captured so far for this route (Path, Host). */
  readonly uriVariables: Record<string, string>;
  /** Query parameters, parsed on first use. */
  query(): URLSearchParams;
  /** Cookies by name (all values), parsed on first use. */
  cookies(): Map<string, string[]>;
}

/** A compiled route predicate. */
export type RoutePredicate = (context: PredicateContext) => boolean;

/** The mutable state of one proxied request, shared by the route's filters. */
export interface GatewayExchange {
  readonly routeId: string;
  readonly method: string;
  /** The path that will be sent upstream (raw-encoded); filters rewrite it. */
  path: string;
  /** Raw query without `?`. */
  query: string;
  /** Headers that will be sent upstream (lower-case names, hop-by-hop already removed). */
  readonly requestHeaders: HeaderRecord;
  /** Headers that will be sent to the client; filled after the upstream answers. */
  readonly responseHeaders: HeaderRecord;
  /** Upstream status; set after the upstream answers. */
  statusCode: number;
  /** URI template variables captured by Path and Host. */
  readonly uriVariables: Readonly<Record<string, string>>;
  /** Incoming `Content-Length`, or null for no or chunked body. */
  readonly contentLength: number | null;
  /** Largest body the route accepts, bytes; RequestSize lowers or raises it. */
  maxBodyBytes: number;
  /** Send the client's `Host` upstream (PreserveHostHeader). */
  preserveHost: boolean;
  readonly log: Logger;
}

/** A compiled route filter. `order` decides its position (Spring's Ordered). */
export interface GatewayFilter {
  readonly name: string;
  readonly order: number;
  /** Runs before the upstream call; throw a GatewayError to answer instead. */
  pre?(exchange: GatewayExchange): void | Promise<void>;
  /** Runs after the upstream answered, before the response headers are written. */
  post?(exchange: GatewayExchange): void;
}

/** Services available to factories when a route table is compiled. */
export interface FactoryContext {
  readonly clock: Clock;
  readonly logger: Logger;
  /** HMAC key of AuthorizationHeaderFilter (UTF-8 bytes of `tokenSecret`), if configured. */
  readonly tokenKey: Uint8Array | undefined;
  readonly tokenIssuer: string | undefined;
  readonly tokenAudience: string | undefined;
  /** Header that carries the JWT subject upstream, or null for none. */
  readonly userIdHeader: string | null;
  /** When true, runtime-only requirements (e.g. a token secret) are not checked. */
  readonly validateOnly: boolean;
}

/** Creates a predicate from bound args; throws an Error whose message is the problem. */
export interface PredicateFactory extends ArgSpec {
  readonly name: string;
  create(args: BoundArgs, context: FactoryContext): RoutePredicate;
}

/** Creates a filter from bound args; throws an Error whose message is the problem. `order` is the default position. */
export interface FilterFactory extends ArgSpec {
  readonly name: string;
  create(args: BoundArgs, context: FactoryContext, order: number): GatewayFilter;
}
