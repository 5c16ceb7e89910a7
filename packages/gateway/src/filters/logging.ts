import { HIGHEST_PRECEDENCE } from '../filter-api.js';
import type { FilterFactory } from '../internal/types.js';

interface SeedFilterMessages {
  readonly base: string;
  readonly pre: string;
  readonly post: string;
}

/**
 * The seed's logging filters, at info as its `log.info` calls. Messages are constant; the
 * request id, base message and status are fields.
 */
function seedLoggingFactory(
  name: string,
  messages: SeedFilterMessages,
  defaults: { logs: boolean; order?: number },
): FilterFactory {
  return {
    name,
    shortcutFieldOrder: ['baseMessage', 'preLogger', 'postLogger'],
    create(args, context) {
      const baseMessage = args.string('baseMessage') ?? null;
      const preLogger = args.boolean('preLogger', defaults.logs);
      const postLogger = args.boolean('postLogger', defaults.logs);
      const log = context.logger.child({ component: `gateway.filter.${name}` });
      return {
        ...(defaults.order === undefined ? {} : { order: defaults.order }),
        pre(exchange) {
          if (baseMessage !== null)
            log.info({ routeId: exchange.routeId, baseMessage }, messages.base);
          if (preLogger)
            log.info({ routeId: exchange.routeId, requestId: exchange.requestId }, messages.pre);
        },
        post(exchange) {
          if (postLogger)
            log.info({ routeId: exchange.routeId, status: exchange.statusCode }, messages.post);
        },
      };
    },
  };
}

/** The seed's `LoggingFilter` (baseMessage, preLogger, postLogger) at `Ordered.HIGHEST_PRECEDENCE`. */
export const loggingFilterFactory = seedLoggingFactory(
  'LoggingFilter',
  { base: 'Logging Filter baseMessage', pre: 'Logging PRE Filter', post: 'Logging POST Filter' },
  { logs: false, order: HIGHEST_PRECEDENCE },
);
/** The seed's `GlobalFilter`, used as a default filter. */
export const globalFilterFactory = seedLoggingFactory(
  'GlobalFilter',
  { base: 'Global Filter baseMessage', pre: 'Global Filter Start', post: 'Global Filter End' },
  { logs: false },
);
/** The seed's `CustomFilter` (no args needed; logs pre and post). */
export const customFilterFactory = seedLoggingFactory(
  'CustomFilter',
  { base: 'Custom Filter baseMessage', pre: 'Custom PRE filter', post: 'Custom POST filter' },
  { logs: true },
);
