/** Eureka instance status. */
export type InstanceStatus = 'UP' | 'DOWN' | 'STARTING' | 'OUT_OF_SERVICE' | 'UNKNOWN';

/** One discovered instance, as Spring's `ServiceInstance` presents it. */
export interface ServiceInstance {
  readonly instanceId: string;
  /** Upper-case Eureka app name (`USER-SERVICE`). */
  readonly serviceId: string;
  /** Comma-separated VIP addresses as registered (`user-service`). */
  readonly vipAddress: string;
  readonly host: string;
  /** The secure port when `secure`, else the unsecure port. */
  readonly port: number;
  /** True when the secure port is enabled. */
  readonly secure: boolean;
  /** `http://host:port` (or `https://` when secure). */
  readonly uri: string;
  readonly status: InstanceStatus;
  readonly metadata: Readonly<Record<string, string>>;
}

/** A port on the Eureka wire. */
export interface EurekaPort {
  $: number;
  '@enabled': 'true' | 'false';
}

/** The register body (`{"instance": …}`) exactly as Spring's Java client sends it (spring-wire §1.4). */
export interface EurekaInstanceInfo {
  instanceId: string;
  app: string;
  appGroupName: string | null;
  ipAddr: string;
  sid: string;
  homePageUrl: string | null;
  statusPageUrl: string | null;
  healthCheckUrl: string | null;
  secureHealthCheckUrl: string | null;
  vipAddress: string;
  secureVipAddress: string;
  countryId: number;
  dataCenterInfo: { '@class': string; name: string };
  hostName: string;
  status: InstanceStatus;
  overriddenStatus: InstanceStatus;
  leaseInfo: {
    renewalIntervalInSecs: number;
    durationInSecs: number;
    registrationTimestamp: number;
    lastRenewalTimestamp: number;
    evictionTimestamp: number;
    serviceUpTimestamp: number;
  };
  isCoordinatingDiscoveryServer: boolean;
  lastUpdatedTimestamp: number;
  lastDirtyTimestamp: number;
  actionType: string | null;
  asgName: string | null;
  port: EurekaPort;
  securePort: EurekaPort;
  metadata: Record<string, string>;
}

/** What every discovery mode (Eureka, static, Kubernetes) offers an application. */
export interface DiscoveryClient {
  /** UP instances of `serviceId` (case-insensitive). */
  getInstances(serviceId: string): ServiceInstance[];
  /** Stops background work. Idempotent. */
  close(): Promise<void>;
}
