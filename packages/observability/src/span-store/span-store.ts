import type { ZipkinSpan } from '../tracing/zipkin-span.js';

/** Options of {@link createSpanStore}. */
export interface SpanStoreOptions {
  /** Spans kept at most; the oldest go first. @default 5000 */
  maxSpans?: number;
  /** Approximate bytes of span JSON kept at most; the oldest go first. @default 16 MiB */
  maxBytes?: number;
}

/** The filters of Zipkin's `GET /api/v2/traces`. */
export interface TraceQuery {
  serviceName?: string;
  remoteServiceName?: string;
  spanName?: string;
  /** `error` or `http.method=GET and error`: tags (and annotation values) that must be present. */
  annotationQuery?: string;
  /** Microseconds. */
  minDuration?: number;
  maxDuration?: number;
  /** Epoch milliseconds; traces with a span starting up to then. @default now */
  endTs?: number;
  /** Milliseconds before `endTs`. @default 86400000 (a day) */
  lookback?: number;
  /** Traces returned at most. @default 10 */
  limit?: number;
}

/** The last spans reported by a fleet, held in memory for the console and the Zipkin API. */
export interface SpanStore {
  /** Adds spans (already validated); evicts the oldest beyond the limits. */
  add(spans: readonly ZipkinSpan[]): void;
  /** Matching traces, newest first, each as its spans. */
  traces(query?: TraceQuery): ZipkinSpan[][];
  /** One trace's spans; a 16-hex id matches the low 64 bits of a 128-bit one. */
  trace(traceId: string): ZipkinSpan[] | null;
  /** Service names seen, sorted. */
  services(): string[];
  /** Span names seen for a service, sorted. */
  spanNames(serviceName: string): string[];
  /** Remote service names seen for a service, sorted. */
  remoteServiceNames(serviceName: string): string[];
  /** Spans held now. */
  readonly size: number;
  clear(): void;
}

interface Stored {
  readonly span: ZipkinSpan;
  readonly bytes: number;
  /** Normalised 32-hex trace id. */
  readonly traceId: string;
}

function normalise(traceId: string): string {
  return traceId.length === 16 ? `0000000000000000${traceId}` : traceId;
}

function matchesAnnotationQuery(trace: ZipkinSpan[], query: string | undefined): boolean {
  if (query === undefined || query.trim() === '') return true;
  return query.split(/\s+and\s+/i).every((term) => {
    const eq = term.indexOf('=');
    const key = (eq === -1 ? term : term.slice(0, eq)).trim();
    const value = eq === -1 ? undefined : term.slice(eq + 1).trim();
    return trace.some((span) =>
      value === undefined
        ? span.tags?.[key] !== undefined || span.annotations?.some((a) => a.value === key)
        : span.tags?.[key] === value,
    );
  });
}

function traceMatches(trace: ZipkinSpan[], query: TraceQuery): boolean {
  const service = query.serviceName?.toLowerCase();
  const spanName = query.spanName?.toLowerCase();
  const remote = query.remoteServiceName?.toLowerCase();
  const inService = (span: ZipkinSpan) =>
    service === undefined || span.localEndpoint?.serviceName === service;
  if (service !== undefined && !trace.some(inService)) return false;
  if (
    spanName !== undefined &&
    spanName !== 'all' &&
    !trace.some((s) => inService(s) && s.name === spanName)
  )
    return false;
  if (
    remote !== undefined &&
    !trace.some((s) => inService(s) && s.remoteEndpoint?.serviceName === remote)
  )
    return false;
  if (query.minDuration !== undefined || query.maxDuration !== undefined) {
    const min = query.minDuration ?? 0;
    const max = query.maxDuration ?? Number.MAX_SAFE_INTEGER;
    if (!trace.some((s) => inService(s) && (s.duration ?? 0) >= min && (s.duration ?? 0) <= max))
      return false;
  }
  return matchesAnnotationQuery(trace, query.annotationQuery);
}

