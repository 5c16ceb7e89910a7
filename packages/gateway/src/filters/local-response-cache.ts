import { createHash } from 'node:crypto';
import { Transform, pipeline, type Readable } from 'node:stream';
import type { GatewayExchange, HeaderRecord } from '../exchange.js';
import { ResponseCache, type CachedResponse } from '../internal/response-cache.js';
import type { FilterFactory } from '../internal/types.js';

// Spring: NettyWriteResponseFilter.WRITE_RESPONSE_FILTER_ORDER (-1) - 3.
const ORDER = -4;
const CACHEABLE_STATUSES = new Set([200, 206, 301]);

const directivesOf = (value: string | string[] | undefined): string[] =>
  value === undefined
    ? []
    : [value]
        .flat()
        .flatMap((v) => v.split(','))
        .map((d) => d.trim().toLowerCase());

const first = (value: string | string[] | undefined): string =>
  value === undefined ? '' : [value].flat().join(',');

/** `max-age` / `s-maxage` of a response in ms, the smaller one, or null. */
function maxAgeMs(directives: readonly string[]): number | null {
  let out: number | null = null;
  for (const directive of directives) {
    const m = /^(?:max-age|s-maxage)=(\d+)$/.exec(directive);
    if (m) out = Math.min(out ?? Infinity, Number(m[1]) * 1000);
  }
  return out;
}

/**
 * The cache key: method, path and query, then `Authorization` and `Cookie` (so one user's
 * answer is never another's: Spring's CacheKeyGenerator), then the `Vary` headers' values.
 */
function cacheKey(exchange: GatewayExchange, uriKey: string, vary: readonly string[]): string {
  const headers = exchange.incomingHeaders;
  const hash = createHash('sha256').update(
    `${uriKey}\n${first(headers.authorization)}\n${first(headers.cookie)}`,
  );
  for (const name of [...vary].sort()) hash.update(`\n${name}:${first(headers[name])}`);
  return hash.digest('base64');
}

function serve(exchange: GatewayExchange, entry: CachedResponse, nowMs: number): void {
  Object.assign(exchange.responseHeaders, entry.headers);
  delete exchange.responseHeaders['pragma'];
  delete exchange.responseHeaders['expires'];
  const remainingSec = Math.max(0, Math.floor((entry.expiresAtMs - nowMs) / 1000));
  exchange.responseHeaders['cache-control'] = `max-age=${remainingSec}`;
  exchange.respond(entry.status, entry.body);
}

/** Tees the response body into memory, storing it when it ends within the size limit. */
function capture(exchange: GatewayExchange, maxBytes: number, store: (body: Buffer) => void): void {
  const body = exchange.responseBody;
  if (body === null) return store(Buffer.alloc(0));
  if (Buffer.isBuffer(body)) return store(body);
  const chunks: Buffer[] = [];
  let total = 0;
  const tee = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (total <= maxBytes) {
        total += chunk.length;
        if (total <= maxBytes) chunks.push(chunk);
      }
      callback(null, chunk);
    },
    flush(callback) {
      if (total <= maxBytes) store(Buffer.concat(chunks, total));
      callback();
    },
  });
  exchange.responseBody = pipeline(body as Readable, tee, () => undefined);
}

/**
 * `LocalResponseCache=30m, 500MB` (timeToLive, size) — GET responses (200, 206, 301) are kept
 * in memory per route, bounded in size and age. `Cache-Control` is honoured: a request's
 * `no-store` bypasses the cache and `no-cache` revalidates it; a response's `no-store` or
 * `private`, `Vary: *` or `Set-Cookie` is never stored, and its `max-age` shortens the TTL.
 * Keys include `Authorization` and `Cookie`, so an authorised answer is never served to another
 * user. Served entries carry `Cache-Control: max-age=<seconds left>`.
 */
export const localResponseCacheFilterFactory: FilterFactory = {
  name: 'LocalResponseCache',
  shortcutFieldOrder: ['timeToLive', 'size'],
  create(args, context) {
    const ttlMs = args.duration('timeToLive', context.settings.responseCache.timeToLiveMs);
    const maxBytes = args.dataSize('size', context.settings.responseCache.sizeBytes);
    const cache = new ResponseCache(maxBytes);
    const { clock } = context;
    return {
      order: ORDER,
      async filter(exchange, chain) {
        const request = directivesOf(exchange.incomingHeaders['cache-control']);
        const hasBody =
          exchange.contentLength !== null
            ? exchange.contentLength > 0
            : exchange.incomingHeaders['transfer-encoding'] !== undefined;
        if (
          exchange.method !== 'GET' ||
          hasBody ||
          request.includes('no-store') ||
          request.includes('private')
        )
          return chain.filter(exchange);
        const uriKey = `${exchange.originalPath}?${exchange.query}`;
        if (!request.includes('no-cache')) {
          const hit = cache.get(cacheKey(exchange, uriKey, cache.varyOf(uriKey)), clock.now());
          if (hit !== undefined) return serve(exchange, hit, clock.now());
        }
        await chain.filter(exchange);
        const response = directivesOf(exchange.responseHeaders['cache-control']);
        const vary = directivesOf(exchange.responseHeaders['vary']);
        if (
          !CACHEABLE_STATUSES.has(exchange.statusCode) ||
          response.includes('no-store') ||
          response.includes('private') ||
          vary.includes('*') ||
          exchange.responseHeaders['set-cookie'] !== undefined
        )
          return;
        const lifetimeMs = Math.min(ttlMs, maxAgeMs(response) ?? Infinity);
        if (lifetimeMs <= 0) return;
        const status = exchange.statusCode;
        const headers: HeaderRecord = { ...exchange.responseHeaders };
        delete headers['content-length'];
        capture(exchange, maxBytes, (body) => {
          const now = clock.now();
          cache.put(uriKey, vary, cacheKey(exchange, uriKey, vary), {
            status,
            headers,
            body,
            storedAtMs: now,
            expiresAtMs: now + lifetimeMs,
          });
        });
      },
    };
  },
};
