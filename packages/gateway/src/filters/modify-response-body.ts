import type { Readable } from 'node:stream';
import { GatewayErrors } from '../errors.js';
import { bodyRewriteOf, contentTypeOf, rewrittenBytes } from '../internal/body-rewrites.js';
import type { FilterFactory } from '../internal/types.js';

// Spring: NettyWriteResponseFilter.WRITE_RESPONSE_FILTER_ORDER (-1) - 1, so its post phase
// sees the response after the route's other post filters.
const ORDER = -2;
const EMPTY = Buffer.alloc(0);

/** The whole response body, or null once it went over `limit` bytes (the rest is dropped). */
async function readBounded(body: Readable | Buffer | null, limit: number): Promise<Buffer | null> {
  if (body === null) return EMPTY;
  if (Buffer.isBuffer(body)) return body.length > limit ? null : body;
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer | string>) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      total += bytes.length;
      // Leaving the loop destroys the upstream body.
      if (total > limit) return null;
      chunks.push(bytes);
    }
  } catch (error) {
    throw GatewayErrors.BAD_GATEWAY({ cause: error });
  }
  return Buffer.concat(chunks, total);
}

/**
 * `ModifyResponseBody` — code only, as in Spring (Java DSL
 * `f.modifyResponseBody(String.class, String.class, (exchange, s) -> Mono.just(s.toUpperCase()))`):
 * in its post phase reads the whole upstream body (at most `stratus.gateway.max-buffered-body-bytes`;
 * a larger body is a 502 problem, never a truncated answer), passes it to the rewrite and sends
 * what it returns with a new `Content-Length` (and `Content-Type` when given). The body reaches
 * the rewrite as received: a compressed (`Content-Encoding: gzip`) body arrives compressed.
 * HEAD, 204 and 304 answers have no body and are left alone. A YAML use is a route problem.
 *
 * @example
 * routes().route('wrap', (r) => r.path('/api/**')
 *   .filters((f) => f.modifyResponseBody((exchange, body) => JSON.stringify({ data: JSON.parse(body.toString()) }), 'application/json'))
 *   .uri('lb://API'));
 */
export const modifyResponseBodyFilterFactory: FilterFactory = {
  name: 'ModifyResponseBody',
  shortcutFieldOrder: ['rewriteFunction', 'contentType'],
  // Spring's config names, accepted so that a YAML use gets the code-only problem.
  extraFields: ['inClass', 'outClass'],
  create(args, context) {
    const rewrite = bodyRewriteOf(args, 'ModifyResponseBody', 'modifyResponseBody');
    const contentType = contentTypeOf(args);
    const limit = context.settings.maxBufferedBodyBytes;
    return {
      order: ORDER,
      async post(exchange) {
        const status = exchange.statusCode;
        if (exchange.method === 'HEAD' || status === 204 || status === 304) return;
        const original = await readBounded(exchange.responseBody, limit);
        if (original === null) {
          exchange.responseBody = null;
          throw GatewayErrors.BAD_GATEWAY({
            message: `Upstream response body is larger than the ${limit} bytes ModifyResponseBody may buffer`,
          });
        }
        const body = rewrittenBytes(await rewrite(exchange, original), 'ModifyResponseBody');
        exchange.responseBody = body;
        delete exchange.responseHeaders['transfer-encoding'];
        exchange.responseHeaders['content-length'] = String(body.length);
        if (contentType !== undefined) exchange.responseHeaders['content-type'] = contentType;
      },
    };
  },
};
