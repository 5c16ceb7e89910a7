import type { FilterFactory, GatewayFilter } from '../internal/types.js';

// Spring's Ordered.HIGHEST_PRECEDENCE, which the seed's LoggingFilter uses.
const HIGHEST_PRECEDENCE = -2147483648;

function loggingFactory(name: string, defaults: { log: boolean; order?: number }): FilterFactory {
  return {
    name,
    shortcutFieldOrder: ['baseMessage', 'preLogger', 'postLogger'],
    create(args, context, order): GatewayFilter {
      const baseMessage = args.string('baseMessage');
      const preLogger = args.boolean('preLogger', defaults.log);
      const postLogger = args.boolean('postLogger', defaults.log);
      const log = context.logger.child({ filter: name });
      return {
        name,
        order: defaults.order ?? order,
        pre(exchange) {
          log.debug({ routeId: exchange.routeId, baseMessage }, 'gateway logging filter');
          if (preLogger)
            log.debug(
              { routeId: exchange.routeId, method: exchange.method },
              'gateway logging filter pre',
            );
        },
        post(exchange) {
          if (postLogger)
            log.debug(
              { routeId: exchange.routeId, status: exchange.statusCode },
              'gateway logging filter post',
            );
        },
      };
    },
  };
}

/** The seed's `LoggingFilter` (args baseMessage, preLogger, postLogger): debug logs only, highest precedence. */
export const loggingFilterFactory = loggingFactory('LoggingFilter', {
  log: false,
  order: HIGHEST_PRECEDENCE,
});
/** The seed's `GlobalFilter` used as a default filter: debug logs only. */
export const globalFilterFactory = loggingFactory('GlobalFilter', { log: false });
/** The seed's `CustomFilter` (no args; logs pre and post): debug logs only. */
export const customFilterFactory = loggingFactory('CustomFilter', { log: true });
