import { GATEWAY_DEFAULTS } from '../defaults.js';
import { GatewayError } from '../errors.js';
import { parseDataSize, readableByteCount } from '../internal/data-size.js';
import type { FilterFactory } from '../internal/types.js';

/** The 413 Spring's RequestSize answers, with its `errorMessage` header. */
export function payloadTooLarge(sizeBytes: number | null, limitBytes: number): GatewayError {
  const message =
    sizeBytes === null
      ? `Request size is larger than permissible limit. Permissible limit is ${readableByteCount(limitBytes)}`
      : `Request size is larger than permissible limit. Request size is ${readableByteCount(sizeBytes)} where permissible limit is ${readableByteCount(limitBytes)}`;
  return new GatewayError('GW_ERR_PAYLOAD_TOO_LARGE', {
    message: 'Request body is larger than the permissible limit',
    headers: { errorMessage: message },
    closeConnection: true,
  });
}

/**
 * `RequestSize=5MB` — requests whose `Content-Length` exceeds `maxSize` get
 * 413; the same limit caps a streamed (chunked) body for this route.
 * Default 5,000,000 bytes, as Spring.
 */
export const requestSizeFilterFactory: FilterFactory = {
  name: 'RequestSize',
  shortcutFieldOrder: ['maxSize'],
  create(args, _context, order) {
    const text = args.string('maxSize');
    const limit =
      text === undefined || text === ''
        ? GATEWAY_DEFAULTS.requestSizeDefaultBytes
        : parseDataSize(text);
    if (limit === null)
      throw new Error(`argument 'maxSize' is not a data size: ${JSON.stringify(text)}`);
    return {
      name: 'RequestSize',
      order,
      pre(exchange) {
        exchange.maxBodyBytes = limit;
        if (exchange.contentLength !== null && exchange.contentLength > limit) {
          throw payloadTooLarge(exchange.contentLength, limit);
        }
      },
    };
  },
};
