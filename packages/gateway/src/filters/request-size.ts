import { GATEWAY_DEFAULTS } from '../defaults.js';
import { GatewayErrors, withResponse } from '../errors.js';
import { readableByteCount } from '../internal/data-size.js';
import type { FilterFactory } from '../internal/types.js';

/** The 413 Spring's RequestSize answers, with its `errorMessage` header; the connection is closed. */
export function payloadTooLarge(sizeBytes: number | null, limitBytes: number) {
  const message =
    sizeBytes === null
      ? `Request size is larger than permissible limit. Permissible limit is ${readableByteCount(limitBytes)}`
      : `Request size is larger than permissible limit. Request size is ${readableByteCount(sizeBytes)} where permissible limit is ${readableByteCount(limitBytes)}`;
  return withResponse(
    GatewayErrors.PAYLOAD_TOO_LARGE({
      message: 'Request body is larger than the permissible limit',
    }),
    { headers: { errorMessage: message }, closeConnection: true },
  );
}

/**
 * `RequestSize=5MB` — requests whose `Content-Length` exceeds `maxSize` get 413; the same limit
 * caps a streamed (chunked) body for this route. Default 5,000,000 bytes, as Spring.
 */
export const requestSizeFilterFactory: FilterFactory = {
  name: 'RequestSize',
  shortcutFieldOrder: ['maxSize'],
  create(args) {
    const limit = args.dataSize('maxSize', GATEWAY_DEFAULTS.requestSizeDefaultBytes);
    return {
      pre(exchange) {
        exchange.maxBodyBytes = limit;
        if (exchange.contentLength !== null && exchange.contentLength > limit) {
          throw payloadTooLarge(exchange.contentLength, limit);
        }
      },
    };
  },
};
