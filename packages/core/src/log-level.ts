/** pino's level names, `silent` being Spring's `OFF`. */
export type PinoLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** Spring Boot's `LogLevel` names, as `logging.level.*` and `/actuator/loggers` spell them. */
export const SPRING_LOG_LEVELS: readonly string[] = [
  'TRACE',
  'DEBUG',
  'INFO',
  'WARN',
  'ERROR',
  'FATAL',
  'OFF',
];

const BY_NAME: Readonly<Record<string, PinoLevel>> = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  error: 'error',
  fatal: 'fatal',
  off: 'silent',
  silent: 'silent',
};

/**
 * Parses a level the way Spring Boot binds `LogLevel`: case-insensitive names, and `false`
 * as `OFF` (YAML 1.1 reads an unquoted `off` as a boolean). Returns `null` for anything else.
 *
 * @example
 * parseLogLevel('DEBUG'); // 'debug'
 * parseLogLevel('off');   // 'silent'
 */
export function parseLogLevel(value: unknown): PinoLevel | null {
  if (value === false) return 'silent';
  if (typeof value !== 'string') return null;
  const name = value.trim().toLowerCase();
  return name === 'false' ? 'silent' : (BY_NAME[name] ?? null);
}

/** The Spring name of a pino level (`silent` → `OFF`). */
export function springLevelName(level: string): string {
  return level === 'silent' ? 'OFF' : level.toUpperCase();
}

/** Relaxed form of one dotted logger name: lower case, `-` and `_` ignored per segment. */
export function normalizeLoggerName(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

/**
 * Effective levels by logger name with Logback's hierarchy: the most specific dotted prefix
 * that has a level wins (`com.example` covers `com.example.web`), else the root level.
 */
export class LevelTree {
  readonly root: PinoLevel;
  readonly #named: ReadonlyMap<string, PinoLevel>;
  readonly #cache = new Map<string, PinoLevel>();

  /** `named` maps logger names (any case, relaxed) to levels; `root` is `logging.level.root`. */
  constructor(root: PinoLevel, named: Iterable<readonly [string, PinoLevel]> = []) {
    this.root = root;
    const map = new Map<string, PinoLevel>();
    for (const [name, level] of named) map.set(normalizeLoggerName(name), level);
    this.#named = map;
  }

  /** The level configured for exactly `name`, or undefined. */
  configured(name: string): PinoLevel | undefined {
    return this.#named.get(normalizeLoggerName(name));
  }

  /** The level that applies to `name`: its own, its nearest configured ancestor's, or root. */
  levelFor(name: string | undefined): PinoLevel {
    if (name === undefined || name === '' || this.#named.size === 0) return this.root;
    const cached = this.#cache.get(name);
    if (cached !== undefined) return cached;
    let candidate = normalizeLoggerName(name);
    let level: PinoLevel | undefined;
    for (;;) {
      level = this.#named.get(candidate);
      if (level !== undefined) break;
      const dot = candidate.lastIndexOf('.');
      if (dot <= 0) break;
      candidate = candidate.slice(0, dot);
    }
    const effective = level ?? this.root;
    if (this.#cache.size < 10_000) this.#cache.set(name, effective);
    return effective;
  }

  /** Configured names and their levels (normalised names). */
  entries(): IterableIterator<[string, PinoLevel]> {
    return this.#named.entries();
  }
}
