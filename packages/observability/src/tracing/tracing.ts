import {
  context as contextApi,
  createContextKey,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TraceState } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { createSilentLogger, type Logger } from '@stratus/core';
import {
  extractFrom,
  injectInto,
  PROPAGATION_DEFAULTS,
  type HeaderGetter,
  type PropagationSettings,
} from './propagation.js';
import {
  DEBUG_KEY,
  DEFERRED_SAMPLING_KEY,
  ProbabilitySampler,
  SAMPLING_DECISION_KEY,
} from './sampler.js';
import {
  createZipkinHttpSender,
  ZipkinSpanExporter,
  type ZipkinSender,
} from './zipkin-exporter.js';
import type { LocalEndpoint } from './zipkin-span.js';

/** Where finished spans go. */
export type SpanExport =
  /** A Zipkin collector (`management.zipkin.tracing.endpoint`), v2 JSON over HTTP. */
  | { endpoint: string; connectTimeoutMs?: number; readTimeoutMs?: number }
  /** Any sender, e.g. a span store in this process (`spanStoreSender(store)`). */
  | { sender: ZipkinSender; target: string };

/** Options of {@link createTracing}. */
export interface TracingOptions {
  /** `spring.application.name`: the Zipkin service name. */
  serviceName: string;
  /** `management.tracing.enabled`: false creates no spans and writes no headers. @default true */
  enabled?: boolean;
  /** `management.tracing.sampling.probability`, 0 to 1. @default 0.1 (Spring Boot's) */
  samplingProbability?: number;
  /** `management.tracing.propagation.produce` / `.consume`. @default W3C out; W3C, B3, B3 multi in */
  propagation?: Partial<PropagationSettings>;
  /** Where spans go; null keeps them for log correlation and propagation only. @default null */
  export?: SpanExport | null;
  /** The address written as the spans' `localEndpoint.ipv4`. @default none */
  localIpv4?: string;
  /** Time between two exports of the queued spans. @default 1000 (ms; Brave's reporter's) */
  exportIntervalMs?: number;
  /** Finished spans waiting for export at most; more are dropped. @default 2048 */
  maxQueueSize?: number;
  /** @default createSilentLogger() */
  logger?: Logger;
}

/** A process's tracer: spans, the propagation formats and the export pipeline. */
export interface Tracing {
  /** False when `management.tracing.enabled` is false: every method is then a cheap no-op. */
  readonly isEnabled: boolean;
  readonly serviceName: string;
  readonly propagation: PropagationSettings;
  /** The spans' local endpoint; `setLocalPort` fills in the port. */
  readonly local: LocalEndpoint;
  /**
   * The context the headers carry (first consume format that parses), based on the root
   * context; malformed or missing headers give a context without a parent (a new trace).
   */
  extract(get: HeaderGetter): Context;
  /** Writes the span of `ctx` (default: the active context) in every produce format. */
  inject(set: (name: string, value: string) => void, ctx?: Context): void;
  /** Starts a span; `parent` defaults to the active context. */
  startSpan(name: string, options?: SpanOptions): Span;
  /** `parent` (default active) with `span` set as current and this tracing as its owner. */
  contextWith(span: Span, parent?: Context): Context;
  /**
   * Runs `fn` in a new span (INTERNAL by default) made current, ends it when `fn` settles and
   * marks it failed when `fn` throws (the error is rethrown).
   * @example
   * await tracing.withSpan('reserve stock', async (span) => { span.setAttribute('orderId', id); await reserve(id); });
   */
  withSpan<T>(name: string, fn: (span: Span) => Promise<T> | T, options?: SpanOptions): Promise<T>;
  /** Records the port the server listens on as the spans' `localEndpoint.port`. */
  setLocalPort(port: number): void;
  /** Exports every finished span now. Never rejects. */
  forceFlush(): Promise<void>;
  /** Exports what is queued, then stops; later spans are dropped. Idempotent. */
  close(): Promise<void>;
}

/** How to start a span. */
export interface SpanOptions {
  /** @default SpanKind.INTERNAL */
  kind?: SpanKind;
  /** @default the active context */
  parent?: Context;
  attributes?: Attributes;
}

