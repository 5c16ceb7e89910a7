import { GATEWAY_DEFAULTS } from '../defaults.js';
import { compileCidrs } from '../internal/cidr.js';
import { forwardedForHops } from '../internal/client-address.js';
import type { PredicateFactory } from '../internal/types.js';

/**
 * `XForwardedRemoteAddr=20.103.252.85, 2a01:111:2050::/44` — the `X-Forwarded-For` hop at
 * `maxTrustedIndex` from the right (default 1: the proxy in front of the gateway) is in one of
 * the CIDRs, as Spring's `XForwardedRemoteAddressResolver.maxTrustedIndex`. Unlike Spring, the
 * header is only believed when the socket peer is one of `trusted-proxies`: from anyone else it
 * is the client's own text, and the socket address is checked instead.
 */
export const xForwardedRemoteAddrPredicateFactory: PredicateFactory = {
  name: 'XForwardedRemoteAddr',
  shortcutFieldOrder: ['sources'],
  shortcutType: 'GATHER_LIST',
  listFields: ['sources'],
  extraFields: ['maxTrustedIndex'],
  create(args) {
    const sources = args.list('sources');
    if (sources.length === 0) throw new Error('at least one source is required');
    const maxTrustedIndex = args.integer(
      'maxTrustedIndex',
      GATEWAY_DEFAULTS.xForwardedMaxTrustedIndex,
    );
    if (maxTrustedIndex < 1) throw new Error("argument 'maxTrustedIndex' must be greater than 0");
    const matches = compileCidrs(sources);
    return (context) => {
      const hops = context.isTrustedPeer ? forwardedForHops(context.headers) : [];
      const address =
        hops.length === 0
          ? context.peerAddress
          : (hops[Math.max(0, hops.length - maxTrustedIndex)] as string);
      return matches(address);
    };
  },
};
