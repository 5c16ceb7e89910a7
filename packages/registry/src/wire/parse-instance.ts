import {
  AMAZON_DATA_CENTER_CLASS,
  DEFAULT_DATA_CENTER_CLASS,
  instanceIdOf,
  toInstanceStatus,
  type DataCenterInfo,
  type InstanceInfo,
  type InstanceStatus,
  type PortInfo,
} from '../model.js';
import { REGISTRY_DEFAULTS } from '../defaults.js';

/** Result of {@link parseInstance}: the instance, or Eureka's 400 text. */
export type ParseInstanceResult =
  | { readonly ok: true; readonly instance: InstanceInfo }
  | { readonly ok: false; readonly message: string };

type Obj = Record<string, unknown>;

const isObject = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function text(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

const blank = (value: string | null): boolean => value === null || value.trim() === '';

/** Integer from a number or a decimal string; `undefined` when absent or boolean, `null` when invalid. */
function integer(value: unknown): number | null | undefined {
  if (value === undefined || value === null || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : null;
  if (typeof value === 'string' && /^-?\d{1,16}$/.test(value.trim())) return Number(value.trim());
  return null;
}

function bool(value: unknown, fallback: boolean): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.trim().toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return fallback;
}

/** Port as number, numeric string or `{"$":n,"@enabled":"true"|true}`. */
function port(value: unknown, fallback: number, enabledByDefault: boolean): PortInfo | null {
  if (value === undefined || value === null) return { port: fallback, enabled: enabledByDefault };
  const raw = isObject(value) ? value.$ : value;
  const enabled = isObject(value)
    ? bool(value['@enabled'] ?? value.enabled, enabledByDefault)
    : enabledByDefault;
  const number = integer(raw);
  if (number === null || (number !== undefined && (number < 0 || number > 65_535))) return null;
  return { port: number ?? fallback, enabled };
}

function stringMap(value: unknown): Record<string, string> {
  if (!isObject(value)) return {};
  const entries: [string, string][] = [];
  for (const [key, entry] of Object.entries(value)) {
    if (key === '@class') continue; // java.util.Collections$EmptyMap marks an empty map
    const asText = text(entry);
    if (asText !== null) entries.push([key, asText]);
  }
  return Object.fromEntries(entries);
}

function dataCenter(value: unknown): DataCenterInfo | 'missing' | 'missing-name' {
  if (!isObject(value)) return 'missing';
  const name = text(value.name);
  if (blank(name)) return 'missing-name';
  const declared = text(value['@class']);
  const className = blank(declared)
    ? name === 'Amazon'
      ? AMAZON_DATA_CENTER_CLASS
      : DEFAULT_DATA_CENTER_CLASS
    : declared!;
  return name === 'Amazon'
    ? { className, name: name!, metadata: stringMap(value.metadata) }
    : { className, name: name! };
}

function status(value: unknown, fallback: InstanceStatus): InstanceStatus {
  const name = text(value);
  return name === null ? fallback : (toInstanceStatus(name.trim().toUpperCase()) ?? 'UNKNOWN');
}

/**
 * Reads a register body (`{"instance":{…}}`, or the bare instance) leniently,
 * as the Netflix deserializer does (spring-wire §1.4), and validates it in
 * Eureka's order with Eureka's 400 messages. `pathApp` is the app in the URL.
 * Never throws.
 */
export function parseInstance(body: unknown, pathApp: string, nowMs: number): ParseInstanceResult {
  const fail = (message: string): ParseInstanceResult => ({ ok: false, message });
  const raw = isObject(body) && isObject(body.instance) ? body.instance : body;
  if (!isObject(raw)) return fail('Missing instance');

  const hostName = text(raw.hostName);
  const ipAddr = text(raw.ipAddr);
  const app = text(raw.app)?.trim().toUpperCase() ?? null;
  const dc = dataCenter(raw.dataCenterInfo);
  const instanceId = text(raw.instanceId) ?? '';
  const id = instanceIdOf({
    instanceId: instanceId.trim(),
    hostName: hostName ?? '',
    dataCenterInfo: typeof dc === 'string' ? { className: '', name: '' } : dc,
  });
  if (blank(id)) return fail('Missing instanceId');
  if (blank(hostName)) return fail('Missing hostname');
  if (blank(ipAddr)) return fail('Missing ip address');
  if (blank(app)) return fail('Missing appName');
  const expected = pathApp.toUpperCase();
  if (app !== expected) return fail(`Mismatched appName, expecting ${expected} but was ${app}`);
  if (dc === 'missing') return fail('Missing dataCenterInfo');
  if (dc === 'missing-name') return fail('Missing dataCenterInfo Name');

  const unsecure = port(raw.port, 7001, true);
  const secure = port(raw.securePort, 7002, false);
  if (unsecure === null) return fail('Invalid port');
  if (secure === null) return fail('Invalid securePort');

  const timestamps: Record<'lastUpdatedTimestamp' | 'lastDirtyTimestamp', number> = {
    lastUpdatedTimestamp: nowMs,
    lastDirtyTimestamp: nowMs,
  };
  for (const key of ['lastUpdatedTimestamp', 'lastDirtyTimestamp'] as const) {
    const value = integer(raw[key]);
    if (value === null || (value !== undefined && value < 0)) return fail(`Invalid ${key}`);
    if (value !== undefined) timestamps[key] = value;
  }

  const lease = isObject(raw.leaseInfo) ? raw.leaseInfo : {};
  const renewal = integer(lease.renewalIntervalInSecs);
  const duration = integer(lease.durationInSecs);
  const countryId = integer(raw.countryId);
  const optional = (key: string): string | null => {
    const value = text(raw[key]);
    return blank(value) ? null : value;
  };

  return {
    ok: true,
    instance: {
      instanceId: instanceId.trim(),
      hostName: hostName!,
      app: app!,
      ipAddr: ipAddr!,
      sid: text(raw.sid) ?? 'na',
      status: status(raw.status, 'UP'),
      overriddenStatus: status(raw.overriddenStatus ?? raw.overriddenstatus, 'UNKNOWN'),
      port: unsecure,
      securePort: secure,
      countryId: countryId ?? 1,
      dataCenterInfo: dc,
      leaseInfo: {
        renewalIntervalInSecs:
          renewal != null && renewal > 0 ? renewal : REGISTRY_DEFAULTS.defaultRenewalIntervalSecs,
        durationInSecs:
          duration != null && duration > 0 ? duration : REGISTRY_DEFAULTS.defaultLeaseDurationSecs,
        registrationTimestamp: 0,
        lastRenewalTimestamp: 0,
        evictionTimestamp: 0,
        serviceUpTimestamp: 0,
      },
      metadata: stringMap(raw.metadata),
      appGroupName: optional('appGroupName'),
      homePageUrl: optional('homePageUrl'),
      statusPageUrl: optional('statusPageUrl'),
      healthCheckUrl: optional('healthCheckUrl'),
      secureHealthCheckUrl: optional('secureHealthCheckUrl'),
      vipAddress: optional('vipAddress'),
      secureVipAddress: optional('secureVipAddress'),
      isCoordinatingDiscoveryServer: bool(raw.isCoordinatingDiscoveryServer, false),
      lastUpdatedTimestamp: timestamps.lastUpdatedTimestamp,
      lastDirtyTimestamp: timestamps.lastDirtyTimestamp,
      actionType: null,
      asgName: optional('asgName'),
    },
  };
}
