import { instanceIdOfRaw } from '../eureka/read-instance.js';
import { readApplicationsDocument } from '../eureka/read-applications.js';
import { portOf, statusOf, stringMapOf, textOf, type JsonObject } from '../eureka/json-values.js';
import type { ServiceInstance } from '../types.js';

/**
 * The `ServiceInstance` of one instance object of a registry document, or null when it has no
 * host, no app or no valid port. The secure port is used when it is enabled.
 */
export function serviceInstanceOf(raw: JsonObject): ServiceInstance | null {
  const host = textOf(raw.hostName);
  const app = textOf(raw.app);
  const unsecure = portOf(raw.port, null, true);
  if (host === null || host === '' || app === null || app === '' || unsecure === null) return null;
  const secure = portOf(raw.securePort, null, false);
  const isSecure = secure?.enabled === true;
  const port = isSecure ? secure.port : unsecure.port;
  const hostInUri = host.includes(':') ? `[${host}]` : host;
  return Object.freeze({
    instanceId: instanceIdOfRaw(raw),
    serviceId: app.toUpperCase(),
    vipAddress: textOf(raw.vipAddress) ?? '',
    host,
    port,
    secure: isSecure,
    uri: `${isSecure ? 'https' : 'http'}://${hostInUri}:${port}`,
    status: statusOf(raw.status, 'UNKNOWN'),
    metadata: Object.freeze(stringMapOf(raw.metadata)),
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
 * The service instances of a registry document (see `readApplicationsDocument`) with each
 * one's `actionType`; null when the document has no application list (the cache is then kept).
 * Instances without a host, app or valid port are skipped.
 */
export function parseApplicationsDocument(body: unknown): ParsedApplications | null {
  const document = readApplicationsDocument(body);
  if (document === null) return null;
  const entries: ParsedEntry[] = [];
  for (const raw of document.instances) {
    const instance = serviceInstanceOf(raw);
    if (instance === null) continue;
    const action = textOf(raw.actionType);
    entries.push({ instance, actionType: action === null ? null : action.toUpperCase() });
  }
  return { entries, hashcode: document.hashcode };
}

/** The instances of a registry document (see {@link parseApplicationsDocument}). */
export function parseApplications(body: unknown): ServiceInstance[] | null {
  return parseApplicationsDocument(body)?.entries.map((entry) => entry.instance) ?? null;
}
