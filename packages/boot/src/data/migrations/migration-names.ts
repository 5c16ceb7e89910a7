/** The version and description of a migration, parsed from its name. */
export interface MigrationName {
  /** Dotted (`1`, `1.1`, `2.0.3`), as Flyway stores it. */
  readonly version: string;
  /** Words, as Flyway stores them (`add order index`). */
  readonly description: string;
}

const FLYWAY_VERSIONED = /^V(\d+(?:[._]\d+)*)__(.+?)(?:\.sql)?$/;
/** kysely-style names of the first Stratus release: `0001_orders`. */
const FIRST_RELEASE = /^(\d+)_([^_].*)$/;

/**
 * Parses a migration's file or key name the way Flyway does: `V1__init.sql`, `V1_1__add_index`,
 * `V2.1__seed` (version parts split by `.` or `_`, description after `__`, `_` read as spaces).
 * The first release's `0001_orders` reads as version 1. Returns null for anything else.
 *
 * @example
 * parseMigrationName('V1_1__add_order_index.sql'); // { version: '1.1', description: 'add order index' }
 */
export function parseMigrationName(name: string): MigrationName | null {
  const flyway = FLYWAY_VERSIONED.exec(name);
  if (flyway) return { version: flyway[1]!.replace(/_/g, '.'), description: words(flyway[2]!) };
  const first = FIRST_RELEASE.exec(name);
  if (first) return { version: String(Number(first[1])), description: words(first[2]!) };
  return null;
}

function words(text: string): string {
  return text.replace(/_/g, ' ');
}

/** Compares two dotted versions part by part, as numbers (`1.10` after `1.9`; `1` equals `1.0`). */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(BigInt);
  const right = b.split('.').map(BigInt);
  for (let i = 0; i < Math.max(left.length, right.length); i += 1) {
    const x = left[i] ?? 0n;
    const y = right[i] ?? 0n;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
