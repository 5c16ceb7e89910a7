import type { FlatProperties } from './flatten.js';
import { unflattenProperties } from './flatten.js';
import { environmentVariableCandidates, uniformKey } from './relaxed.js';
import { findUnresolvedPlaceholder, resolvePlaceholders } from './placeholders.js';
import { unresolvedPlaceholderError } from './errors.js';

/** A named, ordered set of flat properties, as Spring's PropertySource. */
export interface PropertySource {
  /** Where the values came from (`file:/app/application.yml`, `configserver:…`). */
  name: string;
  properties: FlatProperties;
  /**
   * Environment variable names (as set, e.g. `ORDER_SERVICE_URL`) → the key of `properties`
   * holding their value. A source with aliases is searched like Spring's
   * `SystemEnvironmentPropertySource`: when relaxed matching misses, the names of
   * {@link environmentVariableCandidates} are tried against them.
   */
  aliases?: Readonly<Record<string, string>>;
}

/** A raw value, the key that holds it and the name of its source. */
export interface RawProperty {
  value: unknown;
  source: string;
  key: string;
}

interface IndexedSource {
  source: PropertySource;
  byUniform: Map<string, string>;
  aliases: Map<string, string> | null;
  /** Alias answers by looked-up key (the environment is immutable), bounded in size. */
  aliasHits: Map<string, string | undefined>;
}

/** Lookups remembered per source; keys may come from requests, so the memo stays small. */
const MAX_ALIAS_MEMO = 512;

/**
 * An immutable view over ordered property sources (index 0 wins), with
 * relaxed key matching and placeholder resolution — Spring's Environment.
 *
 * @example
 * const env = new ConfigEnvironment([{ name: 'cli', properties: { 'server.port': 0 } }], ['dev']);
 * env.getNumber('server.port'); // 0
 */
export class ConfigEnvironment {
  readonly sources: readonly PropertySource[];
  readonly activeProfiles: readonly string[];
  readonly #indexed: IndexedSource[];
  readonly #randomCache: Map<string, string>;

  constructor(
    sources: readonly PropertySource[],
    activeProfiles: readonly string[] = [],
    randomCache: Map<string, string> = new Map(),
  ) {
    this.sources = Object.freeze([...sources]);
    this.activeProfiles = Object.freeze([...activeProfiles]);
    this.#randomCache = randomCache;
    this.#indexed = this.sources.map((source) => {
      const byUniform = new Map<string, string>();
      for (const key of Object.keys(source.properties)) {
        const uniform = uniformKey(key);
        if (!byUniform.has(uniform)) byUniform.set(uniform, key);
      }
      const aliases = source.aliases
        ? new Map(
            Object.entries(source.aliases).filter(([, key]) =>
              Object.hasOwn(source.properties, key),
            ),
          )
        : null;
      return { source, byUniform, aliases, aliasHits: new Map() };
    });
  }

  /** The memo of `${random.*}` values; pass it on to keep them stable on refresh. */
  get randomCache(): Map<string, string> {
    return this.#randomCache;
  }

  /** The raw value (placeholders unresolved) and its source, or undefined. */
  lookupRaw(key: string): RawProperty | undefined {
    const uniform = uniformKey(key);
    for (const indexed of this.#indexed) {
      const { source, byUniform } = indexed;
      const original = byUniform.get(uniform) ?? aliasOf(indexed, key);
      if (original !== undefined) {
        return { value: source.properties[original], source: source.name, key: original };
      }
    }
    return undefined;
  }

  /**
   * The raw value of `key` or, when it has none, the raw values of the keys under it
   * (`key[0]`, `key.name`): what `getList` and `getObject` read, before resolution. A list
   * comes whole from the highest source that defines any element of it.
   */
  rawEntries(key: string): RawProperty[] {
    const direct = this.lookupRaw(key);
    if (direct !== undefined) return [direct];
    const prefix = uniformKey(key);
    const seen = new Set<string>();
    const listOwner = new Map<string, number>();
    const out: RawProperty[] = [];
    this.#indexed.forEach(({ source }, sourceIndex) => {
      for (const [k, value] of Object.entries(source.properties)) {
        const uniform = uniformKey(k);
        if (!uniform.startsWith(`${prefix}.`) && !uniform.startsWith(`${prefix}[`)) continue;
        if (seen.has(uniform)) continue;
        const bracket = uniform.indexOf('[', prefix.length);
        if (bracket !== -1) {
          const owner = listOwner.get(uniform.slice(0, bracket));
          if (owner !== undefined && owner !== sourceIndex) continue;
          listOwner.set(uniform.slice(0, bracket), sourceIndex);
        }
        seen.add(uniform);
        out.push({ value, source: source.name, key: k });
      }
    });
    return out;
  }

  /**
   * Checks that `key` (and the keys under it) resolve completely: a `${name}` without a
   * default that nothing defines fails, as Spring's strict resolver does for settings needed
   * at start-up.
   *
   * @throws StratusError `CFG_ERR_UNRESOLVED_PLACEHOLDER` naming the key, its source and the
   *   placeholder (never the value).
   */
  assertResolvable(key: string): void {
    for (const entry of this.rawEntries(key)) {
      const missing = findUnresolvedPlaceholder(
        entry.value,
        (k) => this.lookupRaw(k)?.value,
        this.#randomCache,
      );
      if (missing !== null)
        throw unresolvedPlaceholderError({ key: entry.key, source: entry.source }, missing);
    }
  }

  has(key: string): boolean {
    return this.lookupRaw(key) !== undefined;
  }

  /** The resolved value of `key`, or `defaultValue` when absent. */
  get(key: string, defaultValue?: unknown): unknown {
    const found = this.lookupRaw(key);
    if (found === undefined) return defaultValue;
    return this.resolve(found.value);
  }

  /** Resolves `${…}` placeholders in a value against this environment. */
  resolve(value: unknown): unknown {
    return resolvePlaceholders(value, (k) => this.lookupRaw(k)?.value, this.#randomCache);
  }

  getString(key: string, defaultValue?: string): string | undefined {
    const value = this.get(key);
    if (value === undefined || value === null) return defaultValue;
    return String(value);
  }

  /**
   * Every key under `prefix`, resolved and rebuilt as a nested object. Lists
   * are replaced whole by the highest source that defines any element, as in
   * Spring Boot; maps merge key by key.
   */
  getObject(prefix: string): Record<string, unknown> | undefined {
    const uniformPrefix = uniformKey(prefix);
    const flat: FlatProperties = {};
    const seen = new Set<string>();
    const listOwner = new Map<string, number>();
    this.#indexed.forEach(({ source }, sourceIndex) => {
      for (const [key, value] of Object.entries(source.properties)) {
        const uniform = uniformKey(key);
        if (
          uniform !== uniformPrefix &&
          !uniform.startsWith(`${uniformPrefix}.`) &&
          !uniform.startsWith(`${uniformPrefix}[`)
        )
          continue;
        if (seen.has(uniform)) continue;
        const rest = key.slice(uniformKeyPrefixLength(key, uniformPrefix));
        const bracket = uniform.indexOf('[', uniformPrefix.length);
        if (bracket !== -1) {
          const listRoot = uniform.slice(0, bracket);
          const owner = listOwner.get(listRoot);
          if (owner !== undefined && owner !== sourceIndex) continue;
          listOwner.set(listRoot, sourceIndex);
        }
        seen.add(uniform);
        flat[rest.replace(/^\./, '') || '$value'] = this.resolve(value);
      }
    });
    if (seen.size === 0) return undefined;
    return unflattenProperties(flat);
  }

  /** All keys with resolved values, highest source winning; for diffs and /actuator/env. */
  snapshot(): Map<string, unknown> {
    const out = new Map<string, unknown>();
    const uniforms = new Set<string>();
    for (const { source } of this.#indexed) {
      for (const [key, value] of Object.entries(source.properties)) {
        const uniform = uniformKey(key);
        if (uniforms.has(uniform)) continue;
        uniforms.add(uniform);
        out.set(key, this.resolve(value));
      }
    }
    return out;
  }
}

