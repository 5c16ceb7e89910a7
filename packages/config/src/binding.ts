import type { Secret } from '@stratus/core';
import type { ConfigEnvironment } from './environment.js';
import { ConfigErrors } from './errors.js';
import { bindSpecs } from './internal/bind-specs.js';
import { findUnknownKeys } from './internal/unknown-keys.js';
import { readList } from './internal/read-list.js';

/** Fields every kind of {@link PropertySpec} has. */
interface SpecBase {
  /** The property's name as Spring writes it (`spring.cloud.config.server.git.timeout`). */
  key: string;
  /** A problem when the property is absent and has no default. @default false */
  required?: boolean;
}

/** A text; `pattern` and `minLength` check it. */
export interface StringSpec extends SpecBase {
  type: 'string';
  default?: string;
  pattern?: RegExp;
  minLength?: number;
}

/** A number (`integer` for whole numbers only), within `min`..`max`. */
export interface NumberSpec extends SpecBase {
  type: 'number';
  default?: number;
  min?: number;
  max?: number;
  integer?: boolean;
}

/** A whole number (Java `int`/`long`), within `min`..`max`. */
export interface IntSpec extends SpecBase {
  type: 'int';
  default?: number;
  min?: number;
  max?: number;
}

/** `true`/`false`, and Spring's other spellings (`on`/`off`, `yes`/`no`, `1`/`0`). */
export interface BooleanSpec extends SpecBase {
  type: 'boolean';
  default?: boolean;
}

/**
 * A Spring Boot duration (`500ms`, `5s`, `PT5S`) bound to milliseconds; a bare number is in
 * `unit` (Spring's `@DurationUnit`). `default`, `min` and `max` are milliseconds.
 */
export interface DurationSpec extends SpecBase {
  type: 'duration';
  default?: number;
  /** @default 'ms' */
  unit?: 'ms' | 's' | 'm' | 'h' | 'd';
  min?: number;
  max?: number;
}

/** A Spring Boot `DataSize` (`10MB`, `512KB`, `100`) bound to bytes; `default`, `min`, `max` in bytes. */
export interface DataSizeSpec extends SpecBase {
  type: 'dataSize';
  default?: number;
  min?: number;
  max?: number;
}

/** A list: a YAML list (`key[0]`, `key[1]`) or a comma-separated text. */
export interface ListSpec extends SpecBase {
  type: 'list';
  default?: readonly string[];
}

/** An absolute http(s) URL. */
export interface UrlSpec extends SpecBase {
  type: 'url';
  default?: string;
}

/**
 * One of `values`, matched as Spring binds enums (case, `-` and `_` ignored); the result is
 * the spelling in `values`.
 */
export interface EnumSpec extends SpecBase {
  type: 'enum';
  values: readonly string[];
  default?: string;
}

/** A password, token or key: bound to a `Secret` and never shown in a problem. */
export interface SecretSpec extends SpecBase {
  type: 'secret';
  minLength?: number;
}

/**
 * The keys under `key` as a map. Without `entries` it is a `Map<String, String>` (nested keys
 * joined with `.`); with `entries` every `key.<name>` is an object bound by those specs, whose
 * keys are relative (`uri` for `…repos.<name>.uri`) — Spring's `Map<String, SomeProperties>`.
 */
export interface MapSpec extends SpecBase {
  type: 'map';
  entries?: Readonly<Record<string, PropertySpec>>;
  default?: Readonly<Record<string, string>>;
}

/**
 * A group of settings under `key`, bound to a nested object (a nested class of Spring's
 * `@ConfigurationProperties`); the keys of `properties` are relative to `key`.
 */
export interface ObjectSpec {
  key: string;
  type: 'object';
  properties: Readonly<Record<string, PropertySpec>>;
}

/** How one property is bound. */
export type PropertySpec =
  | StringSpec
  | NumberSpec
  | IntSpec
  | BooleanSpec
  | DurationSpec
  | DataSizeSpec
  | ListSpec
  | UrlSpec
  | EnumSpec
  | SecretSpec
  | MapSpec
  | ObjectSpec;

type BoundMap<S> = S extends { entries: infer E extends Readonly<Record<string, PropertySpec>> }
  ? Readonly<Record<string, BoundProperties<E>>>
  : Readonly<Record<string, string>>;

