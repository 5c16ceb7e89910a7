import type { KindProperties, PropertyLayer } from '../config/properties.js';
import { registrySettingsOf, resolveLayers, type RegistrySettings } from '../config/build.js';
import type { PolicyKind, ResilienceEvent } from '../events.js';
import { InvalidResilienceConfigError } from '../errors.js';
import type { PolicyRuntime } from '../runtime.js';
import { EventBuffer } from './event-buffer.js';

/** What every policy offers a registry. */
export interface Policy {
  readonly name: string;
  onEvent(listener: (event: ResilienceEvent) => void): () => void;
  close(): Promise<void>;
}

/** How one kind of policy is configured and built. */
export interface KindAdapter<P extends Policy, C> {
  readonly kind: PolicyKind;
  /** Settings from property layers; pushes problems and returns undefined when they do not build. */
  fromLayers(layers: readonly PropertyLayer[], label: string, problems: string[]): C | undefined;
  /** Settings from code (a partial config); throws InvalidResilienceConfigError. */
  fromInput(input: unknown): C;
  create(name: string, config: C, runtime: PolicyRuntime): P;
  /** Applies new settings in place when the kind can (the bulkhead); false to replace instead. */
  update?(policy: P, config: C): boolean;
}

/**
 * Where an instance's settings come from when it has no `instances.<name>` block (which always
 * wins): `configs.default`; the first of `configNames` under `configs` (Spring Cloud
 * CircuitBreaker), else a code default; or code.
 */
export type Recipe =
  | { readonly source: 'properties' }
  | {
      readonly source: 'named';
      readonly configNames: readonly string[];
      readonly fallback?: unknown;
    }
  | { readonly source: 'code'; readonly input: unknown };

interface Entry<P> {
  policy: P;
  fingerprint: string;
  settings: RegistrySettings;
  readonly recipe: Recipe;
  readonly tags: Readonly<Record<string, string>>;
  unsubscribe: () => void;
}

interface Planned<C> {
  readonly config: C;
  readonly fingerprint: string;
  readonly settings: RegistrySettings;
}

const NO_LAYERS: readonly PropertyLayer[] = [];

/** The instances of one kind: created from properties or code, rebuilt when their settings change. */
export class PolicyTable<P extends Policy, C> {
  readonly #adapter: KindAdapter<P, C>;
  readonly #runtime: () => PolicyRuntime;
  readonly #emit: (event: ResilienceEvent) => void;
  readonly #onInstancesChanged: () => void;
  readonly #entries = new Map<string, Entry<P>>();
  readonly #buffers = new Map<string, EventBuffer<ResilienceEvent>>();
  #props: KindProperties;

  constructor(
    adapter: KindAdapter<P, C>,
    props: KindProperties,
    runtime: () => PolicyRuntime,
    emit: (event: ResilienceEvent) => void,
    onInstancesChanged: () => void = () => {},
  ) {
    this.#adapter = adapter;
    this.#props = props;
    this.#runtime = runtime;
    this.#emit = emit;
    this.#onInstancesChanged = onInstancesChanged;
  }

  get properties(): KindProperties {
    return this.#props;
  }

  /** Checks every `configs` and `instances` block of `props`; returns the problems. */
  static validate<P extends Policy, C>(
    adapter: KindAdapter<P, C>,
    props: KindProperties,
  ): string[] {
    const problems: string[] = [];
    for (const section of ['configs', 'instances'] as const) {
      for (const [name, layer] of props[section]) {
        const label = `resilience4j.${adapter.kind}.${section}.${name}`;
        try {
          adapter.fromLayers(resolveLayers(adapter.kind, props, name, layer), label, problems);
        } catch (error) {
          problems.push(`${label}: ${(error as Error).message}`);
        }
      }
    }
    return problems;
  }

  /** The instance `name`, created on first use from `recipe`. */
  get(
    name: string,
    recipe: Recipe = { source: 'properties' },
    tags: Readonly<Record<string, string>> = {},
  ): P {
    const existing = this.#entries.get(name);
    if (existing) return existing.policy;
    const plan = this.#plan(name, recipe);
    const policy = this.#adapter.create(name, plan.config, { ...this.#runtime(), tags });
    const entry: Entry<P> = { policy, ...plan, recipe, tags, unsubscribe: () => {} };
    this.#subscribe(entry);
    this.#entries.set(name, entry);
    this.#onInstancesChanged();
    return policy;
  }

