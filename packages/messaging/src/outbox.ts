import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import { createSilentLogger, systemClock, type Clock, type Logger } from '@stratus/core';
import { OUTBOX_DEFAULTS } from './defaults.js';
import { MessagingErrors, invalidOptions } from './errors.js';
import { normalizeOutgoing } from './internal/message.js';
import { createClaims, type ClaimStrategy, type OutboxClaims } from './outbox-claims.js';
import { OUTBOX_TABLE, type OutboxRow } from './outbox-schema.js';
import type { OutgoingMessage, Transport } from './transport.js';

export { OUTBOX_TABLE, OUTBOX_LEASE_TABLE, ensureOutboxSchema } from './outbox-schema.js';
export type { ClaimStrategy } from './outbox-claims.js';

// Stored in the headers column only, stripped before publishing: marks a Buffer
// payload kept as base64 in the TEXT payload column.
const ENCODING_HEADER = 'stratus-outbox-payload-encoding';

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
  /**
   * How relays sharing the database split the rows (see {@link ClaimStrategy}).
   * @default 'auto' (SKIP LOCKED where the database has it, a lease otherwise)
   */
  claimStrategy?: ClaimStrategy;
  /**
   * How long a lease claim keeps other relays off its rows, in ms: a relay that dies after
   * claiming leaves them to the others after this. @default 10000
   */
  leaseMs?: number;
  /** Longest pause after consecutive publish failures, in ms. @default 30000 */
  maxBackoffMs?: number;
  /**
   * How long published rows are kept before the relay deletes them, in ms; `Infinity` keeps
   * them. @default 604800000 (7 days)
   */
  retentionMs?: number;
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
   * resolves to how many this relay published. Never rejects on transport or database
   * failure: the rows stay pending and the relay retries with backoff. Rows other relays hold
   * (and later rows of their keys) are left to them. Returns 0 after `close()`.
   */
  flush(): Promise<number>;
  /** Stops the relay after the batch in progress. Idempotent. */
  close(): Promise<void>;
}

function positive(name: string, value: unknown, fallback: number, problems: string[]): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || value <= 0) {
    problems.push(`${name} must be a positive number`);
    return fallback;
  }
  return value;
}

function finite(name: string, value: unknown, fallback: number, problems: string[]): number {
  const result = positive(name, value, fallback, problems);
  if (!Number.isFinite(result)) {
    problems.push(`${name} must be finite`);
    return fallback;
  }
  return result;
}

const CLAIM_STRATEGIES: readonly ClaimStrategy[] = ['auto', 'skip-locked', 'lease'];

class TransactionalOutbox implements Outbox {
  readonly #db: Kysely<any>;
  readonly #transport: Transport;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #pollIntervalMs: number;
  readonly #batchSize: number;
  readonly #leaseMs: number;
  readonly #maxBackoffMs: number;
  readonly #retentionMs: number;
  readonly #claimStrategy: ClaimStrategy;
  // Written into lease claims (`claimed_by`): names the process holding a row, so an operator
  // (or a test) can tell whose claim is waiting for its lease to expire.
  readonly #owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  #claims: Promise<OutboxClaims> | null = null;
  #lastCreatedAt = 0;
  #timer: NodeJS.Timeout | null = null;
  #isStarted = false;
  #isClosed = false;
  #closing: Promise<void> | null = null;
  #failures = 0;
  #retryAt = 0;
  #pruneAt = 0;
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
    const d = OUTBOX_DEFAULTS;
    this.#pollIntervalMs = finite(
      'pollIntervalMs',
      options?.pollIntervalMs,
      d.pollIntervalMs,
      problems,
    );
    this.#batchSize = Math.trunc(finite('batchSize', options?.batchSize, d.batchSize, problems));
    this.#leaseMs = finite('leaseMs', options?.leaseMs, d.leaseMs, problems);
    this.#maxBackoffMs = finite('maxBackoffMs', options?.maxBackoffMs, d.maxBackoffMs, problems);
    this.#retentionMs = positive('retentionMs', options?.retentionMs, d.retentionMs, problems);
    this.#claimStrategy = options?.claimStrategy ?? 'auto';
    if (!CLAIM_STRATEGIES.includes(this.#claimStrategy))
      problems.push(`claimStrategy must be one of ${CLAIM_STRATEGIES.join(', ')}`);
    if (problems.length > 0) {
      throw invalidOptions('outbox options', problems);
    }
    this.#db = options.db;
    this.#transport = options.transport;
    this.#clock = options.clock ?? systemClock;
    this.#logger = (options.logger ?? createSilentLogger()).child({ component: 'outbox' });
  }

  async add(trx: Kysely<any>, message: OutgoingMessage): Promise<string> {
    if (message?.headers && Object.hasOwn(message.headers, ENCODING_HEADER)) {
      throw MessagingErrors.INVALID_MESSAGE({
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
    if (this.#isClosed) throw MessagingErrors.CLOSED({ details: { component: 'outbox' } });
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
  }

  #scheduleTick(): void {
    if (this.#isClosed) return;
    this.#timer = setTimeout(() => {
      void this.flush().finally(() => this.#scheduleTick());
    }, this.#pollIntervalMs);
    this.#timer.unref();
  }

  /** Publishes pending rows round by round; never rejects. */
  async #drain(): Promise<number> {
    if (this.#isClosed || this.#clock.now() < this.#retryAt) return 0;
    let published = 0;
    try {
      this.#claims ??= createClaims(this.#claimStrategy, {
        db: this.#db,
        clock: this.#clock,
        owner: this.#owner,
        leaseMs: this.#leaseMs,
      });
      const claims = await this.#claims.catch((error: unknown) => {
        this.#claims = null;
        throw error;
      });
      while (!this.#isClosed) {
        const round = await claims.relayRound(this.#batchSize, (rows) =>
          this.#transport.publish(rows.map(toOutgoing)),
        );
        published += round.published;
        // A short round emptied the table; a round of held keys only waits for their holders.
        if (round.candidates < this.#batchSize || round.published === 0) break;
      }
      this.#failures = 0;
      this.#retryAt = 0;
      await this.#pruneWhenDue();
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

  /** Deletes rows published longer ago than the retention, at most once per prune interval. */
  async #pruneWhenDue(): Promise<void> {
    const now = this.#clock.now();
    if (!Number.isFinite(this.#retentionMs) || now < this.#pruneAt) return;
    this.#pruneAt = now + Math.min(this.#retentionMs, OUTBOX_DEFAULTS.pruneIntervalMs);
    const deleted = await this.#db
      .deleteFrom(OUTBOX_TABLE)
      .where('published_at', 'is not', null)
      .where('published_at', '<', now - this.#retentionMs)
      .executeTakeFirst();
    const rows = Number(deleted.numDeletedRows);
    if (rows > 0) this.#logger.debug({ rows }, 'published outbox rows pruned');
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
 * transaction, and a relay publishes committed rows in created order (per key), then
 * marks them published. Several relays on one database (instances of a service) share the
 * work without publishing a row twice at once: each claims rows, with `FOR UPDATE SKIP
 * LOCKED` on PostgreSQL and MySQL/MariaDB and a lease on SQLite, and leaves alone a key whose
 * earlier rows another relay holds. Delivery is at-least-once (a crash between publish and
 * mark republishes the same message id), so consumers should use `createIdempotentHandler`.
 * Published rows are deleted after `retentionMs`. Run `ensureOutboxSchema(db)` first.
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
