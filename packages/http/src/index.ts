export {
  createHttpClient,
  type HttpClient,
  type HttpClientOptions,
  type CallOptions,
  type JsonResponse,
  type InstanceChooser,
} from './http-client.js';
export {
  NoInstanceError,
  UpstreamUnavailableError,
  UpstreamTimeoutError,
  UpstreamStatusError,
} from './errors.js';
