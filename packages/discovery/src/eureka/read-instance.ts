import { EUREKA_INSTANCE_DEFAULTS } from '../defaults.js';
import {
  AMAZON_DATA_CENTER_CLASS,
  DEFAULT_DATA_CENTER_CLASS,
  instanceIdOf,
  type DataCenterInfo,
  type InstanceInfo,
  type LeaseInfo,
} from './model.js';
import {
  booleanOf,
  integerOf,
  isBlank,
  isJsonObject,
  portOf,
  statusOf,
  stringMapOf,
  textOf,
  type JsonObject,
} from './json-values.js';

/** Result of {@link parseInstance}: the instance, or Eureka's 400 text. */
export type ParseInstanceResult =
  | { readonly ok: true; readonly instance: InstanceInfo }
  | { readonly ok: false; readonly message: string };

function dataCenterOf(value: unknown): DataCenterInfo | 'missing' | 'missing-name' {
  if (!isJsonObject(value)) return 'missing';
  const name = textOf(value.name);
  if (name === null || isBlank(name)) return 'missing-name';
  const declared = textOf(value['@class']);
  // spring-wire §1.4: infer a missing `@class` from the name, as Jackson needs one.
  const className =
    declared === null || isBlank(declared)
      ? name === 'Amazon'
        ? AMAZON_DATA_CENTER_CLASS
        : DEFAULT_DATA_CENTER_CLASS
      : declared;
  return name === 'Amazon'
    ? { className, name, metadata: stringMapOf(value.metadata) }
    : { className, name };
}

function leaseOf(value: unknown): LeaseInfo {
  const lease = isJsonObject(value) ? value : {};
  const renewal = integerOf(lease.renewalIntervalInSecs);
  const duration = integerOf(lease.durationInSecs);
  return {
    renewalIntervalInSecs:
      renewal != null && renewal > 0
        ? renewal
        : EUREKA_INSTANCE_DEFAULTS.leaseRenewalIntervalInSecs,
    durationInSecs:
      duration != null && duration > 0
        ? duration
        : EUREKA_INSTANCE_DEFAULTS.leaseExpirationDurationInSecs,
    registrationTimestamp: 0,
    lastRenewalTimestamp: 0,
    evictionTimestamp: 0,
    serviceUpTimestamp: 0,
  };
}

/**
 * The id of an instance object as read from a registry document, by Eureka's rule
 * ({@link instanceIdOf}); empty when it has neither an id nor a host name.
 */
export function instanceIdOfRaw(raw: JsonObject): string {
  const dataCenter = dataCenterOf(raw.dataCenterInfo);
  return instanceIdOf({
    instanceId: (textOf(raw.instanceId) ?? '').trim(),
    hostName: textOf(raw.hostName) ?? '',
    dataCenterInfo: typeof dataCenter === 'string' ? { className: '', name: '' } : dataCenter,
  });
}

/** The optional text fields: absent, null and blank are all `null`. */
function optionalText(raw: JsonObject, key: string): string | null {
  const value = textOf(raw[key]);
  return isBlank(value) ? null : value;
}

/**
 * Reads a register body (`{"instance":{…}}`, or the bare instance) leniently, as the Netflix
 * deserializer does (spring-wire §1.4), and validates it in Eureka's order with Eureka's 400
 * messages. `pathApp` is the app in the URL; `nowMs` stands in for missing timestamps.
 * Never throws.
 *
 * @example
 * const result = parseInstance(JSON.parse(body), 'MYAPP', Date.now());
 * if (!result.ok) reply.code(400).send(result.message);
 */
export function parseInstance(body: unknown, pathApp: string, nowMs: number): ParseInstanceResult {
  const fail = (message: string): ParseInstanceResult => ({ ok: false, message });
  const raw = isJsonObject(body) && isJsonObject(body.instance) ? body.instance : body;
  if (!isJsonObject(raw)) return fail('Missing instance');

  const hostName = textOf(raw.hostName);
  const ipAddr = textOf(raw.ipAddr);
  const app = textOf(raw.app)?.trim().toUpperCase() ?? null;
  const dataCenter = dataCenterOf(raw.dataCenterInfo);
  const instanceId = (textOf(raw.instanceId) ?? '').trim();
  if (isBlank(instanceIdOfRaw(raw))) return fail('Missing instanceId');
  if (hostName === null || isBlank(hostName)) return fail('Missing hostname');
  if (ipAddr === null || isBlank(ipAddr)) return fail('Missing ip address');
  if (app === null || isBlank(app)) return fail('Missing appName');
  const expected = pathApp.toUpperCase();
  if (app !== expected) return fail(`Mismatched appName, expecting ${expected} but was ${app}`);
  if (dataCenter === 'missing') return fail('Missing dataCenterInfo');
  if (dataCenter === 'missing-name') return fail('Missing dataCenterInfo Name');

  const port = portOf(raw.port, EUREKA_INSTANCE_DEFAULTS.port, true);
  const securePort = portOf(raw.securePort, EUREKA_INSTANCE_DEFAULTS.securePort, false);
  if (port === null) return fail('Invalid port');
  if (securePort === null) return fail('Invalid securePort');
  const timestamps = { lastUpdatedTimestamp: nowMs, lastDirtyTimestamp: nowMs };
  for (const key of ['lastUpdatedTimestamp', 'lastDirtyTimestamp'] as const) {
    const value = integerOf(raw[key]);
    if (value === null || (value !== undefined && value < 0)) return fail(`Invalid ${key}`);
    if (value !== undefined) timestamps[key] = value;
  }

  return {
    ok: true,
    instance: {
      instanceId,
      hostName,
      app,
      ipAddr,
      sid: textOf(raw.sid) ?? 'na',
      status: statusOf(raw.status, 'UP'),
      overriddenStatus: statusOf(raw.overriddenStatus ?? raw.overriddenstatus, 'UNKNOWN'),
      port,
      securePort,
      countryId: integerOf(raw.countryId) ?? 1,
      dataCenterInfo: dataCenter,
      leaseInfo: leaseOf(raw.leaseInfo),
      metadata: stringMapOf(raw.metadata),
      appGroupName: optionalText(raw, 'appGroupName'),
      homePageUrl: optionalText(raw, 'homePageUrl'),
      statusPageUrl: optionalText(raw, 'statusPageUrl'),
      healthCheckUrl: optionalText(raw, 'healthCheckUrl'),
      secureHealthCheckUrl: optionalText(raw, 'secureHealthCheckUrl'),
      vipAddress: optionalText(raw, 'vipAddress'),
      secureVipAddress: optionalText(raw, 'secureVipAddress'),
      isCoordinatingDiscoveryServer: booleanOf(raw.isCoordinatingDiscoveryServer, false),
      lastUpdatedTimestamp: timestamps.lastUpdatedTimestamp,
      lastDirtyTimestamp: timestamps.lastDirtyTimestamp,
      actionType: null,
      asgName: optionalText(raw, 'asgName'),
    },
  };
}
