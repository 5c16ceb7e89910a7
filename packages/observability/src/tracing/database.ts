import { context as contextApi, SpanKind, trace, type Span } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { globalObservability } from '../global.js';
import { activeTracing, markFailed, type Tracing } from './tracing.js';
import { REMOTE_SERVICE_ATTRIBUTE } from './zipkin-span.js';

/** A compiled query as Kysely hands it to a connection. */
interface CompiledQueryLike {
  readonly sql: string;
}

/** Kysely's `DatabaseConnection`. */
interface ConnectionLike {
  executeQuery(query: CompiledQueryLike): Promise<unknown>;
  streamQuery?(query: CompiledQueryLike, chunkSize?: number): AsyncIterableIterator<unknown>;
}

/** Kysely's `Driver`. */
interface DriverLike {
  acquireConnection(): Promise<ConnectionLike>;
}

/** Kysely's `Dialect` (only `createDriver` is wrapped). */
export interface DialectLike {
  createDriver(): DriverLike;
}

/** Options of {@link traceDialect}. */
export interface DatabaseTracingOptions {
  /** `db.system` and the remote service name: `sqlite`, `postgresql`, `mysql`, `mariadb`. */
  system: string;
  /** `db.name`, the database or file name. @default none */
  name?: string;
  /** @default the current context's tracing */
  tracing?: Tracing;
}

const MAX_STATEMENT_LENGTH = 1024;

/** `select`, `insert`, `begin`…: the statement's first keyword, lower case. */
function operationOf(sql: string): string {
  const match = /^\s*([A-Za-z]+)/.exec(sql);
  return match ? match[1]!.toLowerCase() : 'query';
}

function bindAll<T extends object>(target: T, overrides: Partial<Record<PropertyKey, unknown>>): T {
  // Bound to the real object: Kysely's drivers and connections keep #private state.
  return new Proxy(target, {
    get(object, property) {
      if (Object.hasOwn(overrides, property)) return overrides[property];
      const value: unknown = Reflect.get(object, property, object);
      return typeof value === 'function'
        ? (value as (...args: unknown[]) => unknown).bind(object)
        : value;
    },
  });
}

function startQuerySpan(sql: string, options: DatabaseTracingOptions): Span | undefined {
  const ctx = contextApi.active();
  // Only queries made inside a trace get a span: a relay's or a poller's would each start one.
  if (isTracingSuppressed(ctx) || trace.getSpan(ctx) === undefined) return undefined;
  const tracing = options.tracing ?? activeTracing(ctx) ?? globalObservability().tracing;
  if (!tracing?.isEnabled) return undefined;
  return tracing.startSpan(operationOf(sql), {
    kind: SpanKind.CLIENT,
    parent: ctx,
    attributes: {
      'db.system': options.system,
      ...(options.name === undefined ? {} : { 'db.name': options.name }),
      'db.statement':
        sql.length > MAX_STATEMENT_LENGTH ? `${sql.slice(0, MAX_STATEMENT_LENGTH)}…` : sql,
      [REMOTE_SERVICE_ATTRIBUTE]: options.system,
    },
  });
}

function traceConnection(
  connection: ConnectionLike,
  options: DatabaseTracingOptions,
): ConnectionLike {
  return bindAll(connection, {
    async executeQuery(query: CompiledQueryLike) {
      const span = startQuerySpan(query.sql, options);
      try {
        return await connection.executeQuery(query);
      } catch (error) {
        if (span) markFailed(span, error);
        throw error;
      } finally {
        span?.end();
      }
    },
  });
}

/**
 * Wraps a Kysely dialect so every statement run inside a trace becomes a CLIENT span named by
 * its operation (`select`, `insert`, `begin`), tagged `db.system`, `db.name` and `db.statement`
 * (the SQL with its placeholders; parameter values are never recorded), as
 * datasource-micrometer traces JDBC in a Spring service. Transactions are covered: Kysely runs
 * them on the wrapped connections.
 *
 * @example
 * const db = new Kysely<DB>({ dialect: traceDialect(new SqliteDialect({ database }), { system: 'sqlite', name: 'orders' }) });
 */
export function traceDialect<D extends DialectLike>(
  dialect: D,
  options: DatabaseTracingOptions,
): D {
  return bindAll(dialect, {
    createDriver() {
      const driver = dialect.createDriver();
      return bindAll(driver, {
        async acquireConnection() {
          return traceConnection(await driver.acquireConnection(), options);
        },
      });
    },
  });
}
