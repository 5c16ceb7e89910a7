import type { GatewayFilterFactory, RoutePredicateFactory } from '../filter-api.js';
import type { ArgSpec, BoundArgs } from './bind-args.js';
import type { FilterFactory, PredicateFactory } from './types.js';

const NAME = /^[A-Za-z][A-Za-z0-9]*$/;

/** The arg schema of a typed factory: its shortcut order plus every field of its config. */
function specOf(factory: GatewayFilterFactory | RoutePredicateFactory): {
  spec: ArgSpec;
  defaults: Record<string, unknown>;
} {
  if (!NAME.test(factory.name))
    throw new Error(`factory name ${JSON.stringify(factory.name)} is not a valid name`);
  const defaults = factory.newConfig() as Record<string, unknown>;
  const fields = Object.keys(defaults);
  return {
    defaults,
    spec: {
      shortcutFieldOrder: factory.shortcutFieldOrder?.() ?? [],
      shortcutType: factory.shortcutType?.() ?? 'DEFAULT',
      extraFields: fields,
      listFields: fields.filter((field) => Array.isArray(defaults[field])),
    },
  };
}

/**
 * Binds args onto a fresh config, each field converted to the type of its default (boolean,
 * number, string[], else string), as Spring binds `args` onto the factory's Config class.
 */
function bindConfig<C extends object>(factory: { newConfig(): C }, args: BoundArgs): C {
  const config = factory.newConfig() as Record<string, unknown>;
  for (const [field, fallback] of Object.entries(config)) {
    if (!args.has(field)) continue;
    if (typeof fallback === 'boolean') config[field] = args.boolean(field, fallback);
    else if (typeof fallback === 'number') config[field] = args.number(field, fallback);
    else if (Array.isArray(fallback)) config[field] = args.list(field);
    else config[field] = args.string(field);
  }
  return config as C;
}

/** Adapts a typed filter factory to the gateway's factory table. */
export function adaptFilterFactory(factory: GatewayFilterFactory): FilterFactory {
  const { spec } = specOf(factory);
  return {
    name: factory.name,
    ...spec,
    create: (args, context) => factory.apply(bindConfig(factory, args), context),
  };
}

/** Adapts a typed predicate factory to the gateway's factory table. */
export function adaptPredicateFactory(factory: RoutePredicateFactory): PredicateFactory {
  const { spec } = specOf(factory);
  return {
    name: factory.name,
    ...spec,
    create: (args, context) => factory.apply(bindConfig(factory, args), context),
  };
}
