import { pino, type Logger } from 'pino';

const { chindingsSym } = pino.symbols;
const MAX_NAMES = 1000;

type WithChindings = Logger & { [chindingsSym]?: string };

/**
 * The `component` a child logger adds over its parent, or undefined when it adds none
 * (request loggers and other children that keep their parent's name). Reads pino's serialized
 * bindings, so a child costs a string comparison, not a parse, unless it names a component.
 */
export function ownComponent(child: Logger): string | undefined {
  const parent = Object.getPrototypeOf(child) as WithChindings | null;
  const all = (child as WithChindings)[chindingsSym] ?? '';
  const inherited = parent?.[chindingsSym] ?? '';
  if (!all.startsWith(inherited)) return undefined;
  const added = all.slice(inherited.length);
  if (!added.includes('"component":')) return undefined;
  try {
    const value = (JSON.parse(`{${added.slice(1)}}`) as { component?: unknown }).component;
    return value === undefined || value === null ? undefined : String(value);
  } catch {
    return undefined;
  }
}

/**
 * Child loggers that name a component, held weakly: their levels are set by name (Spring's
 * hierarchy), while children that add no component follow their parent's level through pino's
 * prototype chain.
 */
export class ComponentLoggers {
  readonly #refs = new Set<WeakRef<Logger>>();
  readonly #names = new WeakMap<Logger, string>();
  readonly #seen = new Set<string>();
  #pruneAt = 256;

  add(logger: Logger, name: string): void {
    this.#names.set(logger, name);
    this.#refs.add(new WeakRef(logger));
    if (this.#seen.size < MAX_NAMES) this.#seen.add(name);
    if (this.#refs.size >= this.#pruneAt) {
      this.#prune();
      this.#pruneAt = Math.max(256, this.#refs.size * 2);
    }
  }

  /** Calls `fn` with every live component logger and its name. */
  forEach(fn: (logger: Logger, name: string) => void): void {
    for (const ref of this.#refs) {
      const logger = ref.deref();
      if (logger === undefined) this.#refs.delete(ref);
      else fn(logger, this.#names.get(logger) ?? '');
    }
  }

  /** Component names seen so far (at most 1000), sorted. */
  names(): string[] {
    return [...this.#seen].sort();
  }

  #prune(): void {
    for (const ref of this.#refs) if (ref.deref() === undefined) this.#refs.delete(ref);
  }
}
