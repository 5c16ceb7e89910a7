import { GATEWAY_DEFAULTS } from '../defaults.js';
import { GatewayErrors, withResponse } from '../errors.js';
import { isHeaderName } from '../internal/headers.js';
import type { FilterFactory } from '../internal/types.js';

/**
 * `RequestHeaderSize=1000B` — a request with any header whose name and values together exceed
 * `maxSize` bytes gets 431, with Spring's message in `errorHeaderName` (default `errorMessage`).
 * Node itself answers 431 above 16 KiB of headers in all (its `maxHeaderSize`).
 */
export const requestHeaderSizeFilterFactory: FilterFactory = {
  name: 'RequestHeaderSize',
  shortcutFieldOrder: ['maxSize'],
  extraFields: ['errorHeaderName'],
  create(args) {
    const maxSize = args.dataSize('maxSize', GATEWAY_DEFAULTS.requestHeaderSizeDefaultBytes);
    const errorHeaderName = args.string('errorHeaderName') || 'errorMessage';
    if (!isHeaderName(errorHeaderName))
      throw new Error(`argument 'errorHeaderName' is not a header name`);
    return {
      pre(exchange) {
        let message: string | null = null;
        const headers = exchange.incomingHeaders;
        for (const name in headers) {
          const value = headers[name];
          if (value === undefined) continue;
          let size = Buffer.byteLength(name);
          for (const item of [value].flat()) size += Buffer.byteLength(item);
          if (size <= maxSize) continue;
          message ??= `Request Header/s size is larger than permissible limit (${maxSize}B).`;
          message += ` Request Header/s size for '${name}' is ${size}B.`;
        }
        if (message !== null)
          throw withResponse(GatewayErrors.HEADERS_TOO_LARGE(), {
            headers: { [errorHeaderName]: message },
          });
      },
    };
  },
};
