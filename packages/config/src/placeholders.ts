import { randomBytes, randomInt, randomUUID } from 'node:crypto';

/** Looks up a raw (unresolved) property value by key. */
export type PropertyLookup = (key: string) => unknown;

const MAX_DEPTH = 32;

/**
 * Resolves `${key}` and `${key:default}` placeholders (nested allowed) and
 * Spring's `${random.*}` values. Text is never evaluated as code. A
 * placeholder that cannot be resolved is left as it is, as Spring's
 * non-strict resolver does. Random values are memoised in `randomCache` so a
 * value stays stable for the life of the process (across refreshes).
 */
export function resolvePlaceholders(
  value: unknown,
  lookup: PropertyLookup,
  randomCache: Map<string, string> = new Map(),
  depth = 0,
): unknown {
  return resolveWith(value, { lookup, randomCache, onMissing: () => undefined }, depth);
}

/**
 * The name of the first `${name}` in `value` that nothing resolves and that has no default
 * (looking through nested placeholders and referenced values), or `null` when every one resolves.
 * Spring's strict resolver (`ignoreUnresolvablePlaceholders=false`) fails on the same ones.
 *
 * @example
 * findUnresolvedPlaceholder('file://${user.home}/${repo}', (k) => ({ 'user.home': '/h' })[k]); // 'repo'
 */
export function findUnresolvedPlaceholder(
  value: unknown,
  lookup: PropertyLookup,
  randomCache: Map<string, string> = new Map(),
): string | null {
  let missing: string | null = null;
  resolveWith(value, { lookup, randomCache, onMissing: (name) => (missing ??= name) }, 0);
  return missing;
}

interface Resolution {
  lookup: PropertyLookup;
  randomCache: Map<string, string>;
  onMissing: (name: string) => void;
}

function resolveWith(value: unknown, context: Resolution, depth: number): unknown {
  if (typeof value !== 'string' || !value.includes('${')) return value;
  if (depth > MAX_DEPTH) return value;
  let out = '';
  let i = 0;
  while (i < value.length) {
    const start = value.indexOf('${', i);
    if (start === -1) {
      out += value.slice(i);
      break;
    }
    out += value.slice(i, start);
    const end = findClosingBrace(value, start + 2);
    if (end === -1) {
      out += value.slice(start);
      break;
    }
    const body = value.slice(start + 2, end);
    const resolved = resolveBody(body, context, depth);
    out += resolved ?? value.slice(start, end + 1);
    i = end + 1;
  }
  // A whole-string placeholder keeps the referenced value's type (number, boolean).
  return out;
}

function resolveBody(body: string, context: Resolution, depth: number): string | null {
  const separator = findDefaultSeparator(body);
  const rawKey = separator === -1 ? body : body.slice(0, separator);
  const key = String(resolveWith(rawKey, context, depth + 1)).trim();
  if (key.startsWith('random.')) {
    const random = randomValue(key, context.randomCache);
    if (random === null) context.onMissing(key);
    return random;
  }
  // A reference cycle (`a: ${b}`, `b: ${a}`) ends here and counts as unresolved.
  const found = depth < MAX_DEPTH ? context.lookup(key) : undefined;
  if (found !== undefined && found !== null) {
    return String(resolveWith(found, context, depth + 1));
  }
  if (separator === -1) {
    context.onMissing(key);
    return null;
  }
  return String(resolveWith(body.slice(separator + 1), context, depth + 1));
}

function findClosingBrace(text: string, from: number): number {
  let nested = 0;
  for (let i = from; i < text.length; i++) {
    if (text.startsWith('${', i)) {
      nested++;
      i++;
    } else if (text[i] === '}') {
      if (nested === 0) return i;
      nested--;
    }
  }
  return -1;
}

function findDefaultSeparator(body: string): number {
  let nested = 0;
  for (let i = 0; i < body.length; i++) {
    if (body.startsWith('${', i)) {
      nested++;
      i++;
    } else if (body[i] === '}') nested--;
    else if (body[i] === ':' && nested === 0) return i;
  }
  return -1;
}

function randomValue(key: string, cache: Map<string, string>): string | null {
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  let value: string | null;
  const range = /^random\.(int|long)[([](-?\d+)(?:,(-?\d+))?[)\]]$/.exec(key);
  if (key === 'random.value') value = randomBytes(16).toString('hex');
  else if (key === 'random.uuid') value = randomUUID();
  else if (key === 'random.int') value = String(randomInt(-(2 ** 31), 2 ** 31 - 1));
  else if (key === 'random.long') value = String(randomInt(0, 2 ** 47));
  else if (range) {
    const [low, high] =
      range[3] === undefined ? [0, Number(range[2])] : [Number(range[2]), Number(range[3])];
    value = high > low ? String(randomInt(low, high)) : null;
  } else value = null;
  if (value !== null) cache.set(key, value);
  return value;
}
