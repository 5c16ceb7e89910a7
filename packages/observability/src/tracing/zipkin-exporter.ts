import { request as httpRequest, Agent as HttpAgent } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Logger } from '@stratus/core';
import { toZipkinSpan, type LocalEndpoint, type ZipkinSpan } from './zipkin-span.js';

/** Delivers encoded spans somewhere: Zipkin over HTTP, or a span store in this process. */
export type ZipkinSender = (spans: ZipkinSpan[]) => Promise<void>;

/** Options of {@link createZipkinHttpSender}. */
export interface ZipkinHttpSenderOptions {
  /** `management.zipkin.tracing.endpoint`, e.g. `http://localhost:9411/api/v2/spans`. */
  endpoint: string;
  /** `management.zipkin.tracing.connect-timeout`. @default 1000 (ms) */
  connectTimeoutMs?: number;
  /** `management.zipkin.tracing.read-timeout`. @default 10000 (ms) */
  readTimeoutMs?: number;
}

/** A sender with resources to release. */
export interface ClosableSender {
  send: ZipkinSender;
  close(): void;
}

/**
 * Posts Zipkin v2 JSON to a collector (`POST /api/v2/spans`, 202 expected) over node:http, so
 * the export itself never passes through the traced undici client. Keeps two connections alive.
 */
export function createZipkinHttpSender(options: ZipkinHttpSenderOptions): ClosableSender {
  const url = new URL(options.endpoint);
  const isHttps = url.protocol === 'https:';
  const agent = isHttps
    ? new HttpsAgent({ keepAlive: true, maxSockets: 2 })
    : new HttpAgent({ keepAlive: true, maxSockets: 2 });
  const connectTimeoutMs = options.connectTimeoutMs ?? 1_000;
  const readTimeoutMs = options.readTimeoutMs ?? 10_000;
  const send: ZipkinSender = (spans) =>
    new Promise<void>((resolve, reject) => {
      const body = Buffer.from(JSON.stringify(spans));
      const request = (isHttps ? httpsRequest : httpRequest)(url, {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      });
      const connectTimer = setTimeout(
        () => request.destroy(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' })),
        connectTimeoutMs,
      ).unref();
      request.once('socket', (socket) => {
        if (!socket.connecting) clearTimeout(connectTimer);
        else socket.once('connect', () => clearTimeout(connectTimer));
      });
      request.setTimeout(readTimeoutMs, () =>
        request.destroy(Object.assign(new Error('read timed out'), { code: 'ETIMEDOUT' })),
      );
      request.once('error', (error) => {
        clearTimeout(connectTimer);
        reject(error);
      });
      request.once('response', (response) => {
        response.resume();
        response.once('end', () => {
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else reject(Object.assign(new Error(`collector answered ${status}`), { status }));
        });
      });
      request.end(body);
    });
  return { send, close: () => agent.destroy() };
}

/** Options of {@link ZipkinSpanExporter}. */
export interface ZipkinExporterOptions {
  sender: ClosableSender | ZipkinSender;
  local: LocalEndpoint;
  logger: Logger;
  /** What the warnings name (the endpoint's origin, never its credentials). */
  target: string;
  /** Least time between two warnings about failed exports. @default 60000 (ms) */
  warnIntervalMs?: number;
}

/**
 * An OpenTelemetry span exporter writing Zipkin v2 JSON, as Spring's `zipkin-reporter-brave`
 * does. A failed export drops that batch (as Brave's reporter does) and warns at most once a
 * minute; it never throws into the application.
 */
export class ZipkinSpanExporter implements SpanExporter {
  readonly #send: ZipkinSender;
  readonly #close: () => void;
  readonly #options: ZipkinExporterOptions;
  readonly #pending = new Set<Promise<void>>();
  #lastWarnAt = -Infinity;
  #isShutDown = false;

  constructor(options: ZipkinExporterOptions) {
    this.#options = options;
    if (typeof options.sender === 'function') {
      this.#send = options.sender;
      this.#close = () => undefined;
    } else {
      this.#send = options.sender.send;
      this.#close = options.sender.close;
    }
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.#isShutDown || spans.length === 0) {
      resultCallback({
        code: this.#isShutDown ? ExportResultCode.FAILED : ExportResultCode.SUCCESS,
      });
      return;
    }
    let encoded: ZipkinSpan[];
    try {
      encoded = spans.map((span) => toZipkinSpan(span, this.#options.local));
    } catch (error) {
      this.#warn(error, spans.length);
      resultCallback({ code: ExportResultCode.FAILED });
      return;
    }
    const sent = this.#send(encoded).then(
      () => resultCallback({ code: ExportResultCode.SUCCESS }),
      (error: unknown) => {
        this.#warn(error, spans.length);
        resultCallback({ code: ExportResultCode.FAILED });
      },
    );
    this.#pending.add(sent);
    void sent.finally(() => this.#pending.delete(sent));
  }

  async forceFlush(): Promise<void> {
    await Promise.allSettled([...this.#pending]);
  }

  async shutdown(): Promise<void> {
    if (this.#isShutDown) return;
    this.#isShutDown = true;
    await this.forceFlush();
    this.#close();
  }

  #warn(error: unknown, dropped: number): void {
    const now = Date.now();
    if (now - this.#lastWarnAt < (this.#options.warnIntervalMs ?? 60_000)) return;
    this.#lastWarnAt = now;
    const { code, status } = (error ?? {}) as { code?: unknown; status?: unknown };
    this.#options.logger.warn(
      {
        target: this.#options.target,
        dropped,
        ...(typeof code === 'string' ? { code } : {}),
        ...(typeof status === 'number' ? { status } : {}),
      },
      'span export failed; spans dropped',
    );
  }
}
