/** Eureka instance status, as the `InstanceStatus` enum spells it. */
export type InstanceStatus = 'UP' | 'DOWN' | 'STARTING' | 'OUT_OF_SERVICE' | 'UNKNOWN';

/** All statuses, in the enum's order. */
export const INSTANCE_STATUSES: readonly InstanceStatus[] = Object.freeze([
  'UP',
  'DOWN',
  'STARTING',
  'OUT_OF_SERVICE',
  'UNKNOWN',
]);

/** Kind of the last change to an instance, as shown in deltas. */
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

/** `dataCenterInfo`: `className` is the Java `@class`, `name` is `MyOwn`, `Netflix` or `Amazon`. */
export interface DataCenterInfo {
  readonly className: string;
  readonly name: string;
  /** Only for `Amazon`. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Lease timing as reported to clients; all timestamps are epoch milliseconds, 0 when unset. */
export interface LeaseInfo {
  readonly renewalIntervalInSecs: number;
  readonly durationInSecs: number;
  readonly registrationTimestamp: number;
  readonly lastRenewalTimestamp: number;
  readonly evictionTimestamp: number;
  readonly serviceUpTimestamp: number;
}

/**
 * The registry's model of one instance (Netflix `InstanceInfo`). Immutable:
 * the registry replaces the object on every change.
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

export const DEFAULT_DATA_CENTER_CLASS = 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo';
export const AMAZON_DATA_CENTER_CLASS = 'com.netflix.appinfo.AmazonInfo';

/**
 * Eureka's `InstanceInfo.getId()`: `instanceId` if non-empty, else the AWS
 * `instance-id` for Amazon, else `hostName`.
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
