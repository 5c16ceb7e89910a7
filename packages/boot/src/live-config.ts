import type { ConfigEnvironment } from '@stratus/config';
import { changedKeys, type LoadedConfiguration } from '@stratus/config';
import type { Logger } from '@stratus/core';
import { BootErrors } from './errors.js';

/** Called after a refresh changed keys; may veto nothing (validation happens before). */
export type ConfigChangeListener = (changed: string[], config: LiveConfig) => void | Promise<void>;

/** Checks a candidate environment; returns problems (empty when valid). */
export type ConfigValidator = (candidate: ConfigEnvironment) => string[];

/**
 * Configuration that updates in place: the `@RefreshScope` analogue. Read values
 * with `get()` each time they are used, or subscribe with `onChange`.
 */
export class LiveConfig {
  #environment: ConfigEnvironment;
  #configServer: LoadedConfiguration['configServer'];
  readonly #listeners = new Set<ConfigChangeListener>();
  readonly #validators = new Set<ConfigValidator>();
  readonly #reload: (previous: LoadedConfiguration) => Promise<LoadedConfiguration>;
  readonly #logger: Logger;
  #refreshing: Promise<string[]> | null = null;

  constructor(
    initial: LoadedConfiguration,
    reload: (previous: LoadedConfiguration) => Promise<LoadedConfiguration>,
    logger: Logger,
  ) {
    this.#environment = initial.environment;
    this.#configServer = initial.configServer;
    this.#reload = reload;
    this.#logger = logger;
  }

  get environment(): ConfigEnvironment {
    return this.#environment;
  }

  get configServer(): LoadedConfiguration['configServer'] {
    return this.#configServer;
  }

  get(key: string, defaultValue?: unknown): unknown {
    return this.#environment.get(key, defaultValue);
  }

  getString(key: string, defaultValue?: string): string | undefined {
    return this.#environment.getString(key, defaultValue);
  }

  getNumber(key: string, defaultValue?: number): number | undefined {
    const value = this.#environment.get(key);
    if (value === undefined || value === null || value === '') return defaultValue;
    const n = Number(value);
    return Number.isFinite(n) ? n : defaultValue;
  }

  getBoolean(key: string, defaultValue?: boolean): boolean | undefined {
    const value = this.#environment.get(key);
    if (value === undefined || value === null || value === '') return defaultValue;
    return String(value).toLowerCase() === 'true';
  }

  getObject(prefix: string): Record<string, unknown> | undefined {
    return this.#environment.getObject(prefix);
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  onChange(listener: ConfigChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Adds a check that every refreshed configuration must pass. */
  addValidator(validator: ConfigValidator): void {
    this.#validators.add(validator);
  }

  /**
   * Reloads every source, validates, swaps atomically and returns the changed
   * keys. Concurrent calls share one reload.
   *
   * @throws StratusError `BOOT_ERR_REFRESH_REJECTED` when a validator objects; nothing changes.
   */
  refresh(): Promise<string[]> {
    this.#refreshing ??= this.#doRefresh().finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  async #doRefresh(): Promise<string[]> {
    let next: LoadedConfiguration;
    try {
      next = await this.#reload({
        environment: this.#environment,
        configServer: this.#configServer,
      });
    } catch (error) {
      this.#logger.warn({ err: error }, 'refresh failed; keeping the previous configuration');
      throw error;
    }
    const problems = [...this.#validators].flatMap((validate) => validate(next.environment));
    if (problems.length > 0) {
      this.#logger.warn({ problems }, 'refresh rejected; keeping the previous configuration');
      throw BootErrors.REFRESH_REJECTED({ details: { problems } });
    }
    const changed = changedKeys(this.#environment.snapshot(), next.environment.snapshot());
    this.#environment = next.environment;
    this.#configServer = next.configServer;
    if (changed.length > 0) {
      this.#logger.info({ changed }, 'configuration refreshed');
      for (const listener of this.#listeners) {
        try {
          await listener(changed, this);
        } catch (error) {
          this.#logger.error({ err: error }, 'configuration change listener failed');
        }
      }
    }
    return changed;
  }
}
