import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { parseDurationMs, StratusError } from '@stratus/core';

/**
 * How long a server waits for clients and how many connections it keeps: the
 * Node settings behind Spring's `server.tomcat.*` / `server.netty.*`
 * (see {@link connectionLimitsFromConfig}). 0 means no limit.
 */
export interface ConnectionLimits {
  /**
   * Time from accepting a connection (or the first byte of a request on a kept
   * connection) to its complete request headers; a slower client gets 408 and
   * is disconnected (Node's `headersTimeout`; Tomcat's `connection-timeout`).
   * @default 5000 (ms)
   */
  readonly headersTimeoutMs: number;
  /** Time to receive a whole request, body included (Node's `requestTimeout`). @default 30000 (ms) */
  readonly requestTimeoutMs: number;
  /**
   * How often Node looks for connections past `headersTimeoutMs` or
   * `requestTimeoutMs`: a slow client is cut at most this much late (Node's
   * `connectionsCheckingInterval`, 30 s by default there). @default 1000 (ms)
   */
  readonly checkIntervalMs: number;
  /**
   * Idle time of a kept-alive connection between two requests (Node's
   * `keepAliveTimeout`; Tomcat's `keep-alive-timeout`, Netty's `idle-timeout`).
   * Sent to clients as `Keep-Alive: timeout=…`. Longer than the 30 s after
   * which Java's Eureka client (and Apache HttpClient pools generally) drop
   * idle connections, so the client closes first and never reuses a
   * connection the server is closing; Spring Boot's embedded Tomcat keeps
   * 60 s too (its `connectionTimeout`). @default 60000 (ms)
   */
  readonly keepAliveTimeoutMs: number;
  /** Requests served on one connection before it is closed (Node's `maxRequestsPerSocket`). @default 1000 */
  readonly maxRequestsPerConnection: number;
  /** Open connections at most; more are closed as they arrive (Node's `server.maxConnections`). @default 8192 */
  readonly maxConnections: number;
}

/** Stratus's connection limits: a client that trickles its headers is cut within 6 s. */
export const CONNECTION_LIMIT_DEFAULTS: ConnectionLimits = Object.freeze({
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 30_000,
  checkIntervalMs: 1_000,
  keepAliveTimeoutMs: 60_000,
  maxRequestsPerConnection: 1_000,
  maxConnections: 8_192,
});

/** Spring (and Stratus) property names per limit, first set wins. */
const PROPERTY_NAMES: Readonly<Record<keyof ConnectionLimits, readonly string[]>> = Object.freeze({
  headersTimeoutMs: ['server.tomcat.connection-timeout', 'server.netty.connection-timeout'],
  requestTimeoutMs: ['stratus.server.request-timeout'],
  checkIntervalMs: ['stratus.server.connections-checking-interval'],
  keepAliveTimeoutMs: ['server.tomcat.keep-alive-timeout', 'server.netty.idle-timeout'],
  maxRequestsPerConnection: [
    'server.tomcat.max-keep-alive-requests',
    'server.netty.max-keep-alive-requests',
  ],
  maxConnections: ['server.tomcat.max-connections'],
});

function validateLimits(limits: ConnectionLimits): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 0) problems.push(`${key} must be an integer >= 0`);
  }
  if (limits.checkIntervalMs === 0) problems.push('checkIntervalMs must be > 0');
  if (
    limits.requestTimeoutMs > 0 &&
    (limits.headersTimeoutMs === 0 || limits.headersTimeoutMs > limits.requestTimeoutMs)
  ) {
    problems.push('the headers timeout must be > 0 and <= the request timeout');
  }
  return problems;
}

/**
 * Reads the connection limits from Spring's properties, so an
 * `application.yml` written for Tomcat or Reactor Netty keeps its meaning:
 * `server.tomcat.connection-timeout` / `server.netty.connection-timeout` →
 * headers timeout; `server.tomcat.keep-alive-timeout` /
 * `server.netty.idle-timeout` → keep-alive timeout;
 * `server.tomcat.max-keep-alive-requests` /
 * `server.netty.max-keep-alive-requests` → requests per connection;
 * `server.tomcat.max-connections` → connections. Node-only settings:
 * `stratus.server.request-timeout`, `stratus.server.connections-checking-interval`.
 * Durations take Spring's forms (`5000`, `5s`, `PT5S`); Spring's `-1`
 * (infinite, unlimited) reads as 0 (no limit).
 *
 * @throws StratusError `BOOT_ERR_INVALID_CONFIG` listing every bad value.
 * @example
 * createHttpServer({ logger, metrics, connection: connectionLimitsFromConfig((key) => config.get(key)) });
 */
