import { createPool, type PoolConnection } from 'mysql2';
import { MysqlDialect } from 'kysely';
import type { DialectFactory } from './dialects.js';
import { jdbcProperties } from './jdbc-properties.js';

/**
 * MySQL and MariaDB through `mysql2`'s pool, configured from the JDBC URL and HikariCP's
 * settings: `maximum-pool-size` → `connectionLimit`, `minimum-idle` → `maxIdle` (idle
 * connections kept), `idle-timeout` → `idleTimeout`; `max-lifetime`, which mysql2 lacks, closes
 * a connection when it comes back to the pool past that age.
 */
export const openMysql: DialectFactory = (target, { username, password, pool: settings, logger }) => {
  if (target.kind !== 'mysql' && target.kind !== 'mariadb')
    throw new Error('mysql dialect for another URL');
  const properties = jdbcProperties(target);
  const user = username ?? target.user;
  const keepsIdle = settings.idleTimeoutMs === 0;
  const bornAt = new WeakMap<PoolConnection, number>();
  let internals: { _allConnections?: { length: number } } = {};
  // Made on first use, not here: mysql2's pool arms an idle-sweep timer when it is created, and
  // kysely only ends a pool it has used, so an eager pool that is never queried would keep the
  // process alive after close().
  const makePool = async () => {
    const pool = createPool({
      host: target.host,
      port: target.port,
      database: target.database || undefined,
      user,
      password: password?.reveal() ?? target.password,
      ssl: properties.tls === false ? undefined : { ...properties.tls },
      connectionLimit: settings.maximumPoolSize,
      maxIdle: keepsIdle ? settings.maximumPoolSize : settings.minimumIdle,
      idleTimeout: keepsIdle ? 60_000 : settings.idleTimeoutMs,
      connectTimeout: properties.connectTimeoutMs ?? settings.connectionTimeoutMs,
      timezone: properties.timezone ?? 'Z',
      charset: 'UTF8MB4_UNICODE_CI',
      enableKeepAlive: properties.keepAlive,
      supportBigNumbers: true,
      waitForConnections: true,
    });
    pool.on('connection', (connection) => {
      bornAt.set(connection, Date.now());
      // A connection the server drops while idle must not crash the process.
      connection.on('error', (error: unknown) => {
        logger.warn({ err: error, component: 'datasource' }, 'database connection lost');
      });
    });
    pool.on('release', (connection) => {
      const age = Date.now() - (bornAt.get(connection) ?? Date.now());
      if (settings.maxLifetimeMs > 0 && age >= settings.maxLifetimeMs) connection.destroy();
    });
    internals = pool as unknown as { _allConnections?: { length: number } };
    return pool;
  };
  return {
    dialect: new MysqlDialect({ pool: makePool }),
    product: target.kind === 'mariadb' ? 'MariaDB' : 'MySQL',
    family: 'mysql',
    openConnections: () => internals._allConnections?.length ?? 0,
    location: `${target.host}:${target.port}/${target.database}${user ? ` as ${user}` : ''}`,
  };
};
