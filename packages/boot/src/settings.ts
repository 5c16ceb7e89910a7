import { resolve } from 'node:path';
import {
  bindProperties,
  bindingProblems,
  type BindOptions,
  type ConfigEnvironment,
  type PropertySpec,
} from '@stratus/config';
import type { Secret } from '@stratus/core';
import { BOOT_DEFAULTS as D } from './defaults.js';
import { invalidConfiguration } from './errors.js';

/** Boot's own settings, bound once from configuration (and again on each refresh), frozen. */
export interface BootSettings {
  /** `spring.application.name`. */
  readonly applicationName: string;
  readonly server: {
    /** `server.port`; 0 binds a free port. @default 8080 */
    readonly port: number;
    /** `server.address`. @default '0.0.0.0' */
    readonly address: string;
    /** `server.max-http-request-body-bytes`. @default 1048576 (1 MiB) */
    readonly maxRequestBodyBytes: number;
    /** `server.trust-proxy`. @default false */
    readonly trustProxy: boolean;
  };
  /** `stratus.data-dir`, absolute. @default ./data */
  readonly dataDir: string;
  /** `stratus.http.timeout-ms`. @default 5000 ms */
  readonly httpTimeoutMs: number;
  readonly management: {
    /** `spring.security.user.name`. @default 'user' */
    readonly userName: string;
    /** `spring.security.user.password`; unset: protected actuator endpoints refuse everyone. */
    readonly password: Secret | undefined;
  };
  readonly datasource: {
    /** `spring.datasource.url`; unset: the embedded SQLite file `<data-dir>/<app>.db`. */
    readonly url: string | undefined;
    /** `spring.datasource.username`. */
    readonly username: string | undefined;
    /** `spring.datasource.password`. */
    readonly password: Secret | undefined;
    /** `spring.datasource.hikari.validation-timeout`: the `db` health query's budget. @default 2000 ms */
    readonly validationTimeoutMs: number;
    /** `management.health.db.enabled`. @default true */
    readonly healthEnabled: boolean;
  };
  /** `stratus.outbox.*`: the relay of `app.outbox()`. */
  readonly outbox: {
    /** `poll-interval-ms`. @default 200 ms */
    readonly pollIntervalMs: number;
    /** `batch-size`. @default 100 */
    readonly batchSize: number;
    /** `lease-ms`. @default 10000 ms */
    readonly leaseMs: number;
    /** `claim-strategy`: `auto`, `skip-locked` or `lease` (see `ClaimStrategy`). @default 'auto' */
    readonly claimStrategy: 'auto' | 'skip-locked' | 'lease';
    /** `max-backoff-ms`. @default 30000 ms */
    readonly maxBackoffMs: number;
    /** `retention`: published rows are deleted after this. @default 7d */
    readonly retentionMs: number;
  };
  /** `stratus.inbox.*`: the processed message ids of idempotent consumers. */
  readonly inbox: {
    /** `retention`: ids are deleted after this (keep it above the transport's retention). @default 7d */
    readonly retentionMs: number;
  };
  /** What `requireBearer()` checks besides the signature, `exp` and `sub`. */
  readonly jwt: {
    /** `stratus.security.jwt.issuer`, else `spring.security.oauth2.resourceserver.jwt.issuer-uri`. */
    readonly issuer: string | undefined;
    /** `stratus.security.jwt.audience`, else `spring.security.oauth2.resourceserver.jwt.audiences`. */
    readonly audiences: readonly string[];
    /** `spring.security.oauth2.resourceserver.jwt.jwk-set-uri`: verify with this JWKS. */
    readonly jwkSetUri: string | undefined;
    /** `spring.security.oauth2.resourceserver.jwt.public-key-location`: verify with this PEM. */
    readonly publicKeyLocation: string | undefined;
    /** `spring.security.oauth2.resourceserver.jwt.jws-algorithms`; empty: the verifier's defaults. */
    readonly algorithms: readonly string[];
  };
  /** What discovery advertises: `eureka.instance.ip-address`, `hostname`, `prefer-ip-address`. */
  readonly instance: {
    readonly ipAddress: string | undefined;
    readonly hostname: string | undefined;
    readonly preferIpAddress: boolean;
  };
}

