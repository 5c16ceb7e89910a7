/** Media type of the origin-tracking Environment (`{ value, origin }` values). */
export const ENVIRONMENT_V2_MEDIA_TYPE = 'application/vnd.spring-cloud.config-server.v2+json';

/** One property source of an {@link Environment}: flat keys (`a.b[0]`) to JSON-typed values. */
export interface PropertySource {
  /** Where the values come from, e.g. `file:/srv/config/foo-dev.yml`. */
  name: string;
  /** Flat properties; with the v2 media type each value is `{ value, origin }`. */
  source: Record<string, unknown>;
}

/**
 * Spring Cloud Config's Environment JSON (spring-wire.md §2.2). `propertySources[0]` has the
 * highest precedence.
 */
export interface Environment {
  /** The application name as requested (after `(_)` → `/`). */
  name: string;
  /** The requested profiles, split on commas. */
  profiles: string[];
  /** The requested label, or `null`. */
  label: string | null;
  /** Backend version (git SHA); `null` for the native backend. */
  version: string | null;
  /** Backend state (Vault only); `null` otherwise. */
  state: string | null;
  propertySources: PropertySource[];
}

/** A backend that finds the configuration of one application, profile list and label. */
export interface EnvironmentRepository {
  /**
   * May answer the same frozen object again while the backing files or commit are unchanged:
   * renderings are cached by it, so a repository must never change one it returned.
   *
   * @param application one name or a comma-separated list (later names win)
   * @param profiles active profiles; the last has the highest precedence. Empty means `default`.
   * @param label a label (branch or folder), or `null` for none
   */
  findOne(
    application: string,
    profiles: readonly string[],
    label: string | null,
  ): Promise<Environment>;
}
