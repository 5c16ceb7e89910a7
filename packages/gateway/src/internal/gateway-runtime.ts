import type { Clock, Logger } from '@stratus/core';
import type { LoadBalancer } from '@stratus/discovery';
import { GatewayErrors, problemsOf } from '../errors.js';
import type { GatewayDefinitions } from '../route-definition.js';
import {
  isResolvedSettings,
  resolveGatewaySettings,
  type GatewaySettings,
  type GatewaySettingsInput,
} from '../settings.js';
import { assertValidTable, compileRouteTable } from './compile.js';
import type { GatewayState } from './handler.js';
import { INTERNAL_FORWARD_HEADER } from './internal-forward.js';
import { droppedHeadersOf } from './request-headers.js';
import { RouteRepository } from './route-repository.js';
import { ownedHeadersOf, reportProblems, servicesFor, type StaticServices } from './services.js';
import type { CompiledFilter, FilterFactory, PredicateFactory, RouteTable } from './types.js';

type SettingsInput = GatewaySettingsInput | GatewaySettings | undefined;

/** What the runtime compiles with. */
export interface RuntimeOptions {
  readonly filterFactories: ReadonlyMap<string, FilterFactory>;
  readonly predicateFactories: ReadonlyMap<string, PredicateFactory>;
  readonly globalFilters: readonly CompiledFilter[];
  readonly services: StaticServices;
  readonly loadBalancer: LoadBalancer | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Resolved settings from code input, or the same object when already resolved. */
export const settingsFrom = (input: SettingsInput, current?: GatewaySettings): GatewaySettings =>
  input === undefined && current !== undefined
    ? current
    : isResolvedSettings(input)
      ? input
      : resolveGatewaySettings(input as GatewaySettingsInput | undefined);

function lbProblems(table: RouteTable, loadBalancer: LoadBalancer | undefined): string[] {
  if (loadBalancer !== undefined) return [];
  return table.routes
    .filter((route) => route.target.kind === 'lb')
    .map((route) => `routes (${route.id}).uri: lb:// needs a load balancer (discovery is off)`);
}

/**
 * The routes and settings a gateway serves, replaced whole: a refresh compiles a new state
 * and swaps it in only when it has no problem, so requests in flight finish on the old one.
 */
export class GatewayRuntime {
  readonly #options: RuntimeOptions;
  readonly repository: RouteRepository;
  #state: GatewayState;

  /**
   * @throws StratusError `GW_ERR_INVALID_OPTIONS` when `lb://` routes have no load balancer.
   */
  constructor(
    definitions: GatewayDefinitions | undefined,
    settings: GatewaySettings,
    options: RuntimeOptions,
  ) {
    this.#options = options;
    this.repository = new RouteRepository(definitions);
    this.#state = this.#build(this.repository.definitions(), settings, false);
    const missing = lbProblems(this.#state.table, options.loadBalancer);
    if (missing.length > 0)
      throw GatewayErrors.INVALID_OPTIONS({
        message: 'lb:// routes need the loadBalancer option',
        details: { problems: missing },
      });
    reportProblems(options.logger, this.#state.table.problems);
  }

  get state(): GatewayState {
    return this.#state;
  }

  #build(
    definitions: GatewayDefinitions,
    settings: GatewaySettings,
    validateOnly: boolean,
  ): GatewayState {
    const { clock, logger } = this.#options;
    const services = servicesFor(settings, this.#options.services, clock);
    const table = compileRouteTable(definitions, {
      filterFactories: this.#options.filterFactories,
      predicateFactories: this.#options.predicateFactories,
      globalFilters: this.#options.globalFilters,
      services,
      settings,
      clock,
      logger,
      validateOnly,
    });
    const missing = lbProblems(table, this.#options.loadBalancer);
    const checked =
      missing.length === 0 ? table : { ...table, problems: [...table.problems, ...missing] };
    const ownedHeaders = ownedHeadersOf(settings, INTERNAL_FORWARD_HEADER);
    return {
      settings,
      table: checked,
      services,
      ownedHeaders,
      droppedHeaders: droppedHeadersOf(ownedHeaders),
    };
  }

  /**
   * Compiles `definitions` (the repository's when absent) with `settings` and swaps it in.
   *
   * @throws StratusError `GW_ERR_INVALID_ROUTE` / `GW_ERR_INVALID_OPTIONS`; nothing changes then.
   */
  apply(definitions: GatewayDefinitions | undefined, settings: SettingsInput): void {
    const resolved = settingsFrom(settings, this.#state.settings);
    if (resolved.redis !== null && this.#state.settings.redis === null)
      this.#options.logger.warn(
        {},
        'spring.data.redis settings apply at the next start; rate limits stay in memory',
      );
    if (definitions !== undefined) this.repository.setConfigured(definitions);
    try {
      const next = this.#build(this.repository.definitions(), resolved, false);
      assertValidTable(next.table);
      this.#state = next;
    } catch (error) {
      if (definitions !== undefined) this.repository.rollback();
      throw error;
    }
    this.#options.logger.info(
      { routes: this.#state.table.routes.length },
      'gateway routes replaced',
    );
  }

  /** The problems {@link apply} would report. */
  validate(definitions: GatewayDefinitions | undefined, settings: SettingsInput): string[] {
    try {
      const resolved = settingsFrom(settings, this.#state.settings);
      const candidate =
        definitions === undefined
          ? this.repository.definitions()
          : this.repository.preview(definitions);
      return [...this.#build(candidate, resolved, true).table.problems];
    } catch (error) {
      const problems = problemsOf(error);
      return problems.length > 0 ? problems : [(error as Error).message];
    }
  }
}
