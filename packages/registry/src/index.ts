export {
  createEurekaRegistry,
  type EurekaRegistry,
  type EurekaRegistryOptions,
  type EvictionResult,
  type RegisterOptions,
  type RegistryStats,
  type RenewOptions,
  type RenewResult,
  type StatusUpdateOptions,
} from './registry.js';
export { REGISTRY_DEFAULTS } from './defaults.js';
export { REGISTRY_ERROR_CODES, type RegistryErrorCode } from './errors.js';
export {
  AMAZON_DATA_CENTER_CLASS,
  DEFAULT_DATA_CENTER_CLASS,
  INSTANCE_STATUSES,
  instanceIdOf,
  toInstanceStatus,
  type ActionType,
  type Application,
  type Applications,
  type DataCenterInfo,
  type InstanceInfo,
  type InstanceStatus,
  type LeaseInfo,
  type PortInfo,
} from './model.js';
export {
  applicationsToJson,
  applicationToJson,
  instanceJson,
  instanceToJson,
} from './wire/json.js';
export { applicationsToXml, applicationToXml, instanceToXml } from './wire/xml.js';
export { parseInstance, type ParseInstanceResult } from './wire/parse-instance.js';
export { parseSimpleXml, xmlInstanceToJson, type XmlElement } from './wire/xml-parse.js';
export { appsHashCode } from './internal/hashcode.js';
export { registerEurekaRoutes, type EurekaRoutesOptions } from './routes.js';
export {
  renderDashboard,
  escapeHtml,
  SELF_PRESERVATION_BANNER,
  type DashboardInfo,
} from './dashboard.js';
export { createRegistryServer, type RegistryServer, type RegistryServerOptions } from './server.js';
export {
  applyReplicationBatch,
  readReplicationList,
  MAX_BATCH_ITEMS,
  REPLICATION_ACTIONS,
  type ApplyBatchOptions,
  type ReplicationAction,
  type ReplicationItem,
  type ReplicationItemResponse,
} from './replication/batch.js';
export {
  createPeerReplicator,
  fetchTransport,
  REPLICATION_HEADER,
  type PeerReplicator,
  type PeerReplicatorOptions,
  type PeerStatus,
  type ReplicationTransport,
  type TransportRequest,
  type TransportResponse,
} from './replication/replicator.js';
export {
  parsePeerUrl,
  resolvePeers,
  type PeerEndpoint,
  type SelfIdentity,
} from './replication/peers.js';
export { Tombstones } from './replication/tombstones.js';
export {
  createReadOnlyResponseCache,
  type ReadOnlyResponseCache,
  type RegistrySnapshotSource,
} from './response-cache.js';
export {
  createRegistrySecurity,
  type RegistryCredential,
  type RegistrySecurity,
  type RegistrySecurityOptions,
  type SecurityDecision,
} from './security.js';
