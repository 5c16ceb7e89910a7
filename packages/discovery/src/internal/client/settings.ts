import { EUREKA_CLIENT_DEFAULTS } from '../../defaults.js';
import { invalidClientOptions } from '../../errors.js';
import type { EurekaClientOptions } from '../../eureka-client.js';
import { parseServiceUrl, type ServiceUrl } from '../service-url.js';

/** The validated, frozen options of one Eureka client. */
export interface ClientSettings {
  readonly registerWithEureka: boolean;
  readonly fetchRegistry: boolean;
  readonly renewalIntervalMs: number;
  readonly registryFetchIntervalMs: number;
  readonly requestTimeoutMs: number;
  readonly maxResponseBytes: number;
  readonly shouldUseDelta: boolean;
  readonly instanceInfoReplicationIntervalMs: number;
}

const POSITIVE_KEYS = [
  'renewalIntervalMs',
  'registryFetchIntervalMs',
  'requestTimeoutMs',
  'maxResponseBytes',
  'instanceInfoReplicationIntervalMs',
] as const;

/**
 * Defaults and validates the client options once, listing every problem.
 *
 * @throws StratusError `REG_ERR_INVALID_CLIENT_OPTIONS`.
 */
export function resolveClientSettings(options: EurekaClientOptions): {
  settings: ClientSettings;
  urls: ServiceUrl[];
} {
  const d = EUREKA_CLIENT_DEFAULTS;
  const settings: ClientSettings = Object.freeze({
    registerWithEureka: options.registerWithEureka ?? d.registerWithEureka,
    fetchRegistry: options.fetchRegistry ?? d.fetchRegistry,
    renewalIntervalMs: options.renewalIntervalMs ?? d.renewalIntervalMs,
    registryFetchIntervalMs: options.registryFetchIntervalMs ?? d.registryFetchIntervalMs,
    requestTimeoutMs: options.requestTimeoutMs ?? d.requestTimeoutMs,
    maxResponseBytes: options.maxResponseBytes ?? d.maxResponseBytes,
    shouldUseDelta: options.shouldUseDelta ?? d.shouldUseDelta,
    instanceInfoReplicationIntervalMs:
      options.instanceInfoReplicationIntervalMs ?? d.instanceInfoReplicationIntervalMs,
  });
  const problems: string[] = [];
  for (const key of POSITIVE_KEYS) {
    if (!Number.isFinite(settings[key]) || settings[key] <= 0)
      problems.push(`${key} must be a number > 0`);
  }
  if (!Array.isArray(options.serviceUrls) || options.serviceUrls.length === 0)
    problems.push('serviceUrls must not be empty');
  const urls: ServiceUrl[] = [];
  (Array.isArray(options.serviceUrls) ? options.serviceUrls : []).forEach((raw, index) => {
    const parsed = parseServiceUrl(raw);
    if (parsed === null) problems.push(`serviceUrls[${index}] is not an http(s) URL`);
    else urls.push(parsed);
  });
  if (problems.length > 0) throw invalidClientOptions(problems);
  return { settings, urls };
}
