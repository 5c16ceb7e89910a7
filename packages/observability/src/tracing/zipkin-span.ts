import { isIPv4, isIPv6 } from 'node:net';
import { SpanKind, SpanStatusCode, type HrTime } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** A Zipkin v2 endpoint (`localEndpoint`, `remoteEndpoint`). */
export interface ZipkinEndpoint {
  serviceName?: string;
  ipv4?: string;
  ipv6?: string;
  port?: number;
}

/** A Zipkin v2 annotation: an event at a time, epoch microseconds. */
export interface ZipkinAnnotation {
  timestamp: number;
  value: string;
}

/** Zipkin v2's span model, as `POST /api/v2/spans` takes it and the query API returns it. */
export interface ZipkinSpan {
  /** 16 or 32 lower-hex. */
  traceId: string;
  /** 16 lower-hex. */
  id: string;
  /** 16 lower-hex; absent at the root. */
  parentId?: string;
  /** Lower case, as Zipkin stores it. */
  name?: string;
  /** Absent means a local span. */
  kind?: 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER';
  /** Epoch microseconds. */
  timestamp?: number;
  /** Microseconds, at least 1. */
  duration?: number;
  localEndpoint?: ZipkinEndpoint;
  remoteEndpoint?: ZipkinEndpoint;
  annotations?: ZipkinAnnotation[];
  tags?: Record<string, string>;
  debug?: boolean;
  shared?: boolean;
}

/**
 * Span attributes that become the Zipkin `remoteEndpoint` instead of tags (the OpenTelemetry
 * semantic-convention names): the peer's address and port, and its service name.
 */
export const REMOTE_ADDRESS_ATTRIBUTE = 'network.peer.address';
export const REMOTE_PORT_ATTRIBUTE = 'network.peer.port';
export const REMOTE_SERVICE_ATTRIBUTE = 'peer.service';

/** Where this process's spans say they come from. The port is known once the server listens. */
export interface LocalEndpoint {
  readonly serviceName: string;
  readonly ipv4?: string;
  port?: number;
}

const KINDS: Partial<Record<SpanKind, ZipkinSpan['kind']>> = {
  [SpanKind.CLIENT]: 'CLIENT',
  [SpanKind.SERVER]: 'SERVER',
  [SpanKind.PRODUCER]: 'PRODUCER',
  [SpanKind.CONSUMER]: 'CONSUMER',
};

function micros(time: HrTime): number {
  return time[0] * 1_000_000 + Math.floor(time[1] / 1_000);
}

function remoteEndpointOf(attributes: ReadableSpan['attributes']): ZipkinEndpoint | undefined {
  const address = attributes[REMOTE_ADDRESS_ATTRIBUTE];
  const port = attributes[REMOTE_PORT_ATTRIBUTE];
  const service = attributes[REMOTE_SERVICE_ATTRIBUTE];
  const endpoint: ZipkinEndpoint = {};
  if (typeof service === 'string' && service !== '') endpoint.serviceName = service.toLowerCase();
  if (typeof address === 'string') {
    const ip =
      address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
    if (isIPv4(ip)) endpoint.ipv4 = ip;
    else if (isIPv6(ip)) endpoint.ipv6 = ip;
  }
  if (typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536)
    endpoint.port = port;
  return Object.keys(endpoint).length === 0 ? undefined : endpoint;
}

/**
 * Encodes a finished OpenTelemetry span as Brave would report it to Zipkin: lower-case name,
 * epoch-microsecond timestamp and duration (at least 1), the local endpoint, the remote one from
 * the peer attributes, every other attribute as a string tag, and `error` for a failed span.
 */
export function toZipkinSpan(span: ReadableSpan, local: LocalEndpoint): ZipkinSpan {
  const context = span.spanContext();
  const start = micros(span.startTime);
  const duration = Math.max(1, micros(span.endTime) - start);
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(span.attributes)) {
    if (
      value === undefined ||
      key === REMOTE_ADDRESS_ATTRIBUTE ||
      key === REMOTE_PORT_ATTRIBUTE ||
      key === REMOTE_SERVICE_ATTRIBUTE
    )
      continue;
    tags[key] = Array.isArray(value) ? value.join(',') : String(value);
  }
  if (span.status.code === SpanStatusCode.ERROR) tags.error ??= span.status.message || 'true';
  const zipkin: ZipkinSpan = {
    traceId: context.traceId,
    id: context.spanId,
    name: span.name.toLowerCase(),
    timestamp: start,
    duration,
    localEndpoint: {
      serviceName: local.serviceName.toLowerCase(),
      ...(local.ipv4 === undefined ? {} : { ipv4: local.ipv4 }),
      ...(local.port === undefined ? {} : { port: local.port }),
    },
    tags,
  };
  const parentId = span.parentSpanContext?.spanId;
  if (parentId !== undefined) zipkin.parentId = parentId;
  const kind = KINDS[span.kind];
  if (kind !== undefined) zipkin.kind = kind;
  const remote = remoteEndpointOf(span.attributes);
  if (remote !== undefined) zipkin.remoteEndpoint = remote;
  if (span.events.length > 0) {
    zipkin.annotations = span.events.map((event) => ({
      timestamp: micros(event.time),
      value: event.name,
    }));
  }
  return zipkin;
}