export function connectionLimitsFromConfig(read: (key: string) => unknown): ConnectionLimits {
  const problems: string[] = [];
  const limits: Record<keyof ConnectionLimits, number> = { ...CONNECTION_LIMIT_DEFAULTS };
  for (const [key, names] of Object.entries(PROPERTY_NAMES) as [
    keyof ConnectionLimits,
    readonly string[],
  ][]) {
    const name = names.find((candidate) => read(candidate) !== undefined);
    if (name === undefined) continue;
    const raw = read(name);
    const isDuration = key.endsWith('Ms');
    const value = isDuration ? parseDurationMs(raw) : parseInteger(raw);
    if (value === null || !Number.isFinite(value)) {
      problems.push(`${name} must be ${isDuration ? 'a duration' : 'an integer'}`);
    } else {
      limits[key] = value < 0 ? 0 : Math.round(value);
    }
  }
  if (problems.length === 0) problems.push(...validateLimits(limits));
  if (problems.length > 0) throw invalidConnectionLimits(problems);
  return Object.freeze(limits);
}

/**
 * `partial` over the defaults, checked.
 *
 * @throws StratusError `BOOT_ERR_INVALID_CONFIG` for inconsistent limits.
 */
export function resolveConnectionLimits(partial: Partial<ConnectionLimits> = {}): ConnectionLimits {
  const limits: ConnectionLimits = { ...CONNECTION_LIMIT_DEFAULTS, ...partial };
  const problems = validateLimits(limits);
  if (problems.length > 0) throw invalidConnectionLimits(problems);
  return limits;
}

function parseInteger(raw: unknown): number | null {
  if (typeof raw === 'number') return Number.isSafeInteger(raw) ? raw : null;
  return typeof raw === 'string' && /^\s*-?\d{1,15}\s*$/.test(raw) ? Number(raw) : null;
}

function invalidConnectionLimits(problems: string[]): StratusError {
  return new StratusError('BOOT_ERR_INVALID_CONFIG', 500, 'Invalid configuration', {
    message: `Invalid server connection settings: ${problems.join('; ')}`,
    details: { problems },
  });
}

// Set on the Node server after fastify's own defaults (keep-alive 72 s, no request timeout).
export function applyConnectionLimits(server: FastifyInstance, limits: ConnectionLimits): void {
  const node = server.server;
  node.headersTimeout = limits.headersTimeoutMs;
  node.requestTimeout = limits.requestTimeoutMs;
  node.keepAliveTimeout = limits.keepAliveTimeoutMs;
  node.maxRequestsPerSocket = limits.maxRequestsPerConnection;
  if (limits.maxConnections > 0) node.maxConnections = limits.maxConnections;
}

/**
 * Makes `close()` quick and graceful whatever the clients do. Node's
 * `server.close()` stops the headers-timeout checks and waits for every
 * connection, so a client trickling its headers would keep it waiting forever,
 * and a kept-alive connection would hold it for the whole keep-alive timeout
 * after its last response. On close, connections not in the middle of a
 * request are destroyed; requests being served still drain, their responses
 * say `Connection: close`, and their connections end after them.
 */
export function closeConnectionsOnClose(server: FastifyInstance): void {
  const waiting = new Set<Socket>();
  const serving = new Set<ServerResponse>();
  let isClosing = false;
  server.server.on('connection', (socket: Socket) => {
    waiting.add(socket);
    socket.once('close', () => waiting.delete(socket));
  });
  // Prepended: runs before fastify's handler can answer (it answers 503 at once while closing).
  server.server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    waiting.delete(socket);
    serving.add(response);
    if (isClosing) response.setHeader('connection', 'close');
    response.once('close', () => {
      serving.delete(response);
      if (socket.destroyed) return;
      if (isClosing) socket.end();
      else waiting.add(socket);
    });
  });
  server.addHook('preClose', async () => {
    isClosing = true;
    for (const socket of waiting) socket.destroy();
    waiting.clear();
    for (const response of serving) {
      if (!response.headersSent) response.setHeader('connection', 'close');
    }
  });
}
