export {
  createApplication,
  runApplication,
  type Application,
  type ApplicationOptions,
  type Discovery,
} from './application.js';
export { LiveConfig, type ConfigChangeListener, type ConfigValidator } from './live-config.js';
export {
  HealthRegistry,
  aggregateStatus,
  httpStatusOf,
  diskSpaceCheck,
  type HealthCheck,
  type HealthResult,
  type HealthStatus,
} from './health.js';
export { createHttpServer, type HttpServerOptions } from './server.js';
export {
  UnauthorizedError,
  NotFoundError,
  RefreshRejectedError,
  BadRequestError,
} from './errors.js';
export type { ManagementCredentials } from './actuator/security.js';
export {
  issueToken,
  verifyToken,
  bearerToken,
  authenticateBearer,
  type VerifiedToken,
} from './security/jwt.js';
export { openDatabase, type DatabaseOptions } from './data/database.js';
export { createTransportFromConfig } from './messaging.js';
export {
  createClientDecryption,
  type ClientDecryptionOptions,
  type ClientDecrypt,
} from './client-decryption.js';
export { isAuthorized } from './actuator/security.js';
