export {
  GatewayErrors,
  withResponse,
  type GatewayErrorCode,
  type ProblemResponse,
} from './errors.js';
export { GATEWAY_DEFAULTS } from './defaults.js';
export {
  resolveGatewaySettings,
  type GatewaySettings,
  type GatewaySettingsInput,
  type JwtKeySource,
  type JwtSettings,
  type RateLimiterSettings,
  type RedisSettings,
  type SecureHeadersSettings,
} from './settings.js';
export { bindGatewaySettings, type BindSettingsOptions } from './bind-settings.js';
export {
  parseGatewayDefinitions,
  type ArgsDefinition,
  type FilterDefinition,
  type GatewayDefinitions,
  type PredicateDefinition,
  type RouteDefinition,
} from './route-definition.js';
export { routes, RoutesBuilder, RouteSpec, FilterSpec } from './route-builder.js';
export {
  registerGateway,
  type Gateway,
  type FastPathInterceptor,
  type GatewayFastPath,
  type GatewayOptions,
  type GatewayUpdate,
  type LoadBalancer,
} from './gateway.js';
export type { GatewayExchange, HeaderRecord, PredicateContext, RouteInfo } from './exchange.js';
export {
  AbstractGatewayFilterFactory,
  AbstractRoutePredicateFactory,
  HIGHEST_PRECEDENCE,
  LOWEST_PRECEDENCE,
  type BodyRewrite,
  type FactoryContext,
  type GatewayFilter,
  type GatewayFilterChain,
  type GatewayFilterFactory,
  type GlobalFilter,
  type RoutePredicate,
  type RoutePredicateFactory,
  type ShortcutType,
} from './filter-api.js';
export {
  headerKeyResolver,
  principalNameKeyResolver,
  remoteAddressKeyResolver,
  type KeyResolver,
} from './key-resolvers.js';
export type { GatewaySpan, GatewayTracing, MetricRegistry } from './observability.js';
export { gatewayActuatorEndpoint, type GatewayActuatorOptions } from './actuator.js';
export { createGateway, type GatewayApplication, type GatewayServerOptions } from './server.js';
export {
  GATEWAY_NODE_OPTIONS,
  runGateway,
  withGatewayOptions,
  type RunGatewayOptions,
} from './cluster.js';
