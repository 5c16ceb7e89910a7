import {
  bindProperties,
  bindingProblems,
  type ConfigEnvironment,
  type PropertySpec,
} from '@stratus/config';
import { BOOT_DEFAULTS as D } from './defaults.js';

/**
 * Spring Boot's `management.tracing.*`, `management.zipkin.tracing.*` (Boot 4:
 * `management.tracing.export.zipkin.*`) and
 * `management.httpexchanges.*` keys (Boot 2's `management.trace.http.*` too), and Stratus's
 * `stratus.tracing.*` / `stratus.httpexchanges.*`. Propagation types, exchange includes and
 * metric distributions have parsers of their own in `@stratus/observability`.
 */
const OBSERVABILITY_PROPERTIES = {
  tracing: {
    key: 'management.tracing',
    type: 'object',
    properties: {
      enabled: { key: 'enabled', type: 'boolean', default: true },
      probability: {
        key: 'sampling.probability',
        type: 'number',
        min: 0,
        max: 1,
        default: D.samplingProbability,
      },
    },
  },
  zipkin: {
    key: 'management.zipkin.tracing',
    type: 'object',
    properties: {
      exportEnabled: { key: 'export.enabled', type: 'boolean', default: true },
      // Micrometer's sender also speaks PROTO3; Stratus's writes JSON only.
      encoding: { key: 'encoding', type: 'enum', values: ['JSON'], default: 'JSON' },
      endpoint: { key: 'endpoint', type: 'url' },
      connectTimeoutMs: {
        key: 'connect-timeout',
        type: 'duration',
        min: 1,
        default: D.zipkinConnectTimeoutMs,
      },
      readTimeoutMs: {
        key: 'read-timeout',
        type: 'duration',
        min: 1,
        default: D.zipkinReadTimeoutMs,
      },
    },
  },
  // Spring Boot 4's names for the same settings (spring-boot#47958); they win when set.
  zipkinBoot4: {
    key: 'management.tracing.export.zipkin',
    type: 'object',
    properties: {
      exportEnabled: { key: 'enabled', type: 'boolean' },
      encoding: { key: 'encoding', type: 'enum', values: ['JSON'] },
      endpoint: { key: 'endpoint', type: 'url' },
      connectTimeoutMs: { key: 'connect-timeout', type: 'duration', min: 1 },
      readTimeoutMs: { key: 'read-timeout', type: 'duration', min: 1 },
    },
  },
  stratusTracing: {
    key: 'stratus.tracing',
    type: 'object',
    properties: {
      embedded: { key: 'embedded.enabled', type: 'boolean', default: true },
      responseHeaders: { key: 'response-headers', type: 'boolean', default: false },
      spanStore: { key: 'span-store.enabled', type: 'boolean', default: false },
      maxSpans: {
        key: 'span-store.max-spans',
        type: 'int',
        min: 1,
        max: 1_000_000,
        default: D.spanStoreMaxSpans,
      },
    },
  },
  exchangesRecording: {
    key: 'management.httpexchanges.recording.enabled',
    type: 'boolean',
    default: true,
  },
  legacyTraceHttp: { key: 'management.trace.http.enabled', type: 'boolean', default: true },
  exchangesCapacity: {
    key: 'stratus.httpexchanges.capacity',
    type: 'int',
    min: 1,
    max: 100_000,
    default: D.httpExchangesCapacity,
  },
  observeActuator: {
    key: 'management.observations.http.server.actuator.enabled',
    type: 'boolean',
    default: false,
  },
  messagingTransport: { key: 'stratus.messaging.transport', type: 'string', default: 'embedded' },
  eurekaEnabled: { key: 'eureka.client.enabled', type: 'boolean', default: true },
  serviceUrls: { key: 'eureka.client.service-url.defaultZone', type: 'list', default: [] },
  ipAddress: { key: 'eureka.instance.ip-address', type: 'string' },
} as const satisfies Record<string, PropertySpec>;

/** What observability reads from configuration, bound once at start-up, frozen. */
export type ObservabilitySettings = ReturnType<typeof bindObservabilitySettings>;

/** Every bad value among the observability keys, each with its source. */
export function observabilitySettingsProblems(env: ConfigEnvironment): string[] {
  return bindingProblems(env, OBSERVABILITY_PROPERTIES);
}

/**
 * Binds the observability keys from `env`.
 *
 * @throws StratusError `CONFIG_ERR_INVALID_CONFIG`; call {@link observabilitySettingsProblems}
 *   first to report the problems together with the parsers' own.
 */
export function bindObservabilitySettings(env: ConfigEnvironment) {
  const {
    zipkinBoot4: boot4,
    zipkin: boot3,
    ...rest
  } = bindProperties(env, OBSERVABILITY_PROPERTIES);
  return Object.freeze({
    ...rest,
    zipkin: Object.freeze({
      exportEnabled: boot4.exportEnabled ?? boot3.exportEnabled,
      endpoint: boot4.endpoint ?? boot3.endpoint,
      connectTimeoutMs: boot4.connectTimeoutMs ?? boot3.connectTimeoutMs,
      readTimeoutMs: boot4.readTimeoutMs ?? boot3.readTimeoutMs,
    }),
  });
}
