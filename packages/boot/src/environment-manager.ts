import { ConfigEnvironment, type LoadedConfiguration } from '@stratus/config';

/** Name of the property source holding properties set at run time, as Spring names it. */
export const MANAGER_SOURCE = 'manager';

/** Most properties held; a bus event that would pass it is refused. */
export const MAX_MANAGED_PROPERTIES = 1000;

/**
 * Properties set while the application runs (spring-cloud-context's `EnvironmentManager`, what
 * `/actuator/busenv` and an `EnvironmentChangeRemoteApplicationEvent` write): one `manager`
 * property source above every other, kept across refreshes.
 */
export class EnvironmentManager {
  #properties: Readonly<Record<string, string>> = {};

  /** The properties set so far. */
  get properties(): Readonly<Record<string, string>> {
    return this.#properties;
  }

  /**
   * Adds `values` (a later value for a key wins) and returns the function that puts the
   * previous properties back, for a refresh that rejected them.
   *
   * @throws RangeError when more than {@link MAX_MANAGED_PROPERTIES} properties would be held.
   */
  set(values: Readonly<Record<string, string>>): () => void {
    const previous = this.#properties;
    const next = { ...previous, ...values };
    if (Object.keys(next).length > MAX_MANAGED_PROPERTIES)
      throw new RangeError(`at most ${MAX_MANAGED_PROPERTIES} properties can be set at run time`);
    this.#properties = Object.freeze(next);
    return () => {
      this.#properties = previous;
    };
  }

  /** `loaded` with the `manager` source first, when any property is set. */
  applyTo(loaded: LoadedConfiguration): LoadedConfiguration {
    if (Object.keys(this.#properties).length === 0) return loaded;
    const { environment } = loaded;
    const sources = environment.sources.filter((source) => source.name !== MANAGER_SOURCE);
    return {
      ...loaded,
      environment: new ConfigEnvironment(
        [{ name: MANAGER_SOURCE, properties: { ...this.#properties } }, ...sources],
        environment.activeProfiles,
        environment.randomCache,
      ),
    };
  }
}