/**
 * Creates the in-memory span store behind the embedded default ("no Zipkin configured"): the
 * last few thousand spans of every service, grouped by trace, bounded by count and by bytes.
 *
 * @example
 * const store = createSpanStore({ maxSpans: 5000 });
 * app.server.register(zipkinApiPlugin, { store });
 */
export function createSpanStore(options: SpanStoreOptions = {}): SpanStore {
  const maxSpans = options.maxSpans ?? 5000;
  const maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
  // Insertion order is eviction order; a Map keeps both the order and O(1) deletes.
  const order = new Map<Stored, true>();
  const byTrace = new Map<string, Set<Stored>>();
  let bytes = 0;

  const evictOldest = () => {
    const oldest = order.keys().next().value;
    if (oldest === undefined) return;
    order.delete(oldest);
    bytes -= oldest.bytes;
    const spans = byTrace.get(oldest.traceId);
    spans?.delete(oldest);
    if (spans?.size === 0) byTrace.delete(oldest.traceId);
  };

  const spansOf = (traceId: string) => [...(byTrace.get(traceId) ?? [])].map((s) => s.span);
  const startOf = (spans: Iterable<Stored>) => {
    let start = Number.MAX_SAFE_INTEGER;
    for (const stored of spans) start = Math.min(start, stored.span.timestamp ?? start);
    return start;
  };

  return {
    add(spans) {
      for (const span of spans) {
        const stored: Stored = {
          span,
          bytes: JSON.stringify(span).length,
          traceId: normalise(span.traceId),
        };
        order.set(stored, true);
        bytes += stored.bytes;
        let group = byTrace.get(stored.traceId);
        if (group === undefined) byTrace.set(stored.traceId, (group = new Set()));
        group.add(stored);
      }
      while (order.size > maxSpans || (bytes > maxBytes && order.size > 0)) evictOldest();
    },
    traces(query = {}) {
      const endMicros = (query.endTs ?? Date.now()) * 1000;
      const startMicros = endMicros - (query.lookback ?? 86_400_000) * 1000;
      const limit = query.limit ?? 10;
      const candidates = [...byTrace.entries()]
        .map(([traceId, spans]) => ({ traceId, start: startOf(spans) }))
        .filter(({ start }) => start >= startMicros && start <= endMicros)
        .sort((a, b) => b.start - a.start);
      const result: ZipkinSpan[][] = [];
      for (const { traceId } of candidates) {
        if (result.length >= limit) break;
        const trace = spansOf(traceId);
        if (traceMatches(trace, query)) result.push(trace);
      }
      return result;
    },
    trace(traceId) {
      const spans = byTrace.get(normalise(traceId.toLowerCase()));
      return spans === undefined ? null : [...spans].map((s) => s.span);
    },
    services() {
      const names = new Set<string>();
      for (const stored of order.keys()) {
        const name = stored.span.localEndpoint?.serviceName;
        if (name) names.add(name);
      }
      return [...names].sort();
    },
    spanNames(serviceName) {
      const service = serviceName.toLowerCase();
      const names = new Set<string>();
      for (const { span } of order.keys())
        if (span.localEndpoint?.serviceName === service && span.name) names.add(span.name);
      return [...names].sort();
    },
    remoteServiceNames(serviceName) {
      const service = serviceName.toLowerCase();
      const names = new Set<string>();
      for (const { span } of order.keys()) {
        const remote = span.remoteEndpoint?.serviceName;
        if (span.localEndpoint?.serviceName === service && remote) names.add(remote);
      }
      return [...names].sort();
    },
    get size() {
      return order.size;
    },
    clear() {
      order.clear();
      byTrace.clear();
      bytes = 0;
    },
  };
}

/**
 * A span sender writing into a store in this process: the registry's own spans go straight to
 * its store instead of over HTTP to itself.
 *
 * @example
 * const tracing = createTracing({ serviceName: 'discovery-service', export: { sender: spanStoreSender(store), target: 'span store' } });
 */
export function spanStoreSender(store: SpanStore): (spans: ZipkinSpan[]) => Promise<void> {
  return async (spans) => store.add(spans);
}
