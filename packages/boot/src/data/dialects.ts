import type { Dialect } from 'kysely';
import type { Logger, Secret } from '@stratus/core';
import type { DatasourceKind, DatasourceTarget } from './datasource-url.js';
import type { PoolSettings } from './datasource-settings.js';
import { openMysql } from './mysql-dialect.js';
import { openPostgres } from './postgres-dialect.js';
import { openSqlite } from './sqlite-dialect.js';

/** The SQL a migration may need to tell apart (MariaDB and MySQL are `mysql`). */
export type SqlFamily = 'sqlite' | 'postgresql' | 'mysql';

/** What a dialect factory gets besides the target. */
export interface DialectContext {
  /** `spring.datasource.username` (wins over a user in the URL). */
  readonly username?: string | undefined;
  /** `spring.datasource.password` (wins over a password in the URL). */
  readonly password?: Secret | undefined;
  /** `spring.datasource.hikari.*`. */
  readonly pool: PoolSettings;
  readonly logger: Logger;
}

/** A kysely dialect for one database product, and what the datasource needs to know of it. */
export interface DatasourceDialect {
  readonly dialect: Dialect;
  /** The product, as Spring's `db` health indicator shows it (`SQLite`, `PostgreSQL`, `MariaDB`). */
  readonly product: string;
  readonly family: SqlFamily;
  /** Connections the pool holds open (in use or idle). */
  openConnections(): number;
  /** Where it connects, for messages: `127.0.0.1:5432/orders as postgres` (never a password). */
  readonly location: string;
}

/** Opens a dialect for one kind of `spring.datasource.url`. */
export type DialectFactory = (target: DatasourceTarget, context: DialectContext) => DatasourceDialect;

/** One factory per URL scheme. */
export const DIALECT_FACTORIES: Readonly<Record<DatasourceKind, DialectFactory>> = Object.freeze({
  sqlite: openSqlite,
  postgresql: openPostgres,
  mysql: openMysql,
  mariadb: openMysql,
});
