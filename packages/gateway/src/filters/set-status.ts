import { requireStatus } from '../internal/http-status.js';
import type { FilterFactory } from '../internal/types.js';

/**
 * `SetStatus=UNAUTHORIZED` (or `401`) — the client gets this status whatever the upstream
 * answered; with `set-status.original-status-header-name` the upstream's status goes in that
 * header (Spring sets it in the post phase, as here).
 */
export const setStatusFilterFactory: FilterFactory = {
  name: 'SetStatus',
  shortcutFieldOrder: ['status'],
  create(args, context) {
    const status = requireStatus(args.string('status'), 'status');
    const originalHeader = context.settings.originalStatusHeaderName;
    return {
      post(exchange) {
        if (originalHeader !== null && exchange.statusCode !== 0 && exchange.statusCode !== status)
          exchange.responseHeaders[originalHeader] = String(exchange.statusCode);
        exchange.statusCode = status;
      },
    };
  },
};
