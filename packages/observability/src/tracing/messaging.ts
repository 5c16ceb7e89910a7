import {
  context as contextApi,
  isSpanContextValid,
  ROOT_CONTEXT,
  SpanKind,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { globalObservability } from '../global.js';
import type { Metrics } from '../metrics.js';
import { PROPAGATION_HEADER_NAMES } from './propagation.js';
import { activeTracing, errorName, markFailed, type Tracing } from './tracing.js';
import { REMOTE_SERVICE_ATTRIBUTE } from './zipkin-span.js';

/** The fields of a message the tracing helpers read. */
export interface TracedMessage {
  readonly topic: string;
  readonly id?: string;
  readonly key?: string | null;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Which tracer and registry a helper uses, and how it tags the transport. */
export interface MessagingTracingOptions {
  /** @default the current context's tracing, else the process's (`setGlobalObservability`) */
  tracing?: Tracing | null;
  /** @default the process's metrics */
  metrics?: Metrics | null;
  /** `messaging.system` and the remote service name: `kafka`, `rabbitmq`, `stratus`. @default 'stratus' */
  system?: string;
}

const PROPAGATION_NAMES = new Set(PROPAGATION_HEADER_NAMES);

function tracingOf(options: MessagingTracingOptions, ctx: Context): Tracing | null {
  if (options.tracing !== undefined) return options.tracing;
  return activeTracing(ctx) ?? globalObservability().tracing;
}

function metricsOf(options: MessagingTracingOptions): Metrics | null {
  return options.metrics !== undefined ? options.metrics : globalObservability().metrics;
}

/** A case-insensitive reader over message headers (brokers keep whatever case was sent). */
function headerGetter(
  headers: Readonly<Record<string, string>>,
): (name: string) => string | undefined {
  return (name) => {
    const exact = headers[name];
    if (typeof exact === 'string') return exact;
    for (const [key, value] of Object.entries(headers)) {
      if (key.toLowerCase() === name && typeof value === 'string') return value;
    }
    return undefined;
  };
}

/** `headers` without any trace header, in any case (a fresh context replaces them). */
function withoutTraceHeaders(
  headers: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  const copy: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (!PROPAGATION_NAMES.has(key.toLowerCase())) copy[key] = value;
  }
  return copy;
}

/**
 * Writes the current (or given) trace context into message headers in the configured produce
 * formats, replacing any trace headers there. An outbox calls it when it stores a row, so the
 * relay later publishes in the context of the request that wrote it. Outside a trace the
 * headers are returned without trace headers.
 *
 * @example
 * await outbox.add(trx, { topic: 'order.created', payload, headers: injectContext({}) });
 */
export function injectContext(
  headers: Readonly<Record<string, string>>,
  ctx: Context = contextApi.active(),
  options: MessagingTracingOptions = {},
): Record<string, string> {
  const copy = withoutTraceHeaders(headers);
  tracingOf(options, ctx)?.inject((name, value) => {
    copy[name] = value;
  }, ctx);
  return copy;
}

/**
 * The trace context message headers carry, in the consume formats; a context without a parent
 * when they carry none or a malformed one. Never throws.
 */
export function extractContext(
  headers: Readonly<Record<string, string>> | undefined,
  options: MessagingTracingOptions = {},
): Context {
  const tracing = tracingOf(options, contextApi.active());
  if (tracing === null || headers === undefined) return ROOT_CONTEXT;
  return tracing.extract(headerGetter(headers));
}

/** True when the headers carry a valid trace context (not just a sampling decision). */
function carriesTrace(
  tracing: Tracing,
  headers: Readonly<Record<string, string>> | undefined,
): Context | null {
  if (headers === undefined) return null;
  const ctx = tracing.extract(headerGetter(headers));
  const spanContext = trace.getSpanContext(ctx);
  return spanContext !== undefined && isSpanContextValid(spanContext) ? ctx : null;
}

function startProducer(
  tracing: Tracing,
  message: TracedMessage,
  system: string,
): { span: Span; headers: Record<string, string> } {
  // A message that already carries a context (an outbox row) is published as its child; the
  // relay may run in another request's context, or none.
  const parent = carriesTrace(tracing, message.headers) ?? contextApi.active();
  const span = tracing.startSpan(`${message.topic} send`, {
    kind: SpanKind.PRODUCER,
    parent,
    attributes: {
      'messaging.system': system,
      'messaging.operation': 'publish',
      'messaging.destination.kind': 'topic',
      'messaging.destination.name': message.topic,
      ...(message.id === undefined ? {} : { 'messaging.message.id': message.id }),
      [REMOTE_SERVICE_ATTRIBUTE]: system,
    },
  });
  const headers = withoutTraceHeaders(message.headers);
  tracing.inject(
    (name, value) => {
      headers[name] = value;
    },
    tracing.contextWith(span, parent),
  );
  return { span, headers };
}

/** A started publish: the headers to send and how to finish it. */
export interface ProducerHandle {
  /** The message's headers with the producer span's context (trace headers replaced). */
  readonly headers: Record<string, string>;
  /** Ends the span (failed when `error` is given) and records `spring.kafka.template`. Idempotent. */
  end(error?: unknown): void;
}

/**
 * Starts the PRODUCER span of one message (see {@link withProducerSpan}) for transports that
 * publish batches: send `headers`, then call `end()` once the broker accepted or refused it.
 */
export function startProducerSpan(
  message: TracedMessage,
  options: MessagingTracingOptions = {},
): ProducerHandle {
  const system = options.system ?? 'stratus';
  const tracing = tracingOf(options, contextApi.active());
  const metrics = metricsOf(options);
  const started = process.hrtime.bigint();
  const producer = tracing?.isEnabled ? startProducer(tracing, message, system) : null;
  let ended = false;
  return {
    headers: producer?.headers ?? withoutTraceHeaders(message.headers),
    end(error?: unknown) {
      if (ended) return;
      ended = true;
      metrics?.recordMessagePublished({
        system,
        topic: message.topic,
        exception: errorName(error),
        durationSeconds: Number(process.hrtime.bigint() - started) / 1e9,
      });
      if (producer === null) return;
      if (error !== undefined) markFailed(producer.span, error);
      producer.span.end();
    },
  };
}

/**
 * Publishes inside a PRODUCER span named as Spring Kafka names it (`order.created send`): the
 * span's parent is the context the message's headers already carry (an outbox row's), else
 * the current one; `fn` receives the headers to send (the originals with this span's context)
 * and the span ends when it settles. Records `spring.kafka.template` too.
 *
 * @example
 * await withProducerSpan(message, (headers) => producer.send({ ...message, headers }), { system: 'kafka' });
 */
export async function withProducerSpan<T>(
  message: TracedMessage,
  fn: (headers: Record<string, string>) => Promise<T> | T,
  options: MessagingTracingOptions = {},
): Promise<T> {
  const handle = startProducerSpan(message, options);
  try {
    const result = await fn(handle.headers);
    handle.end();
    return result;
  } catch (error) {
    handle.end(error ?? new Error('publish failed'));
    throw error;
  }
}

/**
 * Handles a consumed message inside a CONSUMER span (`order.created receive`) whose parent is
 * the context in the message's headers, so the handler's logs, HTTP calls and publishes join
 * the producer's trace. A handler error marks the span failed and is rethrown (the transport
 * redelivers). Records `spring.kafka.listener` too.
 *
 * @example
 * await transport.subscribe({ topics, groupId, handler: (m) => withConsumerSpan(m, () => handle(m), { group: groupId }) });
 */
export async function withConsumerSpan<T>(
  message: TracedMessage,
  fn: () => Promise<T> | T,
  options: MessagingTracingOptions & { group?: string } = {},
): Promise<T> {
  const system = options.system ?? 'stratus';
  const tracing = tracingOf(options, contextApi.active());
  const metrics = metricsOf(options);
  const started = process.hrtime.bigint();
  const record = (error: unknown) =>
    metrics?.recordMessageConsumed({
      system,
      topic: message.topic,
      ...(options.group === undefined ? {} : { group: options.group }),
      exception: errorName(error),
      durationSeconds: Number(process.hrtime.bigint() - started) / 1e9,
    });
  if (!tracing?.isEnabled) {
    try {
      const result = await fn();
      record(undefined);
      return result;
    } catch (error) {
      record(error);
      throw error;
    }
  }
  const parent = tracing.extract(headerGetter(message.headers ?? {}));
  const span = tracing.startSpan(`${message.topic} receive`, {
    kind: SpanKind.CONSUMER,
    parent,
    attributes: {
      'messaging.system': system,
      'messaging.operation': 'receive',
      'messaging.source.kind': 'topic',
      'messaging.source.name': message.topic,
      ...(options.group === undefined ? {} : { 'messaging.kafka.consumer.group': options.group }),
      ...(message.id === undefined ? {} : { 'messaging.message.id': message.id }),
      [REMOTE_SERVICE_ATTRIBUTE]: system,
    },
  });
  try {
    const result = await contextApi.with(tracing.contextWith(span, parent), fn);
    record(undefined);
    return result;
  } catch (error) {
    record(error);
    markFailed(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** What {@link traceOutbox} needs of an outbox (`@stratus/messaging`'s `Outbox`). */
export interface TraceableOutbox {
  add(trx: unknown, message: TracedMessage & { readonly payload: unknown }): Promise<string>;
}

/**
 * Makes an outbox keep, in each row's headers, the trace context of the request that wrote
 * it, so the relay publishes the message as that request's child however much later and from
 * whatever context it runs (see {@link withProducerSpan}). Everything else passes through.
 *
 * @example
 * const outbox = traceOutbox(createOutbox({ db, transport }));
 */
export function traceOutbox<O extends TraceableOutbox>(
  outbox: O,
  options: MessagingTracingOptions = {},
): O {
  const add: TraceableOutbox['add'] = (trx, message) =>
    outbox.add(trx, {
      ...message,
      headers: injectContext(message.headers ?? {}, contextApi.active(), options),
    });
  return new Proxy(outbox, {
    get(target, property) {
      if (property === 'add') return add;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function'
        ? (value as (...args: unknown[]) => unknown).bind(target)
        : value;
    },
  });
}
