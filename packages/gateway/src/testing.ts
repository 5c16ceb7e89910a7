/**
 * Test helpers for gateways and for your own filter factories (`@stratus/gateway/testing`):
 * real upstreams and gateways on 127.0.0.1:0, raw sockets, and factory contexts and exchanges
 * for unit tests.
 */
export {
  startUpstream,
  startGateway,
  staticBalancer,
  client,
  rawRequest,
  singleRoute,
  describeRequest,
  type Upstream,
  type SeenRequest,
  type RunningGateway,
} from './internal/test-servers.js';
export {
  factoryContext,
  predicate,
  filter,
  requestContext,
  exchange,
} from './internal/test-units.js';
