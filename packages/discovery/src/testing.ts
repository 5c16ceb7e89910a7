import type { InstanceInfo } from './eureka/model.js';
import { instanceInfoOf } from './instance-info.js';

/**
 * A Spring-like instance of the Eureka model for tests: `host:<app>:<port>` of app `MYAPP` on
 * port 8080, UP, lease 30/90 s, `lastDirtyTimestamp` 1000. `overrides` replace any field.
 *
 * @example
 * import { sampleInstance } from '@stratus/discovery/testing';
 * registry.register(sampleInstance({ port: { port: 9001, enabled: true } }));
 */
export function sampleInstance(overrides: Partial<InstanceInfo> = {}): InstanceInfo {
  const base = instanceInfoOf({
    appName: (overrides.app ?? 'MYAPP').toLowerCase(),
    hostName: 'host',
    ipAddr: '10.0.0.5',
    port: overrides.port?.port ?? 8080,
    clock: { now: () => 1_000 },
  });
  return { ...base, ...overrides };
}
