export { createRegistryServer, type RegistryServer, type RegistryServerOptions } from './server.js';
export {
  createEurekaRegistry,
  type EurekaRegistry,
  type EurekaRegistryOptions,
  type EvictionResult,
  type RegisterOptions,
  type RegistryChange,
  type RegistryChangeListener,
  type RegistrySettingsUpdate,
  type RegistryStats,
  type RenewOptions,
  type RenewResult,
  type StatusUpdateOptions,
} from './registry.js';
export { registerEurekaRoutes, type EurekaRoutesOptions } from './routes.js';
export type { PeerEndpoint, PeerReplicator, PeerStatus } from './replication-types.js';
export { REGISTRY_COMMAND_DEFAULTS, REGISTRY_DEFAULTS } from './defaults.js';
export { RegistryErrors, type RegistryErrorCode } from './errors.js';
