import type { GatewayDefinitions, RouteDefinition } from '../route-definition.js';

const EMPTY: GatewayDefinitions = Object.freeze({
  routes: Object.freeze([]),
  defaultFilters: Object.freeze([]),
});

/**
 * The routes a gateway serves: the configured ones (YAML, code), then the ones saved through
 * the actuator (Spring's InMemoryRouteDefinitionRepository), which win on equal ids.
 */
export class RouteRepository {
  #configured: GatewayDefinitions;
  #previous: GatewayDefinitions;
  readonly #saved = new Map<string, RouteDefinition>();

  constructor(configured: GatewayDefinitions | undefined) {
    this.#configured = configured ?? EMPTY;
    this.#previous = this.#configured;
  }

  setConfigured(definitions: GatewayDefinitions): void {
    this.#previous = this.#configured;
    this.#configured = definitions;
  }

  /** Puts back the configured routes replaced by the last `setConfigured`. */
  rollback(): void {
    this.#configured = this.#previous;
  }

  save(definition: RouteDefinition): void {
    this.#saved.set(definition.id, definition);
  }

  delete(id: string): boolean {
    return this.#saved.delete(id);
  }

  definitions(): GatewayDefinitions {
    return this.preview(this.#configured);
  }

  /** What would be served with `configured` instead of the current configured routes. */
  preview(configured: GatewayDefinitions): GatewayDefinitions {
    if (this.#saved.size === 0) return configured;
    const routes = configured.routes.filter((route) => !this.#saved.has(route.id));
    return {
      routes: [...routes, ...this.#saved.values()],
      defaultFilters: configured.defaultFilters,
    };
  }
}
