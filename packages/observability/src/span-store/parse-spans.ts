import { isIPv4, isIPv6 } from 'node:net';
import type { ZipkinAnnotation, ZipkinEndpoint, ZipkinSpan } from '../tracing/zipkin-span.js';

/** Limits on what one `POST /api/v2/spans` may carry, so a sender cannot exhaust the store. */
const LIMITS = Object.freeze({
  spans: 10_000,
  nameLength: 256,
  serviceNameLength: 128,
  annotations: 64,
  annotationLength: 1024,
  tags: 128,
  tagKeyLength: 256,
  tagValueLength: 8192,
});

const KINDS = new Set(['CLIENT', 'SERVER', 'PRODUCER', 'CONSUMER']);
const TRACE_ID = /^[0-9a-f]{16}(?:[0-9a-f]{16})?$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

class Invalid extends Error {}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function string(value: unknown, field: string, maxLength: number): string {
  if (typeof value !== 'string' || value.length > maxLength)
    throw new Invalid(`${field} must be a string of at most ${maxLength} characters`);
  return value;
}

function micros(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw new Invalid(`${field} must be a non-negative integer of microseconds`);
  return value;
}

function endpoint(value: unknown, field: string): ZipkinEndpoint | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw new Invalid(`${field} must be an object`);
  const out: ZipkinEndpoint = {};
  if (value.serviceName !== undefined && value.serviceName !== null)
    out.serviceName = string(
      value.serviceName,
      `${field}.serviceName`,
      LIMITS.serviceNameLength,
    ).toLowerCase();
  if (value.ipv4 !== undefined && value.ipv4 !== null) {
    if (typeof value.ipv4 !== 'string' || !isIPv4(value.ipv4))
      throw new Invalid(`${field}.ipv4 must be an IPv4 address`);
    out.ipv4 = value.ipv4;
  }
  if (value.ipv6 !== undefined && value.ipv6 !== null) {
    if (typeof value.ipv6 !== 'string' || !isIPv6(value.ipv6))
      throw new Invalid(`${field}.ipv6 must be an IPv6 address`);
    out.ipv6 = value.ipv6;
  }
  if (value.port !== undefined && value.port !== null) {
    if (
      !Number.isInteger(value.port) ||
      (value.port as number) < 0 ||
      (value.port as number) > 65535
    )
      throw new Invalid(`${field}.port must be a port number`);
    out.port = value.port as number;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

function tags(value: unknown, field: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw new Invalid(`${field} must be an object of strings`);
  const entries = Object.entries(value);
  if (entries.length > LIMITS.tags)
    throw new Invalid(`${field} has more than ${LIMITS.tags} entries`);
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, tagValue] of entries) {
    string(key, `${field} key`, LIMITS.tagKeyLength);
    out[key] = string(tagValue, `${field}.${key}`, LIMITS.tagValueLength);
  }
  return { ...out };
}

function annotations(value: unknown, field: string): ZipkinAnnotation[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length > LIMITS.annotations)
    throw new Invalid(`${field} must be an array of at most ${LIMITS.annotations} annotations`);
  return value.map((item, i) => {
    if (!isObject(item)) throw new Invalid(`${field}[${i}] must be an object`);
    return {
      timestamp: micros(item.timestamp, `${field}[${i}].timestamp`),
      value: string(item.value, `${field}[${i}].value`, LIMITS.annotationLength),
    };
  });
}

function span(value: unknown, index: number): ZipkinSpan {
  const field = `spans[${index}]`;
  if (!isObject(value)) throw new Invalid(`${field} must be an object`);
  const traceId = typeof value.traceId === 'string' ? value.traceId.toLowerCase() : '';
  if (!TRACE_ID.test(traceId))
    throw new Invalid(`${field}.traceId must be 16 or 32 hex characters`);
  const id = typeof value.id === 'string' ? value.id.toLowerCase() : '';
  if (!SPAN_ID.test(id)) throw new Invalid(`${field}.id must be 16 hex characters`);
  const out: ZipkinSpan = { traceId, id };
  if (value.parentId !== undefined && value.parentId !== null) {
    const parentId = typeof value.parentId === 'string' ? value.parentId.toLowerCase() : '';
    if (!SPAN_ID.test(parentId)) throw new Invalid(`${field}.parentId must be 16 hex characters`);
    if (parentId !== id) out.parentId = parentId;
  }
  if (value.name !== undefined && value.name !== null)
    out.name = string(value.name, `${field}.name`, LIMITS.nameLength).toLowerCase();
  if (value.kind !== undefined && value.kind !== null) {
    if (typeof value.kind !== 'string' || !KINDS.has(value.kind))
      throw new Invalid(`${field}.kind must be CLIENT, SERVER, PRODUCER or CONSUMER`);
    out.kind = value.kind as ZipkinSpan['kind'];
  }
  if (value.timestamp !== undefined && value.timestamp !== null)
    out.timestamp = micros(value.timestamp, `${field}.timestamp`);
  if (value.duration !== undefined && value.duration !== null)
    out.duration = Math.max(1, micros(value.duration, `${field}.duration`));
  const local = endpoint(value.localEndpoint, `${field}.localEndpoint`);
  if (local) out.localEndpoint = local;
  const remote = endpoint(value.remoteEndpoint, `${field}.remoteEndpoint`);
  if (remote) out.remoteEndpoint = remote;
  const spanAnnotations = annotations(value.annotations, `${field}.annotations`);
  if (spanAnnotations && spanAnnotations.length > 0) out.annotations = spanAnnotations;
  const spanTags = tags(value.tags, `${field}.tags`);
  if (spanTags && Object.keys(spanTags).length > 0) out.tags = spanTags;
  if (value.debug === true) out.debug = true;
  if (value.shared === true) out.shared = true;
  return out;
}

/**
 * Validates a Zipkin v2 JSON span list from an untrusted sender and copies it into fresh
 * objects (ids lower-cased, names lower-cased as Zipkin stores them, unknown fields dropped).
 *
 * @returns the spans, or the first problem as a sentence.
 */
export function parseZipkinSpans(body: unknown): { spans: ZipkinSpan[] } | { problem: string } {
  if (!Array.isArray(body)) return { problem: 'the body must be a JSON array of spans' };
  if (body.length > LIMITS.spans) return { problem: `at most ${LIMITS.spans} spans per request` };
  try {
    return { spans: body.map(span) };
  } catch (error) {
    if (error instanceof Invalid) return { problem: error.message };
    throw error;
  }
}
