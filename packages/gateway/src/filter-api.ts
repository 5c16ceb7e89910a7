import type { Clock, Logger } from '@stratus/core';
import type { GatewayExchange, PredicateContext } from './exchange.js';
import type { GatewaySettings } from './settings.js';

/** Spring's `Ordered.HIGHEST_PRECEDENCE`: runs first in the pre phase, last in the post phase. */
export const HIGHEST_PRECEDENCE = -2147483648;
/** Spring's `Ordered.LOWEST_PRECEDENCE`. */
export const LOWEST_PRECEDENCE = 2147483647;

/** The rest of the filter chain, as Spring's `GatewayFilterChain`. */
export interface GatewayFilterChain {
  /** Runs the remaining filters and the upstream call (again, if called again: Retry does). */
  filter(exchange: GatewayExchange): Promise<void>;
}

/**
 * A route or global filter. Write `pre`/`post` for the common case (cheapest), or `filter` to
 * wrap the rest of the chain as Spring's `GatewayFilter.filter(exchange, chain)` does.
 */
export interface GatewayFilter {
  /**
   * Position (Spring's `Ordered`): lower runs earlier in the pre phase and later in the post
   * phase. @default the filter's 1-based position in its route's list (global filters: 0)
   */
  readonly order?: number;
  /** Runs before the upstream call; throw a StratusError or call `exchange.respond` to answer instead. */
  pre?(exchange: GatewayExchange): void | Promise<void>;
  /** Runs after the upstream answered, before the response headers are written. */
  post?(exchange: GatewayExchange): void | Promise<void>;
  /** Wraps the rest of the chain; takes precedence over `pre`/`post`. */
  filter?(exchange: GatewayExchange, chain: GatewayFilterChain): Promise<void>;
}

/** A filter applied to every route (Spring's `GlobalFilter` + `Ordered`). */
export interface GlobalFilter extends GatewayFilter {
  /** A name for `/actuator/gateway/globalfilters`. */
  readonly name: string;
  readonly order: number;
}

/**
 * Rewrites a whole request or response body (`modifyRequestBody` / `modifyResponseBody` of the
 * route builder; Spring's `RewriteFunction`). The returned string is sent as UTF-8.
 */
export type BodyRewrite = (
  exchange: GatewayExchange,
  body: Buffer,
) => Buffer | string | Promise<Buffer | string>;

/** A compiled route predicate. */
export type RoutePredicate = (context: PredicateContext) => boolean;

/** What a factory may use when a route is compiled. */
export interface FactoryContext {
  /** The id of the route being compiled (or `default-filters`). */
  readonly routeId: string;
  /** Unique per route of one table (route ids may repeat). */
  readonly routeKey: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings: GatewaySettings;
}

/** How shortcut arguments (`_genkey_N`) map to fields (spring-wire.md §5.1). */
export type ShortcutType = 'DEFAULT' | 'GATHER_LIST' | 'GATHER_LIST_TAIL_FLAG';

/** A value bound onto a config field: scalars, or lists for array fields. */
export type ConfigValue = string | number | boolean | string[] | undefined;

/**
 * A filter factory with a typed config (Spring's `GatewayFilterFactory<C>`), usable from YAML
 * in both forms. {@link AbstractGatewayFilterFactory} implements it; a plain object does too.
 */
export interface GatewayFilterFactory<C extends object = object> {
  /** The name routes use (`AddRequestHeader`, `LoggingFilter`). */
  readonly name: string;
  /** Field names in shortcut order. @default [] */
  shortcutFieldOrder?(): string[];
  /** @default 'DEFAULT' */
  shortcutType?(): ShortcutType;
  /** A config holding every field with its default; its value types drive conversion. */
  newConfig(): C;
  /** Builds the filter for one route. */
  apply(config: C, context: FactoryContext): GatewayFilter;
}

/** A predicate factory with a typed config (Spring's `RoutePredicateFactory<C>`). */
export interface RoutePredicateFactory<C extends object = object> {
  readonly name: string;
  shortcutFieldOrder?(): string[];
  shortcutType?(): ShortcutType;
  newConfig(): C;
  apply(config: C, context: FactoryContext): RoutePredicate;
}

/**
 * A user's filter factory with a typed config, registered by name as Spring registers
 * `AbstractGatewayFilterFactory` beans. Arguments from YAML (shortcut or `name`/`args`) are
 * bound onto a copy of {@link newConfig}'s object by relaxed name, converted to the type of the
 * default value there (boolean, number, string, string[]); an unknown argument is an error.
 *
 * @example
 * class LoggingFilter extends AbstractGatewayFilterFactory<{ baseMessage: string; preLogger: boolean; postLogger: boolean }> {
 *   newConfig() { return { baseMessage: '', preLogger: false, postLogger: false }; }
 *   shortcutFieldOrder() { return ['baseMessage', 'preLogger', 'postLogger']; }
 *   apply(config, context) {
 *     return { order: HIGHEST_PRECEDENCE, pre: () => context.logger.info({ baseMessage: config.baseMessage }, 'Logging Filter baseMessage') };
 *   }
 * }
 */
export abstract class AbstractGatewayFilterFactory<
  C extends object,
> implements GatewayFilterFactory<C> {
  /**
   * The name routes use: the class name without a `GatewayFilterFactory` suffix, as Spring's
   * `NameUtils.normalizeFilterFactoryName` derives it (`MyGatewayFilterFactory` → `My`).
   */
  get name(): string {
    return this.constructor.name.replace(/GatewayFilterFactory$/, '');
  }
  /** Field names in shortcut order. @default [] */
  shortcutFieldOrder(): string[] {
    return [];
  }
  /** @default 'DEFAULT' */
  shortcutType(): ShortcutType {
    return 'DEFAULT';
  }
  /** A config holding every field with its default. */
  abstract newConfig(): C;
  /** Builds the filter for one route. */
  abstract apply(config: C, context: FactoryContext): GatewayFilter;
}

/** A user's predicate factory, bound like {@link AbstractGatewayFilterFactory}. */
export abstract class AbstractRoutePredicateFactory<
  C extends object,
> implements RoutePredicateFactory<C> {
  /** The class name without a `RoutePredicateFactory` suffix. */
  get name(): string {
    return this.constructor.name.replace(/RoutePredicateFactory$/, '');
  }
  shortcutFieldOrder(): string[] {
    return [];
  }
  shortcutType(): ShortcutType {
    return 'DEFAULT';
  }
  abstract newConfig(): C;
  abstract apply(config: C, context: FactoryContext): RoutePredicate;
}
