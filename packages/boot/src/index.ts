export {
  createApplication,
  type Application,
  type ApplicationOptions,
  type ServiceOptions,
  type DatabaseOptions,
  type Discovery,
} from './application.js';
export { bindBootSettings, type BootSettings } from './settings.js';
export { BOOT_DEFAULTS } from './defaults.js';
// Datasources (data/): spring.datasource.*, spring.flyway.*, docs/datasources.md.
export type { Migrations } from './data/datasource.js';
export type { TypedMigration, MigrationContext } from './data/migrations/migration-sources.js';
export type { SqlFamily } from './data/dialects.js';
export { DATASOURCE_DEFAULTS } from './data/datasource-settings.js';
export {
  createDataSource,
  type DataSourceBuilderOptions,
  type StandaloneDataSource,
} from './data/data-source-builder.js';
export type {
  ConsumerOptions,
  IdempotentConsumerOptions,
  PlainConsumerOptions,
} from './events/consumer.js';
export type { BearerGuard, RequireBearerOptions } from './security/require-bearer.js';
export { runApplication, type RunApplicationOptions } from './run-application.js';
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
export {
  createHttpServer,
  interceptRequests,
  requestIdOf,
  type HttpServerOptions,
  type RequestInterceptor,
  type ServerTracingOptions,
} from './server.js';
export {
  connectionLimitsFromConfig,
  CONNECTION_LIMIT_DEFAULTS,
  type ConnectionLimits,
} from './connection-limits.js';
// Observability (observability-setup.ts): the wiring, and the helpers services and servers use.
export { setupObservability, type ObservabilitySetup } from './observability-setup.js';
export {
  timed,
  Timed,
  gatewayTracing,
  currentTraceId,
  currentSpanId,
  type TimedOptions,
} from '@stratus/observability';
export {
  BootErrors,
  UnauthorizedError,
  NotFoundError,
  RefreshRejectedError,
  BadRequestError,
} from './errors.js';
export type { ManagementCredentials } from './actuator/security.js';
export { issueToken, type IssueTokenOptions } from './security/jwt.js';
export {
  createTokenVerifier,
  type TokenVerifier,
  type TokenVerifierOptions,
  type TokenVerification,
  type TokenRejection,
  type TokenKeySource,
  type VerifiedToken as VerifiedBearerToken,
} from './security/token-verifier.js';
export { createTransportFromConfig } from './messaging.js';
export {
  createClientDecryption,
  type ClientDecryptionOptions,
  type ClientDecrypt,
} from './client-decryption.js';
export { isAuthorized } from './actuator/security.js';
export {
  isActuatorRequest,
  type Actuator,
  type ActuatorEndpoint,
  type ActuatorOperation,
  type ActuatorRequest,
} from './actuator/routes.js';
