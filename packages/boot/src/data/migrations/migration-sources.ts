import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { BootErrors } from '../../errors.js';
import type { SqlFamily } from '../dialects.js';
import { flywayChecksum } from './checksum.js';
import { compareVersions, parseMigrationName } from './migration-names.js';
import { replacePlaceholders, splitStatements } from './sql-script.js';

/** What a typed migration learns about the database it runs on. */
export interface MigrationContext {
  /** `sqlite`, `postgresql` or `mysql` (MySQL and MariaDB). */
  readonly dialect: SqlFamily;
}

/**
 * A migration written in TypeScript (Flyway's Java-based migration), keyed by a Flyway name
 * (`V2__seed_products`). `up` runs once, inside the migration's transaction where the database
 * has transactional DDL.
 */
export interface TypedMigration {
  up(db: Kysely<any>, context: MigrationContext): Promise<void>;
  /**
   * Recorded in the history and compared on later starts, as a Java migration's
   * `getChecksum()`. @default null (not checked)
   */
  readonly checksum?: number;
}

/** A migration ready to run: from a SQL file or a typed one. */
export interface ResolvedMigration {
  readonly version: string;
  readonly description: string;
  /** The file name (`V1__init.sql`) or the typed migration's key. */
  readonly script: string;
  /** Flyway's `type`: `SQL` for scripts, `JDBC` (Java-based) for typed migrations. */
  readonly type: 'SQL' | 'JDBC';
  readonly checksum: number | null;
  run(db: Kysely<any>): Promise<void>;
}

/** What {@link resolveMigrations} reads. */
export interface MigrationSources {
  /** Folders of `V<version>__<description>.sql` files (resolved `spring.flyway.locations`). */
  readonly folders: readonly string[];
  readonly typed: Readonly<Record<string, TypedMigration>>;
  readonly family: SqlFamily;
  /** `spring.flyway.placeholders.*`, or null when `placeholder-replacement` is off. */
  readonly placeholders: Readonly<Record<string, string>> | null;
  /** Flyway's built-in placeholders (`table`, `database`, `user`). */
  readonly builtIns: Readonly<Record<string, string>>;
}

/**
 * Finds the migrations: every `V…__….sql` under the folders (a missing folder holds none) and
 * the typed ones, in version order.
 *
 * @throws StratusError `BOOT_ERR_DATASOURCE` for two migrations with one version, a typed
 *   migration whose key is not a Flyway name, or a repeatable (`R__`) or undo (`U…`) script.
 */
export function resolveMigrations(sources: MigrationSources): ResolvedMigration[] {
  const found: ResolvedMigration[] = [];
  for (const folder of sources.folders)
    for (const file of sqlFiles(folder)) found.push(sqlMigration(folder, file, sources));
  for (const [key, migration] of Object.entries(sources.typed))
    found.push(typedMigration(key, migration, sources.family));
  found.sort((a, b) => compareVersions(a.version, b.version));
  for (let i = 1; i < found.length; i += 1) {
    if (compareVersions(found[i - 1]!.version, found[i]!.version) === 0)
      throw BootErrors.DATASOURCE({
        message: `Found more than one migration with version ${found[i]!.version}: ${found[i - 1]!.script} and ${found[i]!.script}`,
        details: { migration: found[i]!.script },
      });
  }
  return found;
}

function sqlFiles(folder: string): string[] {
  if (!existsSync(folder)) return [];
  const files: string[] = [];
  for (const entry of readdirSync(folder).sort()) {
    const path = join(folder, entry);
    if (statSync(path).isDirectory()) files.push(...sqlFiles(path).map((f) => join(entry, f)));
    else if (entry.endsWith('.sql')) files.push(entry);
  }
  return files;
}

function sqlMigration(folder: string, file: string, sources: MigrationSources): ResolvedMigration {
  const base = file.split(/[\\/]/).pop()!;
  if (/^(R|U\d)/.test(base))
    throw BootErrors.DATASOURCE({
      message: `Migration ${file}: repeatable (R__) and undo (U) scripts are not supported; write a new V script`,
      details: { migration: base },
    });
  const name = parseMigrationName(base);
  if (name === null || !base.startsWith('V'))
    throw BootErrors.DATASOURCE({
      message: `Migration ${relative(process.cwd(), join(folder, file))}: expected a name like V1__init.sql`,
      details: { migration: base },
    });
  const text = readFileSync(join(folder, file), 'utf8');
  return {
    ...name,
    script: base,
    type: 'SQL',
    checksum: flywayChecksum(text),
    async run(db) {
      const script =
        sources.placeholders === null
          ? text
          : replacePlaceholders(text, sources.placeholders, sources.builtIns, base);
      for (const statement of splitStatements(script)) await sql.raw(statement).execute(db);
    },
  };
}

function typedMigration(key: string, migration: TypedMigration, family: SqlFamily): ResolvedMigration {
  const name = parseMigrationName(key);
  if (name === null || typeof migration?.up !== 'function')
    throw BootErrors.DATASOURCE({
      message: `Migration ${key}: expected a key like V2__seed_products and an up(db) function`,
      details: { migration: key },
    });
  return {
    ...name,
    script: key,
    type: 'JDBC',
    checksum: typeof migration.checksum === 'number' ? migration.checksum : null,
    run: (db) => migration.up(db, { dialect: family }),
  };
}