/** The TypeScript type a spec binds to. */
export type Bound<S> = S extends { type: 'string' | 'url' }
  ? string
  : S extends { type: 'number' | 'int' | 'duration' | 'dataSize' }
    ? number
    : S extends { type: 'boolean' }
      ? boolean
      : S extends { type: 'list' }
        ? readonly string[]
        : S extends { type: 'enum'; values: readonly (infer V)[] }
          ? V
          : S extends { type: 'secret' }
            ? Secret
            : S extends { type: 'map' }
              ? BoundMap<S>
              : S extends {
                    type: 'object';
                    properties: infer P extends Readonly<Record<string, PropertySpec>>;
                  }
                ? BoundProperties<P>
                : never;

/** The typed, frozen result of `bindProperties`. */
export type BoundProperties<T extends Readonly<Record<string, PropertySpec>>> = {
  readonly [K in keyof T]: T[K] extends
    { required: true } | { default: unknown } | { type: 'object' }
    ? Bound<T[K]>
    : Bound<T[K]> | undefined;
};

/** Options of {@link bindProperties}. */
export interface BindOptions {
  /**
   * Prefixes this binding owns (`stratus.config-server`): any key under one that no spec
   * names is a problem — a typo such as `security.enabeld` is reported with its file instead of
   * being ignored. Leave Spring's own prefixes out: Spring ignores keys it does not know.
   * @default []
   */
  ownedPrefixes?: readonly string[];
}

/**
 * Binds and validates properties in one pass, collecting every problem before failing —
 * Spring's `@ConfigurationProperties` + `@Validated`. Keys match relaxed (`refresh-rate`,
 * `refreshRate`, `REFRESH_RATE`); `''` counts as absent. Each problem names the key and the
 * property source (file) it came from; secrets are never shown. The result and every list and
 * map in it are frozen.
 *
 * @throws StratusError `CFG_ERR_INVALID_CONFIG` (500) whose `details.problems` lists each one.
 * @example
 * const settings = bindProperties(
 *   env,
 *   {
 *     port: { key: 'server.port', type: 'int', default: 0, min: 0, max: 65535 },
 *     timeoutMs: { key: 'stratus.demo.timeout', type: 'duration', unit: 's', default: 5000 },
 *     mode: { key: 'stratus.demo.mode', type: 'enum', values: ['native', 'git'], default: 'native' },
 *     password: { key: 'stratus.demo.password', type: 'secret' },
 *     repos: {
 *       key: 'stratus.demo.repos',
 *       type: 'map',
 *       default: {},
 *       entries: { uri: { key: 'uri', type: 'url', required: true } },
 *     },
 *   },
 *   { ownedPrefixes: ['stratus.demo'] },
 * );
 * settings.timeoutMs; // 5000 (a number, in ms)
 */
export function bindProperties<const T extends Readonly<Record<string, PropertySpec>>>(
  env: ConfigEnvironment,
  specs: T,
  options: BindOptions = {},
): BoundProperties<T> {
  const { value, problems } = bindSpecs(env, specs, '');
  problems.push(...findUnknownKeys(env, specs, options.ownedPrefixes ?? []));
  if (problems.length > 0) {
    throw ConfigErrors.INVALID_CONFIG({
      message: `Invalid configuration:\n  - ${problems.join('\n  - ')}`,
      details: { problems },
    });
  }
  return value as BoundProperties<T>;
}

/**
 * The problems {@link bindProperties} would report, or `[]`: what a refresh validator
 * returns, so an invalid new configuration is refused and the running one stays.
 *
 * @example
 * app.config.addValidator((candidate) => bindingProblems(candidate, SPECS, OPTIONS));
 */
export function bindingProblems(
  env: ConfigEnvironment,
  specs: Readonly<Record<string, PropertySpec>>,
  options: BindOptions = {},
): string[] {
  return [
    ...bindSpecs(env, specs, '').problems,
    ...findUnknownKeys(env, specs, options.ownedPrefixes ?? []),
  ];
}

/** Reads a list property that may be a YAML list (`a[0]`, `a[1]`) or a comma string. */
export function getList(env: ConfigEnvironment, key: string): string[] {
  return readList(env, key) ?? [];
}
