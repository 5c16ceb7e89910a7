import type { InstanceStatus } from '../types.js';

export type { InstanceStatus };

/** All statuses, in the order of Netflix's `InstanceStatus` enum. */
export const INSTANCE_STATUSES: readonly InstanceStatus[] = Object.freeze([
  'UP',
  'DOWN',
  'STARTING',
  'OUT_OF_SERVICE',
  'UNKNOWN',
]);

/** Kind of the last change to an instance, as deltas show it. */
export type ActionType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** Returns the status named by `value`, or `null` when it is not one. */
export function toInstanceStatus(value: unknown): InstanceStatus | null {
  return typeof value === 'string' && (INSTANCE_STATUSES as readonly string[]).includes(value)
    ? (value as InstanceStatus)
    : null;
}

/** A port and whether it is enabled (`{"$":8080,"@enabled":"true"}` on the wire). */
export interface PortInfo {
  readonly port: number;
  readonly enabled: boolean;
}

/** `dataCenterInfo`: `className` is the Java `@class`; `name` is `MyOwn`, `Netflix` or `Amazon`. */
export interface DataCenterInfo {
  readonly className: string;
  readonly name: string;
  /** Only for `Amazon`. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Lease timing as a registry reports it; timestamps are epoch milliseconds, 0 when unset. */
export interface LeaseInfo {
  readonly renewalIntervalInSecs: number;
  readonly durationInSecs: number;
  readonly registrationTimestamp: number;
  readonly lastRenewalTimestamp: number;
  readonly evictionTimestamp: number;
  readonly serviceUpTimestamp: number;
}

/**
 * One instance (Netflix `InstanceInfo`), as the readers of this module produce it and its
 * writers consume it. Immutable: a registry replaces the object on every change.
 */
export interface InstanceInfo {
  /** Empty string when the registrant sent none; use {@link instanceIdOf}. */
  readonly instanceId: string;
  readonly hostName: string;
  /** Upper case. */
  readonly app: string;
  readonly ipAddr: string;
  readonly sid: string | null;
  readonly status: InstanceStatus;
  readonly overriddenStatus: InstanceStatus;
  readonly port: PortInfo;
  readonly securePort: PortInfo;
  readonly countryId: number;
  readonly dataCenterInfo: DataCenterInfo;
  readonly leaseInfo: LeaseInfo;
  readonly metadata: Readonly<Record<string, string>>;
  readonly appGroupName: string | null;
  readonly homePageUrl: string | null;
  readonly statusPageUrl: string | null;
  readonly healthCheckUrl: string | null;
  readonly secureHealthCheckUrl: string | null;
  readonly vipAddress: string | null;
  readonly secureVipAddress: string | null;
  readonly isCoordinatingDiscoveryServer: boolean;
  readonly lastUpdatedTimestamp: number;
  readonly lastDirtyTimestamp: number;
  readonly actionType: ActionType | null;
  readonly asgName: string | null;
}

/** One application: its upper-case name and its instances. */
export interface Application {
  readonly name: string;
  readonly instances: readonly InstanceInfo[];
}

/** A registry snapshot (full or delta). */
export interface Applications {
  /** `versions__delta`: always 1 for the full registry, a counter for deltas. */
  readonly versionDelta: number;
  /** `apps__hashcode` of the full registry. */
  readonly appsHashCode: string;
  readonly applications: readonly Application[];
}

/** The applications that have instances: Eureka leaves empty ones out (spring-wire §1.9). */
export function withInstances(applications: Applications): Application[] {
  return applications.applications.filter((application) => application.instances.length > 0);
}

/** `@class` of the `MyOwn` and `Netflix` data centers. */
export const DEFAULT_DATA_CENTER_CLASS = 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo';
/** `@class` of the `Amazon` data center. */
export const AMAZON_DATA_CENTER_CLASS = 'com.netflix.appinfo.AmazonInfo';

/**
 * Eureka's `InstanceInfo.getId()`: `instanceId` if non-empty, else the AWS `instance-id` for
 * Amazon, else `hostName` (eureka-js-client uses the same rule for its URLs).
 */
export function instanceIdOf(
  instance: Pick<InstanceInfo, 'instanceId' | 'dataCenterInfo' | 'hostName'>,
): string {
  if (instance.instanceId !== '') return instance.instanceId;
  const awsId =
    instance.dataCenterInfo.name === 'Amazon'
      ? instance.dataCenterInfo.metadata?.['instance-id']
      : undefined;
  return awsId !== undefined && awsId !== '' ? awsId : instance.hostName;
}

/**
 * `apps__hashcode`: `STATUS_count_` for each status present, sorted by status name
 * (`DOWN_1_UP_3_`); empty for no instances (spring-wire §1.7). A client compares it after
 * applying a delta; a registry sends the hash of its full registry.
 */
export function appsHashCode(instances: Iterable<{ readonly status: string }>): string {
  const counts = new Map<string, number>();
  for (const { status } of instances) counts.set(status, (counts.get(status) ?? 0) + 1);
  return [...counts.keys()]
    .sort()
    .map((status) => `${status}_${counts.get(status)}_`)
    .join('');
}