const OAUTH2_JWT = 'spring.security.oauth2.resourceserver.jwt';

/** The settings boot uses itself: each key, its type, limits and default. */
const BOOT_PROPERTIES = {
  applicationName: { key: 'spring.application.name', type: 'string', required: true },
  server: {
    key: 'server',
    type: 'object',
    properties: {
      port: { key: 'port', type: 'int', min: 0, max: 65535, default: D.serverPort },
      address: { key: 'address', type: 'string', default: D.serverAddress },
      maxBody: {
        key: 'max-http-request-body-bytes',
        type: 'int',
        min: 1,
        default: D.maxRequestBodyBytes,
      },
      trustProxy: { key: 'trust-proxy', type: 'boolean', default: D.trustProxy },
    },
  },
  dataDir: { key: 'stratus.data-dir', type: 'string', default: D.dataDir },
  httpTimeoutMs: {
    key: 'stratus.http.timeout-ms',
    type: 'number',
    min: 1,
    default: D.httpTimeoutMs,
  },
  user: {
    key: 'spring.security.user',
    type: 'object',
    properties: {
      name: { key: 'name', type: 'string', default: D.managementUserName },
      password: { key: 'password', type: 'secret' },
    },
  },
  datasource: {
    key: 'spring.datasource',
    type: 'object',
    properties: {
      url: { key: 'url', type: 'string' },
      username: { key: 'username', type: 'string' },
      password: { key: 'password', type: 'secret' },
      validationTimeoutMs: {
        key: 'hikari.validation-timeout',
        type: 'duration',
        min: 1,
        default: D.datasourceValidationTimeoutMs,
      },
    },
  },
  dbHealth: { key: 'management.health.db.enabled', type: 'boolean', default: D.dbHealthEnabled },
  outbox: {
    key: 'stratus.outbox',
    type: 'object',
    properties: {
      pollIntervalMs: {
        key: 'poll-interval-ms',
        type: 'number',
        min: 1,
        default: D.outboxPollIntervalMs,
      },
      batchSize: { key: 'batch-size', type: 'int', min: 1, default: D.outboxBatchSize },
      leaseMs: { key: 'lease-ms', type: 'number', min: 1, default: D.outboxLeaseMs },
      claimStrategy: {
        key: 'claim-strategy',
        type: 'enum',
        values: ['auto', 'skip-locked', 'lease'],
        default: 'auto',
      },
      maxBackoffMs: {
        key: 'max-backoff-ms',
        type: 'number',
        min: 1,
        default: D.outboxMaxBackoffMs,
      },
      retentionMs: { key: 'retention', type: 'duration', min: 1, default: D.outboxRetentionMs },
    },
  },
  inbox: {
    key: 'stratus.inbox',
    type: 'object',
    properties: {
      retentionMs: { key: 'retention', type: 'duration', min: 1, default: D.inboxRetentionMs },
    },
  },
  jwt: {
    key: 'stratus.security.jwt',
    type: 'object',
    properties: {
      issuer: { key: 'issuer', type: 'string' },
      audience: { key: 'audience', type: 'list', default: [] },
    },
  },
  oauth2: {
    key: OAUTH2_JWT,
    type: 'object',
    properties: {
      issuerUri: { key: 'issuer-uri', type: 'string' },
      audiences: { key: 'audiences', type: 'list', default: [] },
      jwkSetUri: { key: 'jwk-set-uri', type: 'url' },
      publicKeyLocation: { key: 'public-key-location', type: 'string' },
      algorithms: { key: 'jws-algorithms', type: 'list', default: [] },
    },
  },
  instance: {
    key: 'eureka.instance',
    type: 'object',
    properties: {
      ipAddress: { key: 'ip-address', type: 'string' },
      hostname: { key: 'hostname', type: 'string' },
      preferIp: { key: 'prefer-ip-address', type: 'boolean', default: false },
    },
  },
} as const satisfies Record<string, PropertySpec>;

/**
 * `stratus.*` settings of boot that other modules read where they are used (connection limits,
 * actuator exposure, discovery, the balancer). Bound here too, so that a typo under a prefix
 * boot owns is reported with its file instead of being ignored.
 */
