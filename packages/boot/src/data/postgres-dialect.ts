import pg from 'pg';
import { PostgresDialect } from 'kysely';
import type { DialectFactory } from './dialects.js';
import { jdbcProperties } from './jdbc-properties.js';

const INT8_OID = 20;

/**
 * PostgreSQL through `pg`'s pool, configured from the JDBC URL and HikariCP's settings:
 * `maximum-pool-size` → `max`, `minimum-idle` → `min` (kept open when idle), `idle-timeout` →
 * `idleTimeoutMillis`, `max-lifetime` → `maxLifetimeSeconds`. `bigint` columns read as numbers
 * (epoch milliseconds fit; PostgreSQL's `count(*)` is a `bigint`).
 */
export const openPostgres: DialectFactory = (target, { username, password, pool: settings, logger }) => {
  if (target.kind !== 'postgresql') throw new Error('postgres dialect for another URL');
  const properties = jdbcProperties(target);
  const user = username ?? target.user;
  const pool = new pg.Pool({
    host: target.host,
    port: target.port,
    database: target.database || undefined,
    user,
    password: password?.reveal() ?? target.password,
    ssl: properties.tls === false ? false : { ...properties.tls },
    max: settings.maximumPoolSize,
    min: settings.minimumIdle,
    idleTimeoutMillis: settings.idleTimeoutMs,
    maxLifetimeSeconds: Math.floor(settings.maxLifetimeMs / 1000),
    connectionTimeoutMillis: properties.connectTimeoutMs ?? settings.connectionTimeoutMs,
    keepAlive: properties.keepAlive,
    application_name: properties.applicationName,
    options: properties.currentSchema ? `-c search_path=${properties.currentSchema}` : undefined,
    statement_timeout: properties.statementTimeoutMs,
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === INT8_OID && format !== 'binary'
          ? (text: string) => Number(text)
          : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection the server drops (a restart, an admin's kill) must not crash the process.
  pool.on('error', (error) => {
    logger.warn({ err: error, component: 'datasource' }, 'idle database connection lost');
  });
  return {
    dialect: new PostgresDialect({ pool }),
    product: 'PostgreSQL',
    family: 'postgresql',
    openConnections: () => pool.totalCount,
    location: `${target.host}:${target.port}/${target.database}${user ? ` as ${user}` : ''}`,
  };
};
