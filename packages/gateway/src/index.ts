export {
  GATEWAY_ERRORS,
  GatewayError,
  InvalidRouteDefinitionError,
  type GatewayErrorCode,
  type GatewayErrorOptions,
} from './errors.js';
export { GATEWAY_DEFAULTS } from './defaults.js';
export {
  parseGatewayDefinitions,
  parseShortcut,
  type ArgsDefinition,
  type FilterDefinition,
  type GatewayDefinitions,
  type PredicateDefinition,
  type RouteDefinition,
} from './route-definition.js';
export { registerGateway, type Gateway, type GatewayOptions, type LoadBalancer } from './proxy.js';
export type {
  GatewayExchange,
  GatewayFilter,
  PredicateContext,
  RoutePredicate,
} from './internal/types.js';
export { createGateway, type GatewayServerOptions } from './server.js';
