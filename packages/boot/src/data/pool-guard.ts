import type { CompiledQuery, DatabaseConnection, Dialect, Driver, QueryResult } from 'kysely';
import { BootErrors } from '../errors.js';
import { databaseUnavailable, isDatabaseUnavailable } from './database-errors.js';

/** Live counts of one pool, as HikariCP's pool MXBean reports them. */
export interface PoolCounters {
  /** Connections handed out and not given back. */
  active: number;
  /** Callers waiting for a connection. */
  pending: number;
  /** Waits that ran out of `connection-timeout`. */
  timeouts: number;
}

/** Options of {@link guardDialect}. */
export interface PoolGuardOptions {
  /** The product, named in 503 answers (`PostgreSQL`). */
  readonly product: string;
  /** HikariCP's `connection-timeout`: the longest wait for a connection, ms. */
  readonly acquireTimeoutMs: number;
  readonly counters: PoolCounters;
  /** Called with each successful wait, in seconds (HikariCP's `connections.acquire` timer). */
  readonly onAcquired?: (seconds: number) => void;
  /** Called when a wait runs out of `acquireTimeoutMs`. */
  readonly onTimeout?: () => void;
}

/**
 * Wraps a kysely dialect so that every pool behaves as HikariCP does for its callers: a
 * connection is waited for at most `acquireTimeoutMs`, and a database that does not answer
 * (refused, reset, shutting down, out of connections, no connection in time) fails with
 * `BOOT_ERR_DATABASE_UNAVAILABLE` (503) instead of a driver error; other errors (SQL, keys)
 * pass unchanged. It also counts active, pending and timed-out acquisitions for the metrics.
 */
export function guardDialect(dialect: Dialect, options: PoolGuardOptions): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => new GuardedDriver(dialect.createDriver(), options),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
  };
}

class GuardedDriver implements Driver {
  readonly #inner: Driver;
  readonly #options: PoolGuardOptions;
  readonly #innerOf = new WeakMap<DatabaseConnection, DatabaseConnection>();

  constructor(inner: Driver, options: PoolGuardOptions) {
    this.#inner = inner;
    this.#options = options;
  }

  init(): Promise<void> {
    return this.#mapped(() => this.#inner.init());
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const { counters, acquireTimeoutMs, onAcquired, onTimeout } = this.#options;
    const started = performance.now();
    counters.pending += 1;
    let timer: NodeJS.Timeout | undefined;
    let isTimedOut = false;
    const acquiring = this.#inner.acquireConnection();
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        isTimedOut = true;
        reject(new Error(`no connection within ${acquireTimeoutMs} ms`, { cause: 'timeout' }));
      }, acquireTimeoutMs);
      timer.unref();
    });
    try {
      const inner = await Promise.race([acquiring, timeout]);
      counters.active += 1;
      onAcquired?.((performance.now() - started) / 1000);
      return this.#wrap(inner);
    } catch (error) {
      if (isTimedOut) {
        counters.timeouts += 1;
        onTimeout?.();
        // The connection may still come: hand it back to the pool then.
        acquiring.then((late) => this.#inner.releaseConnection(late)).catch(() => undefined);
        throw databaseUnavailable(this.#options.product, error);
      }
      throw this.#map(error);
    } finally {
      clearTimeout(timer);
      counters.pending -= 1;
    }
  }

  beginTransaction(connection: DatabaseConnection, settings: Parameters<Driver['beginTransaction']>[1]) {
    return this.#mapped(() => this.#inner.beginTransaction(this.#unwrap(connection), settings));
  }

  commitTransaction(connection: DatabaseConnection) {
    return this.#mapped(() => this.#inner.commitTransaction(this.#unwrap(connection)));
  }

  rollbackTransaction(connection: DatabaseConnection) {
    return this.#mapped(() => this.#inner.rollbackTransaction(this.#unwrap(connection)));
  }

  async savepoint(...[connection, name, compile]: Parameters<NonNullable<Driver['savepoint']>>) {
    await this.#mapped(() => this.#inner.savepoint!(this.#unwrap(connection), name, compile));
  }

  async rollbackToSavepoint(
    ...[connection, name, compile]: Parameters<NonNullable<Driver['rollbackToSavepoint']>>
  ) {
    await this.#mapped(() =>
      this.#inner.rollbackToSavepoint!(this.#unwrap(connection), name, compile),
    );
  }

  async releaseSavepoint(
    ...[connection, name, compile]: Parameters<NonNullable<Driver['releaseSavepoint']>>
  ) {
    await this.#mapped(() => this.#inner.releaseSavepoint!(this.#unwrap(connection), name, compile));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    this.#options.counters.active -= 1;
    await this.#inner.releaseConnection(this.#unwrap(connection));
  }

  destroy(): Promise<void> {
    return this.#inner.destroy();
  }

  #wrap(inner: DatabaseConnection): DatabaseConnection {
    const map = (error: unknown) => this.#map(error);
    const outer: DatabaseConnection = {
      async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
        try {
          return await inner.executeQuery<R>(query);
        } catch (error) {
          throw map(error);
        }
      },
      streamQuery: <R>(query: CompiledQuery, chunkSize?: number) =>
        inner.streamQuery<R>(query, chunkSize),
    };
    this.#innerOf.set(outer, inner);
    return outer;
  }

  #unwrap(connection: DatabaseConnection): DatabaseConnection {
    return this.#innerOf.get(connection) ?? connection;
  }

  async #mapped<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw this.#map(error);
    }
  }

  #map(error: unknown): unknown {
    if (BootErrors.DATABASE_UNAVAILABLE.is(error) || !isDatabaseUnavailable(error)) return error;
    return databaseUnavailable(this.#options.product, error);
  }
}
