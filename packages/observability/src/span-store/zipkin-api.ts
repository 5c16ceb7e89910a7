import { createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { ObservabilityErrors } from '../errors.js';
import { parseZipkinSpans } from './parse-spans.js';
import type { SpanStore, TraceQuery } from './span-store.js';

/** Route config key: a request routed to a route with `{ [UNTRACED_ROUTE]: true }` gets no span. */
export const UNTRACED_ROUTE = 'stratusUntraced';

/** Options of {@link zipkinApiPlugin}. */
export interface ZipkinApiOptions {
  store: SpanStore;
  /** Largest `POST /api/v2/spans` body after decompression. @default 4 MiB */
  maxBodyBytes?: number;
}

const TRACE_ID = /^[0-9a-fA-F]{16}(?:[0-9a-fA-F]{16})?$/;

function queryNumber(query: Record<string, unknown>, name: string): number | undefined {
  const raw = query[name];
  if (raw === undefined || raw === '') return undefined;
  const value = typeof raw === 'string' && /^\d{1,16}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value))
    throw ObservabilityErrors.INVALID_QUERY({
      message: `${name} must be a non-negative integer`,
      details: { parameter: name },
    });
  return value;
}

function queryString(query: Record<string, unknown>, name: string): string | undefined {
  const raw = query[name];
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || raw.length > 1024)
    throw ObservabilityErrors.INVALID_QUERY({
      message: `${name} must be one short string`,
      details: { parameter: name },
    });
  return raw;
}

function traceQueryOf(request: FastifyRequest): TraceQuery {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const limit = queryNumber(query, 'limit');
  if (limit !== undefined && (limit < 1 || limit > 1000))
    throw ObservabilityErrors.INVALID_QUERY({
      message: 'limit must be between 1 and 1000',
      details: { parameter: 'limit' },
    });
  const result: TraceQuery = {};
  const strings = ['serviceName', 'remoteServiceName', 'spanName', 'annotationQuery'] as const;
  for (const name of strings) {
    const value = queryString(query, name);
    if (value !== undefined) result[name] = value;
  }
  const numbers = ['minDuration', 'maxDuration', 'endTs', 'lookback'] as const;
  for (const name of numbers) {
    const value = queryNumber(query, name);
    if (value !== undefined) result[name] = value;
  }
  if (limit !== undefined) result.limit = limit;
  return result;
}

/** Decompresses a gzip or deflate body, as Zipkin's collector accepts Brave's compressed reports. */
function decompressed(request: FastifyRequest, payload: Readable): Readable {
  const encoding = String(request.headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  if (encoding === 'identity' || encoding === '') return payload;
  if (encoding !== 'gzip' && encoding !== 'deflate')
    throw ObservabilityErrors.UNSUPPORTED_MEDIA_TYPE({
      message: `Content-Encoding ${encoding} is not supported`,
    });
  const inflater = encoding === 'gzip' ? createGunzip() : createInflate();
  // fastify compares the bytes it got on the wire with Content-Length, and the inflated bytes
  // with bodyLimit: a gzip bomb stops at the limit.
  const counted = Object.assign(inflater, { receivedEncodedLength: 0 });
  payload.on('data', (chunk: Buffer) => {
    counted.receivedEncodedLength += chunk.length;
  });
  inflater.on('error', (error: Error & { statusCode?: number }) => {
    error.statusCode = 400;
  });
  payload.on('error', (error) => inflater.destroy(error));
  return payload.pipe(inflater);
}

/**
 * Zipkin's v2 HTTP API over a {@link SpanStore}, as a fastify plugin: `POST /api/v2/spans`
 * (v2 JSON, optionally gzip; 202), `GET /api/v2/traces`, `GET /api/v2/trace/{traceId}`,
 * `GET /api/v2/services`, `GET /api/v2/spans?serviceName=`, `GET /api/v2/remoteServices?serviceName=`.
 * Services send spans here when no Zipkin is configured (the embedded default), and a Zipkin
 * UI or the console reads them back. Bad input is a 400/413/415 problem; these routes are
 * never traced themselves.
 *
 * @example
 * const store = createSpanStore();
 * await app.server.register(zipkinApiPlugin, { store });
 */
export const zipkinApiPlugin: FastifyPluginAsync<ZipkinApiOptions> = async (server, options) => {
  const { store } = options;
  const config = { [UNTRACED_ROUTE]: true };
  server.post(
    '/api/v2/spans',
    {
      config,
      bodyLimit: options.maxBodyBytes ?? 4 * 1024 * 1024,
      preParsing: async (request, _reply, payload) => decompressed(request, payload),
    },
    async (request, reply) => {
      const parsed = parseZipkinSpans(request.body);
      if ('problem' in parsed) throw ObservabilityErrors.INVALID_SPANS({ message: parsed.problem });
      store.add(parsed.spans);
      return reply.code(202).send();
    },
  );
  server.get('/api/v2/traces', { config }, async (request) => store.traces(traceQueryOf(request)));
  server.get<{ Params: { traceId: string } }>(
    '/api/v2/trace/:traceId',
    { config },
    async (request) => {
      const { traceId } = request.params;
      if (!TRACE_ID.test(traceId))
        throw ObservabilityErrors.INVALID_QUERY({
          message: 'traceId must be 16 or 32 hex characters',
          details: { parameter: 'traceId' },
        });
      const spans = store.trace(traceId);
      if (spans === null)
        throw ObservabilityErrors.TRACE_NOT_FOUND({
          message: `Trace ${traceId.toLowerCase()} not found`,
        });
      return spans;
    },
  );
  server.get('/api/v2/services', { config }, async () => store.services());
  server.get('/api/v2/spans', { config }, async (request) => {
    const serviceName = queryString(
      (request.query ?? {}) as Record<string, unknown>,
      'serviceName',
    );
    return serviceName === undefined ? [] : store.spanNames(serviceName);
  });
  server.get('/api/v2/remoteServices', { config }, async (request) => {
    const serviceName = queryString(
      (request.query ?? {}) as Record<string, unknown>,
      'serviceName',
    );
    return serviceName === undefined ? [] : store.remoteServiceNames(serviceName);
  });
};
