import type { FilterFactory } from '../internal/types.js';

/** The exchange attribute CacheRequestBody puts the body in. */
export const CACHED_REQUEST_BODY_OBJECT = 'cachedRequestBodyObject';

// The body classes Stratus converts to: text and raw bytes. Anything else would need a codec.
const BODY_CLASSES: Readonly<Record<string, 'string' | 'bytes'>> = Object.freeze({
  'java.lang.String': 'string',
  String: 'string',
  'byte[]': 'bytes',
  '[B': 'bytes',
});

/**
 * `CacheRequestBody=java.lang.String` (bodyClass) — reads the whole request body before the
 * upstream call, bounded by the route's body limit (over it: the 413 `RequestSize` gives), and
 * keeps it in the exchange attributes under `cachedRequestBodyObject`: a string (UTF-8) for
 * `java.lang.String`, a Buffer for `byte[]` (`[B`). The same bytes are sent upstream, with a
 * `Content-Length`. An empty body caches nothing, as in Spring; an attribute already there is
 * kept.
 *
 * @example
 * // YAML: filters: [{ name: CacheRequestBody, args: { bodyClass: java.lang.String } }]
 * routes().route('cache', (r) => r.path('/orders/**').filters((f) => f.cacheRequestBody('java.lang.String')).uri('lb://ORDERS'));
 * // a later filter: exchange.attributes.get('cachedRequestBodyObject')
 */
export const cacheRequestBodyFilterFactory: FilterFactory = {
  name: 'CacheRequestBody',
  shortcutFieldOrder: ['bodyClass'],
  create(args) {
    const bodyClass = args.required('bodyClass').trim();
    const kind = BODY_CLASSES[bodyClass];
    if (kind === undefined)
      throw new Error(
        `argument 'bodyClass' must be java.lang.String or byte[], got ${JSON.stringify(bodyClass)}`,
      );
    return {
      async pre(exchange) {
        if (exchange.attributes.has(CACHED_REQUEST_BODY_OBJECT)) return;
        const body = await exchange.readRequestBody();
        if (body.length === 0) return;
        exchange.attributes.set(
          CACHED_REQUEST_BODY_OBJECT,
          kind === 'string' ? body.toString('utf8') : body,
        );
      },
    };
  },
};
