import {
  withInstances,
  type Application,
  type Applications,
  type InstanceInfo,
  type LeaseInfo,
  type PortInfo,
} from './model.js';
import { autoFields } from './auto-fields.js';

const EMPTY_MAP_CLASS = 'java.util.Collections$EmptyMap';

type Json = Record<string, unknown>;

function portJson(port: PortInfo): Json {
  return { $: port.port, '@enabled': port.enabled ? 'true' : 'false' };
}

/**
 * `leaseInfo` with exactly Eureka's six fields: Jackson fails on unknown ones (spring-wire §1.7).
 */
export function leaseInfoJson(lease: LeaseInfo): LeaseInfo {
  return {
    renewalIntervalInSecs: lease.renewalIntervalInSecs,
    durationInSecs: lease.durationInSecs,
    registrationTimestamp: lease.registrationTimestamp,
    lastRenewalTimestamp: lease.lastRenewalTimestamp,
    evictionTimestamp: lease.evictionTimestamp,
    serviceUpTimestamp: lease.serviceUpTimestamp,
  };
}

/**
 * One instance in the legacy Netflix JSON form (spring-wire §1.7): fixed key
 * order, `@Auto` fields as strings and only when non-null, string `@enabled`,
 * `@class` on `dataCenterInfo` and on an empty `metadata`.
 */
export function instanceJson(instance: InstanceInfo): Json {
  const out: Json = {};
  if (instance.instanceId !== '') out.instanceId = instance.instanceId;
  out.hostName = instance.hostName;
  out.app = instance.app;
  out.ipAddr = instance.ipAddr;
  if (instance.sid !== null && instance.sid !== 'na' && instance.sid !== 'unknown')
    out.sid = instance.sid;
  out.status = instance.status;
  out.overriddenStatus = instance.overriddenStatus;
  out.port = portJson(instance.port);
  out.securePort = portJson(instance.securePort);
  out.countryId = instance.countryId;
  const dataCenter: Json = {
    '@class': instance.dataCenterInfo.className,
    name: instance.dataCenterInfo.name,
  };
  if (instance.dataCenterInfo.metadata !== undefined)
    dataCenter.metadata = { ...instance.dataCenterInfo.metadata };
  out.dataCenterInfo = dataCenter;
  out.leaseInfo = leaseInfoJson(instance.leaseInfo);

  out.metadata =
    Object.keys(instance.metadata).length === 0
      ? { '@class': EMPTY_MAP_CLASS }
      : { ...instance.metadata };
  for (const [key, value] of autoFields(instance)) out[key] = String(value);
  return out;
}

function applicationBody(application: Application): Json {
  return { name: application.name, instance: application.instances.map(instanceJson) };
}

/** One application as it stands inside `"application":[…]`: `{"name":…,"instance":[…]}`. */
export function applicationJsonFragment(application: Application): string {
  return JSON.stringify(applicationBody(application));
}

/**
 * `{"applications":{"versions__delta","apps__hashcode","application":[…]}}`; `application` is
 * always an array. `renderApplication` lets a caller reuse cached fragments.
 */
export function applicationsToJson(
  applications: Applications,
  renderApplication: (application: Application) => string = applicationJsonFragment,
): string {
  const apps = withInstances(applications).map(renderApplication);
  return (
    `{"applications":{"versions__delta":${JSON.stringify(String(applications.versionDelta))},` +
    `"apps__hashcode":${JSON.stringify(applications.appsHashCode)},"application":[${apps.join(',')}]}}`
  );
}

/** `{"application":{"name":…,"instance":[…]}}` */
export function applicationToJson(application: Application): string {
  return JSON.stringify({ application: applicationBody(application) });
}

/** `{"instance":{…}}` */
export function instanceToJson(instance: InstanceInfo): string {
  return JSON.stringify({ instance: instanceJson(instance) });
}
