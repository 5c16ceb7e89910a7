import type { InstanceStatus, ServiceInstance } from '../types.js';

type Obj = Record<string, unknown>;

const STATUSES = new Set(['UP', 'DOWN', 'STARTING', 'OUT_OF_SERVICE', 'UNKNOWN']);
const isObject = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const asList = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
const text = (value: unknown): string | null =>
  typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : null;

function port(
  value: unknown,
  enabledByDefault: boolean,
): { port: number; enabled: boolean } | null {
  const raw = isObject(value) ? value.$ : value;
  const number =
    typeof raw === 'number'
      ? raw
      : typeof raw === 'string' && /^\d+$/.test(raw)
        ? Number(raw)
        : NaN;
  if (!Number.isInteger(number) || number < 0 || number > 65_535) return null;
  const flag = isObject(value) ? value['@enabled'] : undefined;
  const enabled = flag === undefined ? enabledByDefault : flag === true || flag === 'true';
  return { port: number, enabled };
}

function toServiceInstance(raw: unknown): ServiceInstance | null {
  if (!isObject(raw)) return null;
  const host = text(raw.hostName);
  const app = text(raw.app);
  const unsecure = port(raw.port, true);
  if (host === null || host === '' || app === null || app === '' || unsecure === null) return null;
  const secure = port(raw.securePort, false);
  const isSecure = secure?.enabled === true;
  const chosen = isSecure ? secure!.port : unsecure.port;
  const statusText = text(raw.status)?.toUpperCase() ?? 'UNKNOWN';
  const metadata: Record<string, string> = {};
  if (isObject(raw.metadata)) {
    for (const [key, value] of Object.entries(raw.metadata)) {
      const asText = text(value);
      if (key !== '@class' && asText !== null)
        Object.defineProperty(metadata, key, { value: asText, enumerable: true });
    }
  }
  const hostInUri = host.includes(':') ? `[${host}]` : host;
  return Object.freeze({
    instanceId: text(raw.instanceId) || host,
    serviceId: app.toUpperCase(),
    vipAddress: text(raw.vipAddress) ?? '',
    host,
    port: chosen,
    secure: isSecure,
    uri: `${isSecure ? 'https' : 'http'}://${hostInUri}:${chosen}`,
    status: (STATUSES.has(statusText) ? statusText : 'UNKNOWN') as InstanceStatus,
    metadata: Object.freeze(metadata),
  });
}

/** One instance of a registry document with the delta action it carries. */
export interface ParsedEntry {
  readonly instance: ServiceInstance;
  /** `ADDED`, `MODIFIED`, `DELETED` (upper case), or null when absent. */
  readonly actionType: string | null;
}

/** A parsed `{"applications": …}` document (full registry or delta). */
export interface ParsedApplications {
  readonly entries: ParsedEntry[];
  /** `apps__hashcode` as sent, or null when absent. */
  readonly hashcode: string | null;
}

/**
 * Reads `{"applications":{"application":[{"instance":[…]}]}}`, tolerating a
 * single object where an array belongs, with `apps__hashcode` and each
 * instance's `actionType` (spring-wire §1.7–1.8). Returns null when
 * `applications` or `application` is missing (the cache is then kept).
 * Instances without a host, app or valid port are skipped.
 */
export function parseApplicationsDocument(body: unknown): ParsedApplications | null {
  if (!isObject(body) || !isObject(body.applications)) return null;
  const applications = body.applications.application;
  if (applications === undefined || applications === null) return null;
  const entries: ParsedEntry[] = [];
  for (const application of asList(applications)) {
    if (!isObject(application)) continue;
    for (const raw of asList(application.instance)) {
      const instance = toServiceInstance(raw);
      if (instance === null) continue;
      const action = isObject(raw) ? text(raw.actionType) : null;
      entries.push({ instance, actionType: action === null ? null : action.toUpperCase() });
    }
  }
  return { entries, hashcode: text(body.applications.apps__hashcode) };
}

/** The instances of a registry document (see {@link parseApplicationsDocument}). */
export function parseApplications(body: unknown): ServiceInstance[] | null {
  return parseApplicationsDocument(body)?.entries.map((entry) => entry.instance) ?? null;
}

/**
 * `apps__hashcode` of a set of instances: `STATUS_count_` for every status
 * present, sorted by status name (`DOWN_1_UP_3_`); empty for none (spring-wire §1.7).
 */
export function reconcileHashCode(instances: Iterable<{ status: string }>): string {
  const counts = new Map<string, number>();
  for (const { status } of instances) counts.set(status, (counts.get(status) ?? 0) + 1);
  return [...counts.keys()]
    .sort()
    .map((status) => `${status}_${counts.get(status)}_`)
    .join('');
}
