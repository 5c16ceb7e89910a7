import { StratusError, isStratusError, type StratusErrorOptions } from './stratus-error.js';

/** One row of a package's error table. */
export interface ErrorDefinition {
  /** HTTP status of the problem document. */
  readonly status: number;
  /** Short, constant title (RFC 9457 `title`); the per-case text goes in `message`. */
  readonly title: string;
  /** Whether a caller may retry. @default status >= 500 */
  readonly retryable?: boolean;
  /** Default `detail` when a throw gives no `message`. @default the title */
  readonly message?: string;
}

/** What a throw site may add: the case's text, safe details and the cause. */
export interface ErrorInit extends StratusErrorOptions {
  /**
   * A title for this occurrence, where a shipped wire answer gives one code several titles
   * (Spring's `NOT_FOUND` "No public key available"). Prefer a row of its own for new cases.
   * @default the row's title
   */
  title?: string;
  /**
   * The status for this occurrence, where a row stands for a family of answers (the 4xx the
   * HTTP layer chose for an unreadable request). Prefer a row of its own for new cases.
   * @default the row's status
   */
  status?: number;
}

/** Makes the error of one table row; also names its code and recognises it. */
export interface ErrorFactory<Code extends string = string> {
  (init?: ErrorInit): StratusError & { readonly code: Code };
  /** The full code, e.g. `REG_ERR_INSTANCE_NOT_FOUND`. */
  readonly code: Code;
  readonly status: number;
  readonly title: string;
  /** The `detail` when a throw gives no `message`: the row's message, else its title. */
  readonly message: string;
  /** True when `error` is a StratusError with this code (from any copy of core). */
  is(error: unknown): error is StratusError & { readonly code: Code };
}

/** A package's error table, one factory per row. */
export type ErrorTable<Prefix extends string, Rows extends Record<string, ErrorDefinition>> = {
  readonly [Row in keyof Rows & string]: ErrorFactory<`${Prefix}_ERR_${Row}`>;
};

/** The areas of STYLE.md, plus the CLI's and the shared core's. */
const AREAS = new Set([
  'CORE',
  'BOOT',
  'CFG',
  'REG',
  'GW',
  'MSG',
  'HTTP',
  'RES',
  'OBS',
  'SHOP',
  'CLI',
  'DISC',
  'DB',
]);

// Every code defined in this process, so that two tables never claim one code for different
// errors (a shipped code is never reused). Kept on globalThis: duplicate copies of core share it.
const DEFINED_KEY = Symbol.for('stratus.error-codes');
const defined: Map<string, string> = ((globalThis as Record<symbol, unknown>)[DEFINED_KEY] ??=
  new Map<string, string>()) as Map<string, string>;

/**
 * Defines a package's errors in one table, as fastify's `createError` does: each row becomes a
 * factory `Table.ROW(init)` that builds a `StratusError` with code `<PREFIX>_ERR_<ROW>`.
 *
 * @throws Error when the prefix is not a known area, a row name is not UPPER_SNAKE, or a code is
 *   already defined differently elsewhere in the process (programming errors, found at import).
 * @example
 * export const RegistryErrors = defineErrors('REG', {
 *   INSTANCE_NOT_FOUND: { status: 404, title: 'Instance not found' },
 * });
 * throw RegistryErrors.INSTANCE_NOT_FOUND({ message: `No instance ${id} of ${app}`, details: { app } });
 * if (RegistryErrors.INSTANCE_NOT_FOUND.is(error)) reply.code(404);
 */
export function defineErrors<
  const Prefix extends string,
  const Rows extends Record<string, ErrorDefinition>,
>(prefix: Prefix, rows: Rows): ErrorTable<Prefix, Rows> {
  if (!AREAS.has(prefix)) throw new Error(`defineErrors: unknown area '${prefix}'`);
  const table: Record<string, ErrorFactory> = {};
  for (const [row, definition] of Object.entries(rows)) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(row)) throw new Error(`defineErrors: bad row name '${row}'`);
    const code = `${prefix}_ERR_${row}`;
    const signature = `${definition.status} ${definition.title}`;
    const previous = defined.get(code);
    if (previous !== undefined && previous !== signature)
      throw new Error(`defineErrors: ${code} is already defined as '${previous}'`);
    defined.set(code, signature);
    table[row] = makeFactory(code, definition);
  }
  return Object.freeze(table) as ErrorTable<Prefix, Rows>;
}

function makeFactory(code: string, definition: ErrorDefinition): ErrorFactory {
  const factory = ({ title, status, ...init }: ErrorInit = {}) =>
    new StratusError(code, status ?? definition.status, title ?? definition.title, {
      ...init,
      message: init.message ?? definition.message,
      retryable: definition.retryable,
    });
  return Object.assign(factory, {
    code,
    status: definition.status,
    title: definition.title,
    message: definition.message ?? definition.title,
    is: (error: unknown): error is StratusError => isStratusError(error) && error.code === code,
  }) as ErrorFactory;
}