  find(name: string): P | undefined {
    return this.#entries.get(name)?.policy;
  }

  /** Every instance, sorted by name as the actuator lists them. */
  all(): P[] {
    return [...this.#entries.keys()].sort().map((name) => this.#entries.get(name)!.policy);
  }

  settingsOf(name: string): RegistrySettings | undefined {
    return this.#entries.get(name)?.settings;
  }

  events(name?: string): ResilienceEvent[] {
    if (name !== undefined) return this.#buffers.get(name)?.items() ?? [];
    return [...this.#buffers.values()].flatMap((buffer) => buffer.items());
  }

  /** Creates the instances listed under `instances`, as Spring Boot does at start-up. */
  createListed(): void {
    for (const name of this.#props.instances.keys()) this.get(name);
  }

  /**
   * Switches to `props`: instances whose settings changed are rebuilt (state starts afresh) or,
   * for the bulkhead, changed in place; the others keep their state.
   *
   * @returns the names that changed.
   */
  reconfigure(props: KindProperties): string[] {
    this.#props = props;
    const changed: string[] = [];
    for (const [name, entry] of this.#entries) {
      const plan = this.#plan(name, entry.recipe);
      entry.settings = plan.settings;
      if (plan.fingerprint === entry.fingerprint) continue;
      changed.push(name);
      entry.fingerprint = plan.fingerprint;
      if (this.#adapter.update?.(entry.policy, plan.config)) continue;
      entry.unsubscribe();
      void entry.policy.close();
      entry.policy = this.#adapter.create(name, plan.config, {
        ...this.#runtime(),
        tags: entry.tags,
      });
      this.#subscribe(entry);
    }
    this.createListed();
    if (changed.length > 0) this.#onInstancesChanged();
    return changed;
  }

  async close(): Promise<void> {
    for (const entry of this.#entries.values()) {
      entry.unsubscribe();
      await entry.policy.close();
    }
  }

  #plan(name: string, recipe: Recipe): Planned<C> {
    const label = `resilience4j.${this.#adapter.kind}.instances.${name}`;
    const own = this.#props.instances.get(name);
    let layers: readonly PropertyLayer[] | undefined;
    if (own !== undefined) {
      layers = resolveLayers(this.#adapter.kind, this.#props, name, own);
    } else if (recipe.source === 'code') {
      return this.#fromCode(recipe.input, 'code');
    } else if (recipe.source === 'named') {
      const configName = recipe.configNames.find((candidate) => this.#props.configs.has(candidate));
      if (configName !== undefined) {
        const config = this.#props.configs.get(configName);
        layers = resolveLayers(this.#adapter.kind, this.#props, configName, config);
      } else if (recipe.fallback !== undefined) {
        return this.#fromCode(recipe.fallback, 'fallback');
      }
    }
    layers ??= this.#defaultLayers();
    const problems: string[] = [];
    const config = this.#adapter.fromLayers(layers, label, problems);
    if (config === undefined || problems.length > 0)
      throw new InvalidResilienceConfigError(problems);
    return { config, fingerprint: JSON.stringify(layers), settings: registrySettingsOf(layers) };
  }

  #fromCode(input: unknown, fingerprint: string): Planned<C> {
    const settings = registrySettingsOf(this.#defaultLayers());
    return { config: this.#adapter.fromInput(input), fingerprint, settings };
  }

  #defaultLayers(): readonly PropertyLayer[] {
    const defaults = this.#props.configs.get('default');
    return defaults
      ? resolveLayers(this.#adapter.kind, this.#props, 'default', defaults)
      : NO_LAYERS;
  }

  #subscribe(entry: Entry<P>): void {
    const name = entry.policy.name;
    let buffer = this.#buffers.get(name);
    if (!buffer) {
      buffer = new EventBuffer(entry.settings.eventConsumerBufferSize);
      this.#buffers.set(name, buffer);
    } else {
      buffer.capacity = entry.settings.eventConsumerBufferSize;
    }
    const target = buffer;
    entry.unsubscribe = entry.policy.onEvent((event) => {
      target.push(event);
      this.#emit(event);
    });
  }
}
