export {
  createEurekaClient,
  type EurekaClient,
  type EurekaClientOptions,
  type HeartbeatResult,
} from './eureka-client.js';
export { buildInstanceInfo, type InstanceInfoOptions } from './instance-info.js';
export type {
  ChooseOptions,
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
export { DiscoveryErrors, type DiscoveryErrorCode } from './errors.js';
export { EUREKA_INSTANCE_DEFAULTS } from './defaults.js';
export {
  AMAZON_DATA_CENTER_CLASS,
  DEFAULT_DATA_CENTER_CLASS,
  appsHashCode,
  instanceIdOf,
  toInstanceStatus,
  type ActionType,
  type Application,
  type Applications,
  type DataCenterInfo,
  type InstanceInfo,
  type LeaseInfo,
  type PortInfo,
} from './eureka/model.js';
export { isJsonObject, type JsonObject } from './eureka/json-values.js';
export {
  instanceIdOfRaw,
  parseInstance,
  type ParseInstanceResult,
} from './eureka/read-instance.js';
export { readApplicationsDocument, type ApplicationsDocument } from './eureka/read-applications.js';
export {
  applicationJsonFragment,
  applicationsToJson,
  applicationToJson,
  instanceJson,
  instanceToJson,
} from './eureka/write-json.js';
export { applicationsToXml, applicationToXml, instanceToXml } from './eureka/write-xml.js';
export { parseSimpleXml, xmlInstanceToJson, type XmlElement } from './eureka/read-xml.js';
export { decodeUtf8, findTextProblem, isXmlText } from './eureka/characters.js';
export type {
  DiscoveryClient,
  EurekaInstanceInfo,
  EurekaPort,
  InstanceStatus,
  ServiceInstance,
} from './types.js';
export {
  errorCodeOf,
  failureKindOf,
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_METHODS,
  isIdempotentRequest,
  isInstanceFailureStatus,
  mayRetry,
  type FailureKind,
} from './failover-rules.js';
