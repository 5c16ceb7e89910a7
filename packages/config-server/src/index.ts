export type { Environment, EnvironmentRepository, PropertySource } from './environment.js';
export { createNativeRepository, type NativeRepositoryOptions } from './native-repository.js';
export {
  registerConfigServerRoutes,
  ENVIRONMENT_V2_MEDIA_TYPE,
  type ConfigServerRoutesOptions,
} from './routes.js';
export { validateName, validateLabel, validateProfiles } from './validate.js';
export { ConfigServerErrorCodes, invalidRequestError, noKeyError } from './errors.js';
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
export { GitErrorCodes } from './git/errors.js';
export {
  registerMonitorRoute,
  guessServiceNames,
  extractChangedPaths,
  MAX_PATHS,
  type MonitorOptions,
  type MonitorSource,
  type ConfigChangeEvent,
} from './monitor.js';
export { protectConfigServer, type ConfigServerSecurityOptions } from './security.js';