/** Context key holding the {@link Tracing} that started the current span. */
export const TRACING_KEY = createContextKey('stratus.tracing.owner');

/** The tracing that owns the current span, if a Stratus tracer started one. */
export function activeTracing(ctx: Context = contextApi.active()): Tracing | undefined {
  return ctx.getValue(TRACING_KEY) as Tracing | undefined;
}

/** The current trace id (32 hex), or undefined outside a trace. */
export function currentTraceId(ctx: Context = contextApi.active()): string | undefined {
  const spanContext = trace.getSpanContext(ctx);
  return spanContext !== undefined && isSpanContextValid(spanContext)
    ? spanContext.traceId
    : undefined;
}

/** The current span id (16 hex), or undefined outside a trace. */
export function currentSpanId(ctx: Context = contextApi.active()): string | undefined {
  const spanContext = trace.getSpanContext(ctx);
  return spanContext !== undefined && isSpanContextValid(spanContext)
    ? spanContext.spanId
    : undefined;
}

let contextManagerInstalled = false;

/** Installs the AsyncLocalStorage context manager once per process (a no-op if one exists). */
export function ensureContextManager(): void {
  if (contextManagerInstalled) return;
  contextManagerInstalled = true;
  const manager = new AsyncLocalStorageContextManager();
  if (!contextApi.setGlobalContextManager(manager.enable())) manager.disable();
}

function validated(options: TracingOptions): number {
  const probability = options.samplingProbability ?? 0.1;
  if (typeof probability !== 'number' || !(probability >= 0 && probability <= 1))
    throw new RangeError('samplingProbability must be between 0 and 1');
  return probability;
}

/**
 * Creates a process's tracing on OpenTelemetry JS, configured as Spring Boot's Micrometer
 * Tracing is: parent-based sampling with `management.tracing.sampling.probability`, W3C / B3 /
 * B3-multi propagation per `management.tracing.propagation.*`, and Zipkin v2 export. The
 * tracer provider is not registered globally, so several applications can share a process.
 *
 * @example
 * const tracing = createTracing({
 *   serviceName: 'user-service',
 *   samplingProbability: 1.0,
 *   export: { endpoint: 'http://localhost:9411/api/v2/spans' },
 * });
 * await tracing.withSpan('load user', () => repository.find(id));
 * await tracing.close();
 */
export function createTracing(options: TracingOptions): Tracing {
  const probability = validated(options);
  const propagation: PropagationSettings = Object.freeze({
    produce: Object.freeze([...(options.propagation?.produce ?? PROPAGATION_DEFAULTS.produce)]),
    consume: Object.freeze([...(options.propagation?.consume ?? PROPAGATION_DEFAULTS.consume)]),
  });
  const local: LocalEndpoint = {
    serviceName: options.serviceName,
    ...(options.localIpv4 === undefined ? {} : { ipv4: options.localIpv4 }),
  };
  if (options.enabled === false) return disabledTracing(options.serviceName, propagation, local);
  ensureContextManager();
  const logger = options.logger ?? createSilentLogger();
  const processors: SpanProcessor[] = [];
  const exported = options.export ?? null;
  if (exported !== null) {
    const isHttp = 'endpoint' in exported;
    const exporter = new ZipkinSpanExporter({
      sender: isHttp ? createZipkinHttpSender(exported) : exported.sender,
      local,
      logger,
      target: isHttp ? new URL(exported.endpoint).origin : exported.target,
    });
    processors.push(
      new BatchSpanProcessor(exporter, {
        maxQueueSize: options.maxQueueSize ?? 2048,
        maxExportBatchSize: 512,
        scheduledDelayMillis: options.exportIntervalMs ?? 1_000,
        exportTimeoutMillis: 15_000,
      }),
    );
  }
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    sampler: new ProbabilitySampler(probability),
    spanProcessors: processors,
    spanLimits: { attributeValueLengthLimit: 2048, attributeCountLimit: 64, eventCountLimit: 32 },
  });
  const tracer = provider.getTracer('@stratus/observability');
  return new ActiveTracing(options.serviceName, propagation, local, tracer, provider);
}

