export {
  createMetrics,
  type Metrics,
  type MetricsOptions,
  type HttpObservation,
  type HttpClientObservation,
  type MessagingObservation,
  type TimerOptions,
  type MetricResponse,
  type LongTask,
} from './metrics.js';
export {
  distributionFromConfig,
  histogramBuckets,
  DISTRIBUTION_DEFAULTS,
  DEFAULT_DISTRIBUTION,
  type DistributionSettings,
  type DistributionResolver,
} from './distribution.js';
export {
  negotiateExposition,
  toOpenMetrics,
  PROMETHEUS_TEXT_TYPE,
  OPENMETRICS_TEXT_TYPE,
  type ExpositionFormat,
} from './exposition.js';
export { timed, Timed, type TimedOptions } from './timed.js';
export { ObservabilityErrors } from './errors.js';
export {
  setGlobalObservability,
  clearGlobalObservability,
  globalObservability,
  type GlobalObservability,
} from './global.js';
export {
  createTracing,
  activeTracing,
  currentTraceId,
  currentSpanId,
  markFailed,
  errorName,
  TRACING_KEY,
  type Tracing,
  type TracingOptions,
  type SpanOptions,
  type SpanExport,
} from './tracing/tracing.js';
export {
  parsePropagationTypes,
  parseTraceparent,
  parseB3Single,
  parseB3Multi,
  PROPAGATION_DEFAULTS,
  PROPAGATION_HEADER_NAMES,
  type PropagationType,
  type PropagationSettings,
  type RemoteParent,
  type ExtractedContext,
  type HeaderGetter,
} from './tracing/propagation.js';
export {
  startServerSpan,
  finishServerSpan,
  runInServerSpan,
  injectResponseHeaders,
  type ServerSpan,
  type ServerOutcome,
} from './tracing/http-server-span.js';
export {
  instrumentHttpClients,
  withUriTemplate,
  type HttpClientInstrumentation,
  type HttpClientObserver,
} from './tracing/http-client.js';
export {
  injectContext,
  extractContext,
  withProducerSpan,
  withConsumerSpan,
  startProducerSpan,
  traceOutbox,
  type TraceableOutbox,
  type TracedMessage,
  type MessagingTracingOptions,
  type ProducerHandle,
} from './tracing/messaging.js';
export {
  instrumentTransport,
  type InstrumentableTransport,
  type OutgoingLike,
  type TransportInstrumentationOptions,
} from './tracing/transport.js';
export {
  gatewayTracing,
  type GatewayRouteRequest,
  type GatewayRouteSpan,
} from './tracing/gateway.js';
export { traceDialect, type DialectLike, type DatabaseTracingOptions } from './tracing/database.js';
export { bindTraceIdsToLogs, traceLogFields } from './tracing/log-context.js';
export {
  toZipkinSpan,
  REMOTE_ADDRESS_ATTRIBUTE,
  REMOTE_PORT_ATTRIBUTE,
  REMOTE_SERVICE_ATTRIBUTE,
  type ZipkinSpan,
  type ZipkinEndpoint,
  type ZipkinAnnotation,
  type LocalEndpoint,
} from './tracing/zipkin-span.js';
export {
  createZipkinHttpSender,
  type ZipkinSender,
  type ZipkinHttpSenderOptions,
} from './tracing/zipkin-exporter.js';
export {
  createSpanStore,
  spanStoreSender,
  type SpanStore,
  type SpanStoreOptions,
  type TraceQuery,
} from './span-store/span-store.js';
export { parseZipkinSpans } from './span-store/parse-spans.js';
export { zipkinApiPlugin, UNTRACED_ROUTE, type ZipkinApiOptions } from './span-store/zipkin-api.js';
export {
  createHttpExchangeRepository,
  parseExchangeIncludes,
  httpExchangesBody,
  httpTraceBody,
  EXCHANGE_INCLUDE_DEFAULTS,
  type ExchangeInclude,
  type ExchangeInput,
  type RecordedExchange,
  type HttpExchangeRepository,
  type HttpExchangeRepositoryOptions,
} from './exchanges/http-exchanges.js';
