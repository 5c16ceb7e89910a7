export {
  ENVIRONMENT_V2_MEDIA_TYPE,
  type Environment,
  type EnvironmentRepository,
  type PropertySource,
} from './environment.js';
export {
  createNativeRepository,
  type NativeRepositoryOptions,
  type NativeEnvironmentRepository,
} from './native-repository.js';
export { registerConfigServerRoutes, type ConfigServerRoutesOptions } from './routes.js';
export { ConfigServerErrors } from './errors.js';
export { CONFIG_SERVER_DEFAULTS } from './defaults.js';
export { createConfigServer, type ConfigServerOptions } from './server.js';
export {
  createGitRepository,
  type GitRepositoryOptions,
  type GitRepoOptions,
  type GitPatternRepoOptions,
  type GitEnvironmentRepository,
  type GitRepositoryHealth,
} from './git/git-repository.js';
export type { CloneHealth } from './git/clone.js';
export {
  registerMonitorRoute,
  type MonitorOptions,
  type MonitorSource,
  type ConfigChangeEvent,
} from './monitor.js';
export { protectConfigServer, type ConfigServerSecurityOptions } from './security.js';