function aliasOf(indexed: IndexedSource, key: string): string | undefined {
  if (indexed.aliases === null) return undefined;
  if (indexed.aliasHits.has(key)) return indexed.aliasHits.get(key);
  const found = findAlias(indexed.aliases, key);
  if (indexed.aliasHits.size < MAX_ALIAS_MEMO) indexed.aliasHits.set(key, found);
  return found;
}

/** The property key an environment variable named like Spring would look `key` up holds. */
function findAlias(aliases: Map<string, string>, key: string): string | undefined {
  for (const candidate of environmentVariableCandidates(key)) {
    // Spring Boot also tries the lower-case name (`SpringConfigurationPropertySource`).
    const found = aliases.get(candidate) ?? aliases.get(candidate.toLowerCase());
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Length of the part of `key` that corresponds to a uniform prefix. */
function uniformKeyPrefixLength(key: string, uniformPrefix: string): number {
  let consumed = 0;
  let i = 0;
  while (i < key.length && consumed < uniformPrefix.length) {
    const ch = key[i]!;
    if (ch !== '-' && ch !== '_') consumed++;
    i++;
  }
  return i;
}

/**
 * Keys whose resolved values differ between two snapshots, sorted — the body
 * of Spring's `POST /actuator/refresh`.
 */
export function changedKeys(before: Map<string, unknown>, after: Map<string, unknown>): string[] {
  const out = new Set<string>();
  const norm = (m: Map<string, unknown>) =>
    new Map([...m].map(([k, v]) => [uniformKey(k), { k, v }]));
  const a = norm(before);
  const b = norm(after);
  for (const [u, { k, v }] of b) if (!a.has(u) || !sameValue(a.get(u)!.v, v)) out.add(k);
  for (const [u, { k }] of a) if (!b.has(u)) out.add(k);
  return [...out].sort();
}

function sameValue(x: unknown, y: unknown): boolean {
  return (
    x === y ||
    (x !== null && y !== null && typeof x === 'object' && JSON.stringify(x) === JSON.stringify(y))
  );
}
