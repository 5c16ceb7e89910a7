import { compileCidrs } from '../internal/cidr.js';
import type { PredicateFactory } from '../internal/types.js';

/** `RemoteAddr=192.168.1.1/24, 10.0.0.7` — the socket peer is in one of the CIDRs. */
export const remoteAddrPredicateFactory: PredicateFactory = {
  name: 'RemoteAddr',
  shortcutFieldOrder: ['sources'],
  shortcutType: 'GATHER_LIST',
  listFields: ['sources'],
  create(args) {
    const sources = args.list('sources');
    if (sources.length === 0) throw new Error('at least one source is required');
    const matches = compileCidrs(sources);
    return (context) => matches(context.peerAddress);
  },
};
