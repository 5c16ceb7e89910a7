import type { InstanceInfo } from '../model.js';
import { DEFAULT_DATA_CENTER_CLASS } from '../model.js';

/** A Spring-like instance for tests; not exported from the package. */
export function sampleInstance(overrides: Partial<InstanceInfo> = {}): InstanceInfo {
  const port = overrides.port?.port ?? 8080;
  const app = overrides.app ?? 'MYAPP';
  return {
    instanceId: `host:${app.toLowerCase()}:${port}`,
    hostName: 'host',
    app,
    ipAddr: '10.0.0.5',
    sid: 'na',
    status: 'UP',
    overriddenStatus: 'UNKNOWN',
    port: { port, enabled: true },
    securePort: { port: 443, enabled: false },
    countryId: 1,
    dataCenterInfo: { className: DEFAULT_DATA_CENTER_CLASS, name: 'MyOwn' },
    leaseInfo: {
      renewalIntervalInSecs: 30,
      durationInSecs: 90,
      registrationTimestamp: 0,
      lastRenewalTimestamp: 0,
      evictionTimestamp: 0,
      serviceUpTimestamp: 0,
    },
    metadata: {},
    appGroupName: null,
    homePageUrl: `http://host:${port}/`,
    statusPageUrl: `http://host:${port}/actuator/info`,
    healthCheckUrl: `http://host:${port}/actuator/health`,
    secureHealthCheckUrl: null,
    vipAddress: app.toLowerCase(),
    secureVipAddress: app.toLowerCase(),
    isCoordinatingDiscoveryServer: false,
    lastUpdatedTimestamp: 1_000,
    lastDirtyTimestamp: 1_000,
    actionType: null,
    asgName: null,
    ...overrides,
  };
}
