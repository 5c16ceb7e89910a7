import type { GatewayExchange } from '../exchange.js';
import { bodyRewriteOf, contentTypeOf, rewrittenBytes } from '../internal/body-rewrites.js';
import type { FilterFactory } from '../internal/types.js';

/**
 * `ModifyRequestBody` — code only, as in Spring (Java DSL
 * `f.modifyRequestBody(String.class, String.class, (exchange, s) -> Mono.just(s.toUpperCase()))`):
 * reads the whole request body (bounded by the route's body limit: over it, the 413
 * `RequestSize` gives and nothing reaches the upstream), passes it to the rewrite and sends what
 * it returns with a new `Content-Length` (and `Content-Type` when given). The rewrite runs once
 * per request: a Retry sends the same rewritten bytes on every attempt. A YAML use is a route
 * problem.
 *
 * @example
 * routes().route('upper', (r) => r.path('/echo/**')
 *   .filters((f) => f.modifyRequestBody((exchange, body) => body.toString().toUpperCase(), 'text/plain'))
 *   .uri('lb://ECHO'));
 */
export const modifyRequestBodyFilterFactory: FilterFactory = {
  name: 'ModifyRequestBody',
  shortcutFieldOrder: ['rewriteFunction', 'contentType'],
  // Spring's config names, accepted so that a YAML use gets the code-only problem.
  extraFields: ['inClass', 'outClass'],
  create(args) {
    const rewrite = bodyRewriteOf(args, 'ModifyRequestBody', 'modifyRequestBody');
    const contentType = contentTypeOf(args);
    // Retry re-runs the chain: the first attempt's result is sent again, not rewritten twice.
    const rewritten = new WeakMap<GatewayExchange, Buffer>();
    return {
      async pre(exchange) {
        let body = rewritten.get(exchange);
        if (body === undefined) {
          const original = await exchange.readRequestBody();
          body = rewrittenBytes(await rewrite(exchange, original), 'ModifyRequestBody');
          rewritten.set(exchange, body);
        }
        exchange.setRequestBody(body);
        if (contentType !== undefined) exchange.requestHeaders['content-type'] = contentType;
      },
    };
  },
};
