// Shared fixtures of the http-client-*.test.ts files: real upstreams on 127.0.0.1:0, a real
// round-robin balancer, real configuration environments and a captured Stratus logger.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { TestContext } from 'node:test';
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@stratus/core';
import { ConfigEnvironment, parseYamlDocuments } from '@stratus/config';
import {
  createRoundRobinLoadBalancer,
  createStaticDiscovery,
  type LoadBalancer,
} from '@stratus/discovery';
import type { PropertySource } from '@stratus/http';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A real upstream: what reached it, and how many of its sockets are open. */
export interface Upstream {
  readonly uri: string;
  readonly port: number;
  /** `METHOD url` of every request that reached it. */
  readonly seen: string[];
  /** Sockets accepted and not yet closed. */
  openSockets(): number;
  /** Resolves when the next socket close happens. */
  nextSocketClose(): Promise<void>;
}

export async function listen(t: TestContext, handler: Handler): Promise<Upstream> {
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  let waiters: Array<() => void> = [];
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      const done = waiters;
      waiters = [];
      for (const wake of done) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as AddressInfo;
  return {
    uri: `http://127.0.0.1:${port}`,
    port,
    seen,
    openSockets: () => sockets.size,
    nextSocketClose: () => new Promise<void>((resolve) => waiters.push(resolve)),
  };
}

/** The uri of a port nothing listens on any more: connections to it are refused. */
export async function refusingUri(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** Answers `body` as JSON with `status` after reading the request. */
export const answer =
  (body: unknown, status = 200, headers: Record<string, string> = {}): Handler =>
  (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    });
  };

/** Destroys the connection without answering. */
export const reset: Handler = (req) => req.socket.destroy();

/** Never answers (the connection stays open until the test closes the server). */
export const hang: Handler = (req) => req.resume();

/** A real round-robin balancer over `uris` for one service (instance ids `<service>-0`, …). */
export function balancerOver(serviceId: string, uris: string[]): LoadBalancer {
  return createRoundRobinLoadBalancer(
    createStaticDiscovery({ instances: { [serviceId]: uris.map((uri) => ({ uri })) } }),
  );
}

/** A configuration environment from YAML, as boot builds one from `application.yml`. */
export function environmentOf(yaml: string): ConfigEnvironment {
  const [document] = parseYamlDocuments(yaml, 'application.yml', { requireMapping: true });
  return new ConfigEnvironment([
    { name: 'application.yml', properties: document?.properties ?? {} },
  ]);
}

/** Live configuration: reads the current environment and tells listeners when `set` changes it. */
export function liveConfiguration(yaml: string): {
  readonly source: PropertySource;
  set(yaml: string): void;
} {
  let environment = environmentOf(yaml);
  const listeners = new Set<() => unknown>();
  return {
    source: {
      get: (key) => environment.get(key),
      getObject: (prefix) => environment.getObject(prefix),
      onChange(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    set(next) {
      environment = environmentOf(next);
      for (const listener of listeners) listener();
    },
  };
}

/** A Stratus logger whose JSON lines are kept for assertions. */
export function capturedLogger(level = 'debug'): {
  readonly logger: Logger;
  readonly text: () => string;
  readonly lines: () => Array<Record<string, unknown>>;
} {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger({ name: 'http-client-test', level, destination });
  const text = () => chunks.join('');
  return {
    logger,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** Polls `check` every 5 ms until it is true, or fails after `timeoutMs`. */
export async function until(
  check: () => boolean,
  timeoutMs = 5000,
  what = 'condition',
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The `p`-th percentile (0–100) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}
