import { randomBytes } from 'node:crypto';

/** Reads one property as text (a `LiveConfig` or `ConfigEnvironment` `getString` fits). */
export type PropertyLookup = (key: string) => string | undefined;

/** Options of {@link defaultBusId}. */
export interface BusIdOptions {
  /** The port the server bound (Spring's `local.server.port`), once known. */
  localPort?: number;
  /** The random part. @default 32 random hex characters, Spring's `cachedrandom.<app>.value` */
  random?: string;
}

/**
 * The default `spring.cloud.bus.id`, Spring Cloud Bus's `BusEnvironmentPostProcessor` with
 * spring-cloud-commons' `IdUtils` templates:
 * `${vcap.application.name:${spring.application.name:application}}:${vcap.application.instance_index:${spring.application.index:${local.server.port:${server.port:8080}}}}:${vcap.application.instance_id:${cachedrandom.<app>.value}}`,
 * and when `spring.profiles.active` has text the first part is
 * `${vcap.application.name:${spring.application.name:application}:${spring.profiles.active}}`.
 *
 * @example
 * defaultBusId((key) => ({ 'spring.application.name': 'customers' })[key], { localPort: 9000 });
 * // 'customers:9000:7c1f0e2a9b3d4c5e6f708192a3b4c5d6'
 * defaultBusId((key) => ({ 'spring.application.name': 'customers', 'spring.profiles.active': 'dev,mysql' })[key], { localPort: 9000 });
 * // 'customers:dev,mysql:9000:…'
 */
export function defaultBusId(property: PropertyLookup, options: BusIdOptions = {}): string {
  const text = (key: string): string | undefined => {
    const value = property(key);
    return value === undefined || value === '' ? undefined : value;
  };
  const appName = text('spring.application.name') ?? 'application';
  const profiles = text('spring.profiles.active')?.trim();
  const name = text('vcap.application.name') ?? (profiles ? `${appName}:${profiles}` : appName);
  const index =
    text('vcap.application.instance_index') ??
    text('spring.application.index') ??
    (options.localPort !== undefined ? String(options.localPort) : undefined) ??
    text('server.port') ??
    '8080';
  const instance =
    text('vcap.application.instance_id') ?? options.random ?? randomBytes(16).toString('hex');
  return `${name}:${index}:${instance}`;
}