class ActiveTracing implements Tracing {
  readonly isEnabled = true;
  #closing: Promise<void> | null = null;

  constructor(
    readonly serviceName: string,
    readonly propagation: PropagationSettings,
    readonly local: LocalEndpoint,
    private readonly tracer: Tracer,
    private readonly provider: BasicTracerProvider,
  ) {}

  extract(get: HeaderGetter): Context {
    const found = extractFrom(get, this.propagation.consume);
    if (found === null) return ROOT_CONTEXT;
    if (found.kind === 'decision')
      return ROOT_CONTEXT.setValue(SAMPLING_DECISION_KEY, found.sampled);
    const { parent } = found;
    let ctx = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: parent.traceId,
      spanId: parent.spanId,
      traceFlags: parent.sampled === true || parent.debug ? TraceFlags.SAMPLED : TraceFlags.NONE,
      isRemote: true,
      ...(parent.traceState === undefined ? {} : { traceState: new TraceState(parent.traceState) }),
    });
    if (parent.debug) ctx = ctx.setValue(DEBUG_KEY, true);
    else if (parent.sampled === undefined) ctx = ctx.setValue(DEFERRED_SAMPLING_KEY, true);
    return ctx;
  }

  inject(set: (name: string, value: string) => void, ctx: Context = contextApi.active()): void {
    const spanContext = trace.getSpanContext(ctx);
    if (spanContext === undefined || !isSpanContextValid(spanContext)) return;
    const traceState = spanContext.traceState?.serialize();
    injectInto(
      set,
      {
        traceId: spanContext.traceId,
        spanId: spanContext.spanId,
        sampled: (spanContext.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED,
        debug: ctx.getValue(DEBUG_KEY) === true,
        ...(traceState ? { traceState } : {}),
      },
      this.propagation.produce,
    );
  }

  startSpan(name: string, options: SpanOptions = {}): Span {
    return this.tracer.startSpan(
      name,
      { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes },
      options.parent ?? contextApi.active(),
    );
  }

  contextWith(span: Span, parent: Context = contextApi.active()): Context {
    return trace.setSpan(parent, span).setValue(TRACING_KEY, this);
  }

  async withSpan<T>(
    name: string,
    fn: (span: Span) => Promise<T> | T,
    options: SpanOptions = {},
  ): Promise<T> {
    const parent = options.parent ?? contextApi.active();
    const span = this.startSpan(name, { ...options, parent });
    try {
      return await contextApi.with(this.contextWith(span, parent), () => fn(span));
    } catch (error) {
      markFailed(span, error);
      throw error;
    } finally {
      span.end();
    }
  }

  setLocalPort(port: number): void {
    this.local.port = port;
  }

  async forceFlush(): Promise<void> {
    await this.provider.forceFlush().catch(() => undefined);
  }

  close(): Promise<void> {
    this.#closing ??= this.provider.shutdown().catch(() => undefined);
    return this.#closing;
  }
}

/** Marks a span failed as Micrometer does: `exception` tag, error status with the message. */
export function markFailed(span: Span, error: unknown): void {
  const name = errorName(error);
  span.setAttribute('exception', name);
  const message = error instanceof Error && error.message ? error.message : name;
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

/** The simple class name Micrometer writes in `exception` tags (`none` when there is none). */
export function errorName(error: unknown): string {
  if (error === undefined || error === null) return 'none';
  if (error instanceof Error) {
    const constructorName = error.constructor?.name;
    return constructorName && constructorName !== 'Error' ? constructorName : error.name || 'Error';
  }
  return typeof error;
}

function disabledTracing(
  serviceName: string,
  propagation: PropagationSettings,
  local: LocalEndpoint,
): Tracing {
  const noop = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
  return {
    isEnabled: false,
    serviceName,
    propagation,
    local,
    extract: () => ROOT_CONTEXT,
    inject: () => undefined,
    startSpan: () => noop,
    contextWith: (_span, parent = contextApi.active()) => parent,
    withSpan: async (_name, fn) => fn(noop),
    setLocalPort: (port) => {
      local.port = port;
    },
    forceFlush: async () => undefined,
    close: async () => undefined,
  };
}
