import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { SqlFamily } from '../dialects.js';

/** One row of `flyway_schema_history`. */
export interface HistoryRow {
  readonly installedRank: number;
  /** Null for rows without a version (Flyway's repeatable migrations). */
  readonly version: string | null;
  readonly description: string;
  /** `SQL`, `JDBC`, `BASELINE`, … as Flyway writes it. */
  readonly type: string;
  readonly script: string;
  readonly checksum: number | null;
  readonly success: boolean;
}

/** A row to append. */
export type NewHistoryRow = Omit<HistoryRow, 'installedRank'> & {
  readonly installedBy: string;
  readonly executionTimeMs: number;
};

/** Flyway's description and script of the baseline row. */
export const BASELINE_MARKER = '<< Flyway Baseline >>';

/**
 * The schema history table, with Flyway's name, columns and types for each database, so a
 * Java service running Flyway on the same schema reads what Stratus wrote and the other way
 * round: `installed_rank` (primary key), `version`, `description`, `type`, `script`,
 * `checksum` (Flyway's CRC-32), `installed_by`, `installed_on`, `execution_time` (ms),
 * `success`, and the index `<table>_s_idx` on `success`.
 */
export class SchemaHistory {
  readonly #db: Kysely<any>;
  readonly #family: SqlFamily;
  readonly #table: string;

  constructor(db: Kysely<any>, family: SqlFamily, table: string) {
    this.#db = db;
    this.#family = family;
    this.#table = table;
  }

  /** Whether the table exists in the current schema. */
  async exists(): Promise<boolean> {
    return (await this.#tablesIn()).includes(this.#table.toLowerCase());
  }

  /** Whether the current schema holds tables other than the history table. */
  async hasOtherTables(): Promise<boolean> {
    const table = this.#table.toLowerCase();
    return (await this.#tablesIn()).some((name) => name !== table);
  }

  async create(): Promise<void> {
    const t = sql.id(this.#table);
    const index = sql.id(`${this.#table}_s_idx`);
    const time = {
      postgresql: sql`TIMESTAMP NOT NULL DEFAULT now()`,
      mysql: sql`TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP`,
      sqlite: sql`TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now'))`,
    }[this.#family];
    const success = this.#family === 'mysql' ? sql`BOOL` : sql`BOOLEAN`;
    const engine = this.#family === 'mysql' ? sql` ENGINE=InnoDB` : sql``;
    await this.#run(sql`CREATE TABLE ${t} (
      installed_rank INT NOT NULL,
      version VARCHAR(50),
      description VARCHAR(200) NOT NULL,
      type VARCHAR(20) NOT NULL,
      script VARCHAR(1000) NOT NULL,
      checksum INT,
      installed_by VARCHAR(100) NOT NULL,
      installed_on ${time},
      execution_time INT NOT NULL,
      success ${success} NOT NULL,
      CONSTRAINT ${sql.id(`${this.#table}_pk`)} PRIMARY KEY (installed_rank)
    )${engine}`);
    await this.#run(sql`CREATE INDEX ${index} ON ${t} (success)`);
  }

  /** Every row, in installed order. */
  async rows(): Promise<HistoryRow[]> {
    const result = await this.#db
      .selectFrom(this.#table)
      .select(['installed_rank', 'version', 'description', 'type', 'script', 'checksum', 'success'])
      .orderBy('installed_rank')
      .execute();
    return result.map((row) => ({
      installedRank: Number(row.installed_rank),
      version: row.version === null ? null : String(row.version),
      description: String(row.description),
      type: String(row.type),
      script: String(row.script),
      checksum: row.checksum === null ? null : Number(row.checksum),
      success: row.success === true || Number(row.success) === 1,
    }));
  }

  /** Appends `row` after the last one; `db` may be a transaction. */
  async append(row: NewHistoryRow, db: Kysely<any> = this.#db): Promise<void> {
    const last = await db
      .selectFrom(this.#table)
      .select((eb) => eb.fn.max('installed_rank').as('rank'))
      .executeTakeFirst();
    await db
      .insertInto(this.#table)
      .values({
        installed_rank: Number(last?.rank ?? 0) + 1,
        version: row.version,
        description: row.description.slice(0, 200),
        type: row.type,
        script: row.script.slice(0, 1000),
        checksum: row.checksum,
        installed_by: row.installedBy.slice(0, 100),
        execution_time: Math.round(row.executionTimeMs),
        // better-sqlite3 binds no booleans; MySQL's BOOL is a TINYINT.
        success: this.#family === 'postgresql' ? row.success : row.success ? 1 : 0,
      })
      .execute();
  }

  async #tablesIn(): Promise<string[]> {
    const query: RawBuilder<{ name: string }> = {
      sqlite: sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`,
      postgresql: sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema()`,
      mysql: sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = database()`,
    }[this.#family];
    const { rows } = await query.execute(this.#db);
    return rows.map((row) => String(row.name).toLowerCase());
  }

  async #run(statement: RawBuilder<unknown>): Promise<void> {
    await statement.execute(this.#db);
  }
}
