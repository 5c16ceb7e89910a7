import { Secret } from '@stratus/core';
import {
  bindingProblems,
  bindProperties,
  getList,
  type BindOptions,
  type BoundProperties,
  type ConfigEnvironment,
  type PropertySpec,
} from '@stratus/config';
import { RegistryErrors } from '../../errors.js';
import type { LeaseSettings } from '../leases/lease-settings.js';
import type { ReplicationSettings } from '../replication/replication-settings.js';
import type { RegistryCredential } from '../security.js';
import {
  API_KEYS,
  DEFAULT_ZONE_KEY,
  LEASE_KEYS,
  OWNED_PREFIX,
  PEER_KEYS,
  REPLICATION_KEYS,
  SECURITY_CLIENTS_KEY,
  SECURITY_KEYS,
  THRESHOLD_KEYS,
} from './setting-keys.js';

/** Everything the registry server reads from configuration, bound once, typed and frozen. */
export interface RegistrySettings {
  readonly leases: LeaseSettings;
  readonly api: {
    readonly maxBodyBytes: number;
    readonly maxBatchBodyBytes: number;
    readonly useReadOnlyResponseCache: boolean;
    readonly responseCacheUpdateIntervalMs: number;
  };
  readonly replication: ReplicationSettings & {
    readonly startupSync: boolean;
    readonly tombstoneRetentionMs: number;
  };
  readonly peers: {
    /** `defaultZone` entries as written (comma lists not split yet). */
    readonly defaultZone: readonly string[];
    readonly selfUrl: string | undefined;
    readonly port: number;
    /** `server.address`, `eureka.instance.hostname`, `eureka.instance.ip-address` when set. */
    readonly advertisedHosts: readonly string[];
  };
  readonly security: {
    readonly enabled: boolean;
    /** `spring.security.user.*`, when a password is set. */
    readonly admin: RegistryCredential | null;
    readonly clients: readonly RegistryCredential[];
  };
}

/**
 * Every setting but the two thresholds; a key under `stratus.registry` that none of them names
 * is a problem (the binder's unknown-key check).
 */
const SPECS = {
  ...LEASE_KEYS,
  ...API_KEYS,
  ...REPLICATION_KEYS,
  ...PEER_KEYS,
  ...SECURITY_KEYS,
  clients: { key: SECURITY_CLIENTS_KEY, type: 'map', default: {} },
} as const satisfies Record<string, PropertySpec>;

const OWNED: BindOptions = { ownedPrefixes: [OWNED_PREFIX] };

/** Binds `specs`; their problems go to `problems` and the result is then null. */
function bindGroup<T extends Record<string, PropertySpec>>(
  env: ConfigEnvironment,
  specs: T,
  problems: string[],
  options: BindOptions = {},
): BoundProperties<T> | null {
  const found = bindingProblems(env, specs, options);
  problems.push(...found);
  return found.length === 0 ? bindProperties(env, specs, options) : null;
}

/**
 * `stratus.registry.security.clients.<name>`: one credential per service, passwords as text. A
 * nested value binds as `<name>.<key>`, which is no password.
 */
function clientsOf(
  bound: Readonly<Record<string, string>>,
  problems: string[],
): RegistryCredential[] {
  const clients: RegistryCredential[] = [];
  const nested = new Set<string>();
  for (const [username, secret] of Object.entries(bound)) {
    const dot = username.indexOf('.');
    if (dot < 0) clients.push({ username, password: new Secret(secret) });
    else nested.add(username.slice(0, dot));
  }
  for (const username of nested)
    problems.push(`${SECURITY_CLIENTS_KEY}.${username}: must be a password`);
  return clients;
}

/** The bounds the binder cannot express: exclusive minimums. */
function thresholdProblems(thresholds: BoundProperties<typeof THRESHOLD_KEYS>): string[] {
  const problems: string[] = [];
  if (!(thresholds.renewalPercentThreshold > 0))
    problems.push(`${THRESHOLD_KEYS.renewalPercentThreshold.key}: must be > 0`);
  if (!(thresholds.expectedClientRenewalIntervalSecs > 0))
    problems.push(`${THRESHOLD_KEYS.expectedClientRenewalIntervalSecs.key}: must be > 0`);
  return problems;
}

