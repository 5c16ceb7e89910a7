import { bindProperties, type ConfigEnvironment, type PropertySpec } from '@stratus/config';
import { isStratusError } from '@stratus/core';
import { invalidConfiguration } from '../errors.js';

/** Defaults of the datasource settings: HikariCP's and Flyway's unless a comment says why not. */
export const DATASOURCE_DEFAULTS = Object.freeze({
  /** `spring.datasource.hikari.maximum-pool-size`: HikariCP's 10. */
  maximumPoolSize: 10,
  /**
   * `spring.datasource.hikari.connection-timeout`: the longest a request waits for a
   * connection before it is answered 503. HikariCP waits 30 s, longer than the gateway waits
   * for an answer; Stratus takes 5 s.
   */
  connectionTimeoutMs: 5_000,
  /** `spring.datasource.hikari.idle-timeout`: HikariCP's 10 minutes. */
  idleTimeoutMs: 600_000,
  /** `spring.datasource.hikari.max-lifetime`: HikariCP's 30 minutes. */
  maxLifetimeMs: 1_800_000,
  /**
   * `spring.datasource.hikari.initialization-fail-timeout`: below 0, a database that does not
   * answer at boot leaves the service running, not ready, retrying with backoff (HikariCP's
   * `-1`); from 0 on, boot fails when the database has not answered within that many ms.
   * HikariCP's default (1 ms) fails at once; Stratus keeps trying, so a stack whose database
   * starts late comes up by itself.
   */
  initializationFailTimeoutMs: -1,
  /** `spring.datasource.hikari.pool-name`: HikariCP's name for the first pool. */
  poolName: 'HikariPool-1',
  /** Longest pause between two connection attempts while the database is down at boot. */
  maxStartupBackoffMs: 10_000,
  /** `spring.flyway.locations`: Flyway's. */
  flywayLocations: ['classpath:db/migration'] as readonly string[],
  /** `spring.flyway.table`: Flyway's history table. */
  flywayTable: 'flyway_schema_history',
  /** `spring.flyway.baseline-version`: Flyway's. */
  flywayBaselineVersion: '1',
  /** `spring.flyway.lock-retry-count`: Flyway's 50 tries, one second apart. */
  flywayLockRetryCount: 50,
});

const D = DATASOURCE_DEFAULTS;

const SPECS = {
  driverClassName: { key: 'spring.datasource.driver-class-name', type: 'string' },
  hikari: {
    key: 'spring.datasource.hikari',
    type: 'object',
    properties: {
      maximumPoolSize: { key: 'maximum-pool-size', type: 'int', min: 1, max: 1000, default: D.maximumPoolSize },
      minimumIdle: { key: 'minimum-idle', type: 'int', min: 0, max: 1000 },
      connectionTimeoutMs: {
        key: 'connection-timeout',
        type: 'duration',
        min: 250,
        default: D.connectionTimeoutMs,
      },
      idleTimeoutMs: { key: 'idle-timeout', type: 'duration', min: 0, default: D.idleTimeoutMs },
      maxLifetimeMs: { key: 'max-lifetime', type: 'duration', min: 0, default: D.maxLifetimeMs },
      initializationFailTimeoutMs: {
        key: 'initialization-fail-timeout',
        type: 'duration',
        default: D.initializationFailTimeoutMs,
      },
      poolName: { key: 'pool-name', type: 'string', default: D.poolName },
    },
  },
  flyway: {
    key: 'spring.flyway',
    type: 'object',
    properties: {
      enabled: { key: 'enabled', type: 'boolean', default: true },
      locations: { key: 'locations', type: 'list', default: D.flywayLocations },
      table: { key: 'table', type: 'string', pattern: /^[A-Za-z_][A-Za-z0-9_]{0,62}$/, default: D.flywayTable },
      baselineOnMigrate: { key: 'baseline-on-migrate', type: 'boolean', default: false },
      baselineVersion: { key: 'baseline-version', type: 'string', pattern: /^\d+([._]\d+)*$/, default: D.flywayBaselineVersion },
      validateOnMigrate: { key: 'validate-on-migrate', type: 'boolean', default: true },
      lockRetryCount: { key: 'lock-retry-count', type: 'int', min: 0, default: D.flywayLockRetryCount },
      placeholderReplacement: { key: 'placeholder-replacement', type: 'boolean', default: true },
      placeholders: { key: 'placeholders', type: 'map', default: {} },
    },
  },
} as const satisfies Record<string, PropertySpec>;

/** The pool settings (`spring.datasource.hikari.*`), in ms. */
export interface PoolSettings {
  readonly maximumPoolSize: number;
  /** HikariCP's default is the maximum pool size. */
  readonly minimumIdle: number;
  readonly connectionTimeoutMs: number;
  /** 0 keeps idle connections open. */
  readonly idleTimeoutMs: number;
  /** 0: no limit. */
  readonly maxLifetimeMs: number;
  readonly initializationFailTimeoutMs: number;
  readonly poolName: string;
}

/** The migration settings (`spring.flyway.*`). */
export interface FlywaySettings {
  readonly enabled: boolean;
  readonly locations: readonly string[];
  readonly table: string;
  readonly baselineOnMigrate: boolean;
  readonly baselineVersion: string;
  readonly validateOnMigrate: boolean;
  readonly lockRetryCount: number;
  readonly placeholderReplacement: boolean;
  readonly placeholders: Readonly<Record<string, string>>;
}

/** What `spring.datasource.*` and `spring.flyway.*` say beyond boot's own settings. */
export interface DatasourceSettings {
  /** `spring.datasource.driver-class-name`, checked against the URL. */
  readonly driverClassName: string | undefined;
  readonly pool: PoolSettings;
  readonly flyway: FlywaySettings;
}

/**
 * Binds the pool (`spring.datasource.hikari.*`) and migration (`spring.flyway.*`) settings,
 * with HikariCP's and Flyway's names and defaults.
 *
 * @throws StratusError `BOOT_ERR_INVALID_CONFIG` listing every bad value with its source.
 */
export function bindDatasourceSettings(env: ConfigEnvironment): DatasourceSettings {
  let bound;
  try {
    bound = bindProperties(env, SPECS);
  } catch (error) {
    if (!isStratusError(error)) throw error;
    const problems = error.details.problems;
    throw invalidConfiguration(Array.isArray(problems) ? problems.map(String) : [error.message]);
  }
  const { hikari, flyway } = bound;
  const minimumIdle = Math.min(hikari.minimumIdle ?? hikari.maximumPoolSize, hikari.maximumPoolSize);
  return Object.freeze({
    driverClassName: bound.driverClassName,
    pool: Object.freeze({ ...hikari, minimumIdle }),
    flyway: Object.freeze({ ...flyway, baselineVersion: flyway.baselineVersion.replace(/_/g, '.') }),
  });
}
