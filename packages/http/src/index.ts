export {
  createClientFactory,
  type ClientFactory,
  type ClientFactoryOptions,
} from './client-factory.js';
export {
  defineClient,
  endpoint,
  jsonBody,
  type AnyEndpoint,
  type ClientDefinition,
  type Endpoint,
  type EndpointArgs,
  type EndpointCallOptions,
  type EndpointMethod,
  type EndpointResult,
  type Fallback,
  type HttpMethod,
  type JsonBody,
  type ParamValue,
  type PathParamNames,
  type QueryValue,
  type ResponseValidator,
  type TypedClient,
} from './definition.js';
export type { ClientSettings, LoggerLevel } from './client-settings.js';
export { defaultErrorDecoder, type ErrorDecoder, type ErrorResponse } from './error-decoder.js';
export {
  bearerTokenRelay,
  staticHeaders,
  type OutgoingRequest,
  type RequestInterceptor,
} from './interceptors.js';
export type { PropertySource } from './property-source.js';
export type { NamedComponents } from './components.js';
export {
  createHttpClient,
  restTemplateTimeouts,
  type HttpClient,
  type HttpClientOptions,
  type CallOptions,
  type JsonResponse,
} from './http-client.js';
export { HttpErrors, type UpstreamProblem } from './errors.js';
