import type { ConfigEnvironment } from '../environment.js';
import { uniformKey } from '../relaxed.js';
import type { PropertySpec } from '../binding.js';

type Specs = Readonly<Record<string, PropertySpec>>;

/**
 * Sources whose keys no person typed into a file or a flag: any process may carry `STRATUS_*`
 * variables meant for something else.
 */
const UNCHECKED_SOURCES = new Set(['systemEnvironment', 'systemProperties', 'defaults']);

/** Suggestions further than this many edits away are no help. */
const MAX_SUGGESTION_DISTANCE = 3;

/**
 * Every key under an owned prefix that no spec names, once (where it has the highest
 * precedence), naming the key as written, its property source (file) and, for a likely typo,
 * the setting it resembles. Environment variables, system properties and defaults are not
 * checked.
 */
export function findUnknownKeys(
  env: ConfigEnvironment,
  specs: Specs,
  ownedPrefixes: readonly string[],
): string[] {
  if (ownedPrefixes.length === 0) return [];
  const owned = ownedPrefixes.map((prefix) => ({ prefix, uniform: uniformKey(prefix) }));
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const source of env.sources) {
    if (UNCHECKED_SOURCES.has(source.name)) continue;
    for (const [key, value] of Object.entries(source.properties)) {
      const uniform = uniformKey(key);
      const owner = owned.find((o) => uniform.startsWith(`${o.uniform}.`));
      if (owner === undefined || seen.has(uniform) || isKnown(specs, '', uniform, value)) continue;
      seen.add(uniform);
      const suggestion = closestSetting(specs, key);
      problems.push(
        `${key} (${source.name}): not a setting of ${owner.prefix}` +
          (suggestion === null ? '' : `; did you mean ${suggestion}?`),
      );
    }
  }
  return problems;
}

/** Whether `uniform` (a key in uniform form) is named by a spec under `base`. */
function isKnown(specs: Specs, base: string, uniform: string, value: unknown): boolean {
  for (const spec of Object.values(specs)) {
    const key = base === '' ? uniformKey(spec.key) : `${base}.${uniformKey(spec.key)}`;
    const isEmptyMap = value === '' || value === null;
    if (uniform === key && (spec.type !== 'object' || isEmptyMap)) return true;
    // An empty YAML map on the way to a setting (`security: {}`) flattens to ''.
    if (key.startsWith(`${uniform}.`) && isEmptyMap) return true;
    const isUnder = uniform.startsWith(`${key}.`) || uniform.startsWith(`${key}[`);
    if (!isUnder) continue;
    if (spec.type === 'object' && isKnown(spec.properties, key, uniform, value)) return true;
    if (spec.type === 'list' || (spec.type === 'map' && spec.entries === undefined)) return true;
    if (spec.type === 'map' && spec.entries !== undefined) {
      const name = /^[^.[]+/.exec(uniform.slice(key.length + 1))?.[0];
      if (name === undefined) continue;
      const entry = `${key}.${name}`;
      if (uniform === entry || isKnown(spec.entries, entry, uniform, value)) return true;
    }
  }
  return false;
}

/** The setting `key` most likely meant, spelled as Spring writes it, or `null`. */
function closestSetting(specs: Specs, key: string): string | null {
  const uniform = uniformKey(key);
  // A short name is a typo of another only when very close: `nope` is not `mode`.
  const lastSegment = uniform.slice(uniform.lastIndexOf('.') + 1);
  const allowed = Math.min(MAX_SUGGESTION_DISTANCE, Math.floor(lastSegment.length / 3));
  let best: { name: string; distance: number } | null = null;
  for (const candidate of candidateNames(specs, '', key)) {
    const distance = editDistance(uniformKey(candidate), uniform);
    if (distance <= allowed && (best === null || distance < best.distance))
      best = { name: candidate, distance };
  }
  return best?.name ?? null;
}

/** Every setting name; a map's entries under the map name `key` uses, if it uses one. */
function candidateNames(specs: Specs, base: string, key: string): string[] {
  const names: string[] = [];
  for (const spec of Object.values(specs)) {
    const name = base === '' ? spec.key : `${base}.${spec.key}`;
    if (spec.type === 'object') {
      names.push(...candidateNames(spec.properties, name, key));
      continue;
    }
    names.push(name);
    if (spec.type !== 'map' || spec.entries === undefined) continue;
    const entryName = key.split('.')[name.split('.').length];
    if (entryName !== undefined)
      names.push(...candidateNames(spec.entries, `${name}.${entryName}`, key));
  }
  return names;
}

/** Levenshtein distance; both texts are property names, so short. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length]!;
}
