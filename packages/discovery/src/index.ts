export {
  createEurekaClient,
  type EurekaClient,
  type EurekaClientOptions,
  type HeartbeatResult,
} from './eureka-client.js';
export { buildInstanceInfo, type InstanceInfoOptions } from './instance-info.js';
export type {
  InstanceSource,
  LoadBalancer,
  LoadBalancerName,
  LoadBalancerOptions,
} from './load-balancer.js';
export { createRoundRobinLoadBalancer } from './balancers/round-robin.js';
export { createRandomLoadBalancer, type RandomLoadBalancerOptions } from './balancers/random.js';
export { createWeightedLoadBalancer, weightOf, WEIGHT_METADATA_KEY } from './balancers/weighted.js';
export {
  createZonePreferenceLoadBalancer,
  ZONE_METADATA_KEY,
  type ZonePreferenceLoadBalancerOptions,
} from './balancers/zone-preference.js';
export {
  createLoadBalancer,
  parseLoadBalancerName,
  type CreateLoadBalancerOptions,
} from './balancers/create.js';
export {
  createStaticDiscovery,
  type StaticDiscovery,
  type StaticDiscoveryOptions,
  type StaticInstanceOptions,
} from './static-discovery.js';
export {
  createKubernetesDiscovery,
  type KubernetesDiscoveryOptions,
} from './kubernetes-discovery.js';
export { DISCOVERY_ERROR_CODES, type DiscoveryErrorCode } from './errors.js';
export type {
  DiscoveryClient,
  EurekaInstanceInfo,
  EurekaPort,
  InstanceStatus,
  ServiceInstance,
} from './types.js';
