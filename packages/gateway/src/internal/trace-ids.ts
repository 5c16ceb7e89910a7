import type { IncomingHttpHeaders } from 'node:http';

/** Trace and span ids for logs. */
export interface TraceIds {
  readonly traceId: string;
  readonly spanId: string;
}

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;
const B3 = /^([0-9a-f]{16}|[0-9a-f]{32})-([0-9a-f]{16})(?:-[01d](?:-[0-9a-f]{16})?)?$/;
const HEX_TRACE = /^(?:[0-9a-f]{16}|[0-9a-f]{32})$/;
const HEX_SPAN = /^[0-9a-f]{16}$/;

/**
 * The ids of the trace a request belongs to, from W3C `traceparent`, B3 single (`b3`) or B3
 * multi (`X-B3-TraceId`/`X-B3-SpanId`) headers; null when none is well-formed (so nothing a
 * client sends reaches the logs unchecked).
 */
export function traceIdsOf(headers: IncomingHttpHeaders): TraceIds | null {
  const traceparent = headers['traceparent'];
  if (typeof traceparent === 'string') {
    const m = TRACEPARENT.exec(traceparent.trim().toLowerCase());
    if (m) return { traceId: m[1] as string, spanId: m[2] as string };
  }
  const b3 = headers['b3'];
  if (typeof b3 === 'string') {
    const m = B3.exec(b3.trim().toLowerCase());
    if (m) return { traceId: m[1] as string, spanId: m[2] as string };
  }
  const traceId = headers['x-b3-traceid'];
  const spanId = headers['x-b3-spanid'];
  if (typeof traceId === 'string' && typeof spanId === 'string') {
    const t = traceId.trim().toLowerCase();
    const s = spanId.trim().toLowerCase();
    if (HEX_TRACE.test(t) && HEX_SPAN.test(s)) return { traceId: t, spanId: s };
  }
  return null;
}