function securityOf(
  bound: BoundProperties<typeof SECURITY_KEYS>,
  clients: readonly RegistryCredential[],
): RegistrySettings['security'] {
  const { enabled, userName, password } = bound;
  const admin =
    password === undefined || password === ''
      ? null
      : Object.freeze({ username: userName, password: new Secret(password) });
  return Object.freeze({ enabled, admin, clients: Object.freeze([...clients]) });
}

function peersOf(
  env: ConfigEnvironment,
  bound: BoundProperties<typeof PEER_KEYS>,
): RegistrySettings['peers'] {
  const advertised = [bound.address, bound.hostname, bound.ipAddress];
  return Object.freeze({
    defaultZone: Object.freeze(getList(env, DEFAULT_ZONE_KEY)),
    selfUrl: bound.selfUrl,
    port: bound.port,
    advertisedHosts: Object.freeze(
      advertised.filter((host): host is string => host !== undefined && host !== ''),
    ),
  });
}

/**
 * Binds the registry's configuration: Spring's `eureka.server.*` keys with Spring's defaults,
 * `stratus.registry.*`, `server.port`, `defaultZone` and `spring.security.user.*`. Every
 * problem is listed — a value of the wrong type or range, and a key under `stratus.registry`
 * that names no setting, with its file.
 */
export function bindRegistrySettings(env: ConfigEnvironment): {
  settings: RegistrySettings | null;
  problems: string[];
} {
  const problems: string[] = [];
  const thresholds = bindGroup(env, THRESHOLD_KEYS, problems);
  const bound = bindGroup(env, SPECS, problems, OWNED);
  if (thresholds !== null) problems.push(...thresholdProblems(thresholds));
  const clients = bound === null ? [] : clientsOf(bound.clients, problems);
  if (problems.length > 0 || thresholds === null || bound === null)
    return { settings: null, problems };
  const settings: RegistrySettings = Object.freeze({
    leases: Object.freeze({
      ...pick(bound, LEASE_KEYS),
      ...thresholds,
      responseCacheAutoExpirationMs: bound.responseCacheAutoExpirationSecs * 1000,
    }),
    api: Object.freeze({
      maxBodyBytes: bound.maxBodyBytes,
      maxBatchBodyBytes: bound.maxBatchBodyBytes,
      useReadOnlyResponseCache: bound.useReadOnlyResponseCache,
      responseCacheUpdateIntervalMs: bound.responseCacheUpdateIntervalMs,
    }),
    replication: Object.freeze({
      ...pick(bound, REPLICATION_KEYS),
      tombstoneRetentionMs: bound.tombstoneRetentionMs ?? bound.deltaRetentionMs,
    }),
    peers: peersOf(env, bound),
    security: securityOf(bound, clients),
  });
  return { settings, problems };
}

/** The values of `bound` named by the keys of `group`. */
function pick<G extends Record<string, PropertySpec>, B extends { [K in keyof G]: unknown }>(
  bound: B,
  group: G,
): { [K in keyof G]: B[K] } {
  return Object.fromEntries(Object.keys(group).map((name) => [name, bound[name]])) as {
    [K in keyof G]: B[K];
  };
}

/**
 * {@link bindRegistrySettings}, failing on any problem.
 *
 * @throws StratusError `REG_ERR_INVALID_CONFIG` whose `details.problems` lists each one.
 */
export function requireRegistrySettings(env: ConfigEnvironment): RegistrySettings {
  const { settings, problems } = bindRegistrySettings(env);
  if (settings !== null) return settings;
  throw RegistryErrors.INVALID_CONFIG({
    message: `Invalid registry configuration:\n  - ${problems.join('\n  - ')}`,
    details: { problems },
  });
}