const READ_IN_PLACE = {
  requestTimeout: { key: 'stratus.server.request-timeout', type: 'string' },
  checkInterval: { key: 'stratus.server.connections-checking-interval', type: 'string' },
  publicEndpoints: { key: 'stratus.management.public-endpoints', type: 'list' },
  loadBalancer: {
    key: 'stratus.loadbalancer',
    type: 'object',
    properties: {
      quarantineMs: { key: 'quarantine-ms', type: 'number', min: 0 },
      maxQuarantineMs: { key: 'max-quarantine-ms', type: 'number', min: 0 },
      earlyRefreshMs: { key: 'early-refresh-min-interval-ms', type: 'number', min: 0 },
    },
  },
  discovery: {
    key: 'stratus.discovery',
    type: 'object',
    properties: {
      mode: { key: 'mode', type: 'enum', values: ['eureka', 'static', 'kubernetes', 'none'] },
      kubernetes: {
        key: 'kubernetes',
        type: 'object',
        properties: {
          namespace: { key: 'namespace', type: 'string' },
          port: { key: 'port', type: 'int', min: 1, max: 65535 },
          ports: { key: 'ports', type: 'map' },
          scheme: { key: 'scheme', type: 'enum', values: ['http', 'https'] },
        },
      },
    },
  },
} as const satisfies Record<string, PropertySpec>;

const SPECS = { ...BOOT_PROPERTIES, ...READ_IN_PLACE };

/**
 * The `stratus.*` prefixes boot owns: any key under one that boot does not read is a problem.
 * `stratus.messaging.*` belongs to the transport selection, `stratus.registry`, `.gateway` and
 * `.config-server` to those servers.
 */
export const BOOT_OWNED_PREFIXES: readonly string[] = Object.freeze([
  'stratus.http',
  'stratus.server',
  'stratus.management',
  'stratus.security',
  'stratus.outbox',
  'stratus.inbox',
  'stratus.loadbalancer',
  'stratus.discovery',
]);

const BIND_OPTIONS: BindOptions = { ownedPrefixes: BOOT_OWNED_PREFIXES };

/**
 * Binds boot's settings from `env` in one pass, Spring's `@ConfigurationProperties` way: every
 * bad value and every unknown key under a `stratus.*` prefix boot owns is reported together,
 * each with the file (or source) that set it.
 *
 * @throws StratusError `BOOT_ERR_INVALID_CONFIG` whose `details.problems` lists each problem.
 * @example
 * const settings = bindBootSettings(app.config.environment);
 * settings.server.port; // 0
 */
export function bindBootSettings(env: ConfigEnvironment): BootSettings {
  const problems = bootSettingsProblems(env);
  if (problems.length > 0) throw invalidConfiguration(problems);
  const b = bindProperties(env, BOOT_PROPERTIES);
  return Object.freeze({
    applicationName: b.applicationName,
    server: Object.freeze({
      port: b.server.port,
      address: b.server.address,
      maxRequestBodyBytes: b.server.maxBody,
      trustProxy: b.server.trustProxy,
    }),
    dataDir: resolve(b.dataDir),
    httpTimeoutMs: b.httpTimeoutMs,
    management: Object.freeze({ userName: b.user.name, password: b.user.password }),
    datasource: Object.freeze({ ...b.datasource, healthEnabled: b.dbHealth }),
    outbox: b.outbox,
    inbox: b.inbox,
    jwt: Object.freeze({
      issuer: b.jwt.issuer ?? b.oauth2.issuerUri,
      audiences: b.jwt.audience.length > 0 ? b.jwt.audience : b.oauth2.audiences,
      jwkSetUri: b.oauth2.jwkSetUri,
      publicKeyLocation: b.oauth2.publicKeyLocation,
      algorithms: b.oauth2.algorithms,
    }),
    instance: Object.freeze({
      ipAddress: b.instance.ipAddress,
      hostname: b.instance.hostname,
      preferIpAddress: b.instance.preferIp,
    }),
  });
}

/**
 * Problems of `env` for boot (empty when it binds): the refresh validator, so that a refresh
 * that would not bind is rejected and the previous settings stay.
 */
export function bootSettingsProblems(env: ConfigEnvironment): string[] {
  return bindingProblems(env, SPECS, BIND_OPTIONS);
}
