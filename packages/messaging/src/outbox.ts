import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { createSilentLogger, systemClock, type Clock, type Logger } from '@stratus/core';
import { OUTBOX_DEFAULTS } from './defaults.js';
import { messagingError } from './errors.js';
import { normalizeOutgoing } from './internal/message.js';
import type { OutgoingMessage, Transport } from './transport.js';

/** Table holding messages written with business changes, waiting for the relay. */
export const OUTBOX_TABLE = 'stratus_outbox';
/** Table holding the relay lease, so only one relay of a database publishes at a time. */
export const OUTBOX_LEASE_TABLE = 'stratus_outbox_lease';

// Stored in the headers column only, stripped before publishing: marks a Buffer
// payload kept as base64 in the TEXT payload column.
const ENCODING_HEADER = 'stratus-outbox-payload-encoding';
const RELAY_LEASE_NAME = 'relay';

/**
 * Creates the outbox tables if they do not exist: `stratus_outbox(id, topic,
 * key, headers, payload, created_at, published_at)` and the relay lease table.
 * Times are milliseconds since the epoch (`bigint` columns).
 */
export async function ensureOutboxSchema(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable(OUTBOX_TABLE)
    .ifNotExists()
    .addColumn('id', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('topic', 'varchar(255)', (c) => c.notNull())
    .addColumn('key', 'varchar(255)')
    .addColumn('headers', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('published_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('stratus_outbox_pending')
    .ifNotExists()
    .on(OUTBOX_TABLE)
    .columns(['published_at', 'created_at'])
    .execute();
  await db.schema
    .createTable(OUTBOX_LEASE_TABLE)
    .ifNotExists()
    .addColumn('name', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('owner', 'varchar(255)', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
}

/** Options of {@link createOutbox}. */
export interface OutboxOptions {
  /** The business database (the outbox table lives beside the business tables). */
  db: Kysely<any>;
  /** Where the relay publishes. */
  transport: Transport;
  /** @default createSilentLogger() */
  logger?: Logger;
  /** @default systemClock */
  clock?: Clock;
  /** How often the relay looks for unpublished rows, in ms. @default 200 */
  pollIntervalMs?: number;
  /** Rows published per transport call. @default 100 */
  batchSize?: number;
  /** Relay lease, in ms: among relays on one database only the holder publishes. @default 10000 */
  leaseMs?: number;
  /** Longest pause after consecutive publish failures, in ms. @default 30000 */
  maxBackoffMs?: number;
}

/** A transactional outbox and its relay. */
export interface Outbox {
  /**
   * Inserts `message` into the outbox inside the caller's transaction; it is
   * published only if that transaction commits. Returns the message id.
   * @throws StratusError `MSG_ERR_INVALID_MESSAGE`
   */
  add(trx: Kysely<any>, message: OutgoingMessage): Promise<string>;
  /** Starts the background relay (idempotent). @throws StratusError `MSG_ERR_CLOSED` */
  start(): void;
  /**
   * Publishes pending rows now (call it after a commit to cut latency) and
   * resolves to how many were published. Never rejects on transport failure:
   * the rows stay pending and the relay retries with backoff. Returns 0 while
   * another relay holds the lease or after `close()`.
   */
  flush(): Promise<number>;
  /** Stops the relay after the batch in progress and releases its lease. Idempotent. */
  close(): Promise<void>;
}

interface OutboxRow {
  id: string;
  topic: string;
  key: string | null;
  headers: string;
  payload: string;
}

function positive(name: string, value: unknown, fallback: number, problems: string[]): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    problems.push(`${name} must be a positive number`);
    return fallback;
  }
  return value;
}

class TransactionalOutbox implements Outbox {
  readonly #db: Kysely<any>;
  readonly #transport: Transport;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #pollIntervalMs: number;
  readonly #batchSize: number;
  readonly #leaseMs: number;
  readonly #maxBackoffMs: number;
  readonly #owner = randomUUID();
  #lastCreatedAt = 0;
  #timer: NodeJS.Timeout | null = null;
  #isStarted = false;
  #isClosed = false;
  #closing: Promise<void> | null = null;
  #hasLease = false;
  #failures = 0;
  #retryAt = 0;
  /** The drain currently running or last finished. */
  #tail: Promise<unknown> = Promise.resolve();
  /** A drain queued behind the tail and not started yet; concurrent flushes share it. */
  #queued: Promise<number> | null = null;

  constructor(options: OutboxOptions) {
    const problems: string[] = [];
    if (typeof options?.db?.transaction !== 'function')
      problems.push('db must be a Kysely instance');
    if (typeof options?.transport?.publish !== 'function')
      problems.push('transport must be a Transport');
    this.#pollIntervalMs = positive(
      'pollIntervalMs',
      options?.pollIntervalMs,
      OUTBOX_DEFAULTS.pollIntervalMs,
      problems,
    );
    this.#batchSize = Math.trunc(
      positive('batchSize', options?.batchSize, OUTBOX_DEFAULTS.batchSize, problems),
    );
    this.#leaseMs = positive('leaseMs', options?.leaseMs, OUTBOX_DEFAULTS.leaseMs, problems);
    this.#maxBackoffMs = positive(
      'maxBackoffMs',
      options?.maxBackoffMs,
      OUTBOX_DEFAULTS.maxBackoffMs,
      problems,
    );
    if (problems.length > 0) {
      throw messagingError('MSG_ERR_INVALID_OPTIONS', {
        message: `Invalid outbox options: ${problems.join('; ')}`,
        details: { problems },
      });
    }
    this.#db = options.db;
    this.#transport = options.transport;
    this.#clock = options.clock ?? systemClock;
    this.#logger = (options.logger ?? createSilentLogger()).child({ component: 'outbox' });
  }

  async add(trx: Kysely<any>, message: OutgoingMessage): Promise<string> {
    if (message?.headers && Object.hasOwn(message.headers, ENCODING_HEADER)) {
      throw messagingError('MSG_ERR_INVALID_MESSAGE', {
        message: `header ${ENCODING_HEADER} is reserved`,
        details: { field: 'headers' },
      });
    }
    const normalized = normalizeOutgoing(message);
    const isText = typeof message.payload === 'string';
    const headers = isText
      ? normalized.headers
      : { ...normalized.headers, [ENCODING_HEADER]: 'base64' };
    // Strictly increasing within this outbox so ORDER BY created_at keeps add order.
    const createdAt = Math.max(this.#clock.now(), this.#lastCreatedAt + 1);
    this.#lastCreatedAt = createdAt;
    await trx
      .insertInto(OUTBOX_TABLE)
      .values({
        id: normalized.id,
        topic: normalized.topic,
        key: normalized.key,
        headers: JSON.stringify(headers),
        payload: isText ? (message.payload as string) : normalized.payload.toString('base64'),
        created_at: createdAt,
        published_at: null,
      })
      .execute();
    return normalized.id;
  }

  start(): void {
    if (this.#isClosed)
      throw messagingError('MSG_ERR_CLOSED', { details: { component: 'outbox' } });
    if (this.#isStarted) return;
    this.#isStarted = true;
    this.#scheduleTick();
  }

  flush(): Promise<number> {
    if (this.#isClosed) return Promise.resolve(0);
    if (this.#queued) return this.#queued;
    const run = this.#tail.then(() => {
      this.#queued = null;
      return this.#drain();
    });
    this.#queued = run;
    this.#tail = run;
    return run;
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    this.#isClosed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#tail.catch(() => undefined);
    if (!this.#hasLease) return;
    this.#hasLease = false;
    try {
      await this.#db
        .deleteFrom(OUTBOX_LEASE_TABLE)
        .where('name', '=', RELAY_LEASE_NAME)
        .where('owner', '=', this.#owner)
        .execute();
    } catch (error) {
      this.#logger.warn({ err: error }, 'relay lease release failed; it will expire');
    }
  }

  #scheduleTick(): void {
    if (this.#isClosed) return;
    this.#timer = setTimeout(() => {
      void this.flush().finally(() => this.#scheduleTick());
    }, this.#pollIntervalMs);
    this.#timer.unref();
  }

  /** Publishes pending rows batch by batch; never rejects. */
  async #drain(): Promise<number> {
    if (this.#isClosed || this.#clock.now() < this.#retryAt) return 0;
    let published = 0;
    try {
      if (!(await this.#acquireLease())) return 0;
      while (!this.#isClosed) {
        const rows = (await this.#db
          .selectFrom(OUTBOX_TABLE)
          .select(['id', 'topic', 'key', 'headers', 'payload'])
          .where('published_at', 'is', null)
          .orderBy('created_at')
          .orderBy('id')
          .limit(this.#batchSize)
          .execute()) as OutboxRow[];
        if (rows.length === 0) break;
        // Publish, then mark: a crash in between republishes the same ids,
        // which idempotent consumers absorb.
        await this.#transport.publish(rows.map(toOutgoing));
        await this.#db
          .updateTable(OUTBOX_TABLE)
          .set({ published_at: this.#clock.now() })
          .where(
            'id',
            'in',
            rows.map((r) => r.id),
          )
          .execute();
        published += rows.length;
        if (rows.length < this.#batchSize) break;
      }
      this.#failures = 0;
      this.#retryAt = 0;
    } catch (error) {
      this.#failures += 1;
      const delayMs = Math.min(
        this.#maxBackoffMs,
        this.#pollIntervalMs * 2 ** Math.min(this.#failures, 20),
      );
      this.#retryAt = this.#clock.now() + delayMs;
      this.#logger.warn(
        { err: error, failures: this.#failures, delayMs },
        'outbox relay failed; will retry',
      );
    }
    if (published > 0) this.#logger.debug({ published }, 'outbox rows published');
    return published;
  }

  /** Takes or renews the relay lease; false while another relay holds it. */
  async #acquireLease(): Promise<boolean> {
    const now = this.#clock.now();
    const expiresAt = now + this.#leaseMs;
    const updated = await this.#db
      .updateTable(OUTBOX_LEASE_TABLE)
      .set({ owner: this.#owner, expires_at: expiresAt })
      .where('name', '=', RELAY_LEASE_NAME)
      .where((eb) => eb.or([eb('owner', '=', this.#owner), eb('expires_at', '<=', now)]))
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 1) return (this.#hasLease = true);
    const existing = await this.#db
      .selectFrom(OUTBOX_LEASE_TABLE)
      .select('owner')
      .where('name', '=', RELAY_LEASE_NAME)
      .executeTakeFirst();
    if (existing) return (this.#hasLease = false);
    try {
      await this.#db
        .insertInto(OUTBOX_LEASE_TABLE)
        .values({ name: RELAY_LEASE_NAME, owner: this.#owner, expires_at: expiresAt })
        .execute();
      return (this.#hasLease = true);
    } catch {
      // Another relay inserted the row first.
      return (this.#hasLease = false);
    }
  }
}

function toOutgoing(row: OutboxRow): OutgoingMessage {
  const headers = JSON.parse(row.headers) as Record<string, string>;
  const isBase64 = headers[ENCODING_HEADER] === 'base64';
  delete headers[ENCODING_HEADER];
  return {
    id: row.id,
    topic: row.topic,
    key: row.key,
    headers,
    payload: isBase64 ? Buffer.from(row.payload, 'base64') : row.payload,
  };
}

/**
 * Creates a transactional outbox: `add()` writes a message in the caller's
 * transaction, and a relay publishes committed rows in created order, then
 * marks them published. Delivery is at-least-once (a crash between publish and
 * mark republishes the same message id), so consumers should use
 * `createIdempotentHandler`. Run `ensureOutboxSchema(db)` first.
 *
 * @throws StratusError `MSG_ERR_INVALID_OPTIONS`
 * @example
 * const outbox = createOutbox({ db, transport });
 * outbox.start();
 * await db.transaction().execute(async (trx) => {
 *   await trx.insertInto('orders').values(order).execute();
 *   await outbox.add(trx, { topic: 'order.created', key: order.id, payload: JSON.stringify(order) });
 * });
 * void outbox.flush();
 */
export function createOutbox(options: OutboxOptions): Outbox {
  return new TransactionalOutbox(options);
}
