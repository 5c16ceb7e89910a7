export {
  createEurekaClient,
  type EurekaClient,
  type EurekaClientOptions,
  type HeartbeatResult,
} from './eureka-client.js';
export { buildInstanceInfo, type InstanceInfoOptions } from './instance-info.js';
export {
  createRoundRobinLoadBalancer,
  type InstanceSource,
  type LoadBalancer,
} from './load-balancer.js';
export { DISCOVERY_ERROR_CODES, type DiscoveryErrorCode } from './errors.js';
export type { EurekaInstanceInfo, EurekaPort, InstanceStatus, ServiceInstance } from './types.js';
