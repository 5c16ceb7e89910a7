import { headerNameArg } from '../internal/header-args.js';
import { isHeaderValue } from '../internal/headers.js';
import { compileJavaRegex } from '../internal/java-regex.js';
import type { FilterFactory } from '../internal/types.js';

const MODES = ['NEVER_STRIP', 'AS_IN_REQUEST', 'ALWAYS_STRIP'] as const;
const VERSIONED_PATH = /^\/v\d+\/.*/;

/**
 * `RewriteLocationResponseHeader=AS_IN_REQUEST, Location, , ` — replaces the upstream's
 * `host:port` in `Location` with the request's `Host` (or `hostValue`), and strips a `/v1`
 * version prefix unless the request path had one (`stripVersion`), for `protocols` matching
 * `https?|ftps?`. reliability.md §1.5: upstream locations pointing at internal hosts stop
 * leaking to clients.
 */
export const rewriteLocationResponseHeaderFilterFactory: FilterFactory = {
  name: 'RewriteLocationResponseHeader',
  shortcutFieldOrder: ['stripVersion', 'locationHeaderName', 'hostValue', 'protocols'],
  create(args) {
    const mode = (args.string('stripVersion') || 'AS_IN_REQUEST').toUpperCase();
    if (!(MODES as readonly string[]).includes(mode))
      throw new Error(`argument 'stripVersion' must be one of ${MODES.join(', ')}`);
    const headerName =
      args.has('locationHeaderName') && args.string('locationHeaderName') !== ''
        ? headerNameArg(args, 'locationHeaderName')
        : 'location';
    const hostValue = args.string('hostValue') || null;
    if (hostValue !== null && !/^[A-Za-z0-9.\-[\]:]+$/.test(hostValue))
      throw new Error(`argument 'hostValue' is not a host[:port]: ${JSON.stringify(hostValue)}`);
    const protocols = args.string('protocols') || 'https?|ftps?';
    const hostPort = compileJavaRegex(`(?<=^(?:${protocols})://)[^:/]+(?::\\d+)?(?=/)`);
    const hostPortVersion = compileJavaRegex(
      `(?<=^(?:${protocols})://)[^:/]+(?::\\d+)?(?:/v\\d+)?(?=/)`,
    );
    return {
      post(exchange) {
        const location = exchange.responseHeaders[headerName];
        const host = hostValue ?? exchange.incomingHeaders.host;
        if (typeof location !== 'string' || host === undefined || !isHeaderValue(host)) return;
        const strip =
          mode === 'ALWAYS_STRIP' ||
          (mode === 'AS_IN_REQUEST' && !VERSIONED_PATH.test(exchange.originalPath));
        exchange.responseHeaders[headerName] = location.replace(
          strip ? hostPortVersion : hostPort,
          () => host,
        );
      },
    };
  },
};
