import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { MessagingErrors } from '../errors.js';
import type { NormalizedMessage } from './message.js';

const SCHEMA_VERSION = 1;

// Offsets are allocated from topic_heads, not MAX(offset)+1, so they keep
// increasing even after retention has deleted every message of a topic.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS messages (
  topic TEXT NOT NULL,
  "offset" INTEGER NOT NULL,
  id TEXT NOT NULL,
  key TEXT,
  headers TEXT NOT NULL,
  payload BLOB NOT NULL,
  ts INTEGER NOT NULL,
  PRIMARY KEY (topic, "offset")
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS messages_ts ON messages (ts);
CREATE TABLE IF NOT EXISTS topic_heads (
  topic TEXT PRIMARY KEY,
  next_offset INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS consumer_offsets (
  group_id TEXT NOT NULL,
  topic TEXT NOT NULL,
  committed_offset INTEGER NOT NULL,
  PRIMARY KEY (group_id, topic)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS consumer_leases (
  group_id TEXT NOT NULL,
  topic TEXT NOT NULL,
  owner TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (group_id, topic)
) WITHOUT ROWID;
`;

/** A stored message row. */
export interface MessageRow {
  offset: number;
  id: string;
  key: string | null;
  headers: string;
  payload: Buffer;
  ts: number;
}

/** Synchronous access to the log's SQLite file; one connection per instance. */
export class LogStore {
  readonly #db: Database.Database;
  readonly #stmts;
  readonly #append: (messages: NormalizedMessage[], ts: number) => void;
  readonly #commit: (
    groupId: string,
    topic: string,
    owner: string,
    next: number,
    expiresAt: number,
  ) => boolean;
  readonly #initOffset: (groupId: string, topic: string) => void;

  constructor(path: string, busyTimeoutMs: number) {
    try {
      mkdirSync(dirname(resolve(path)), { recursive: true });
      this.#db = new Database(path);
    } catch (cause) {
      throw MessagingErrors.STORE_UNAVAILABLE({ cause, details: { path } });
    }
    try {
      const db = this.#db;
      db.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (String(mode).toLowerCase() !== 'wal') throw new Error(`journal_mode is ${String(mode)}`);
      // WAL + NORMAL: durable across process crashes; a power loss may drop the
      // last commits but never corrupts the file.
      db.pragma('synchronous = NORMAL');
      db.transaction(() => {
        const version = Number(db.pragma('user_version', { simple: true }));
        if (version > SCHEMA_VERSION) throw new Error(`unknown schema version ${version}`);
        db.exec(SCHEMA);
        if (version < SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
      }).immediate();
    } catch (cause) {
      this.#db.close();
      throw MessagingErrors.STORE_UNAVAILABLE({ cause, details: { path } });
    }
    const db = this.#db;
    this.#stmts = {
      head: db.prepare<[string], { next_offset: number }>(
        'SELECT next_offset FROM topic_heads WHERE topic = ?',
      ),
      setHead: db.prepare<[string, number]>(
        'INSERT INTO topic_heads (topic, next_offset) VALUES (?, ?) ON CONFLICT (topic) DO UPDATE SET next_offset = excluded.next_offset',
      ),
      insert: db.prepare<[string, number, string, string | null, string, Buffer, number]>(
        'INSERT INTO messages (topic, "offset", id, key, headers, payload, ts) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      fetch: db.prepare<[string, number, number], MessageRow>(
        'SELECT "offset" AS offset, id, key, headers, payload, ts FROM messages WHERE topic = ? AND "offset" >= ? ORDER BY "offset" LIMIT ?',
      ),
      leaseRead: db.prepare<[string, string], { owner: string; expires_at: number }>(
        'SELECT owner, expires_at FROM consumer_leases WHERE group_id = ? AND topic = ?',
      ),
      leaseAcquire: db.prepare<[string, string, string, number, number]>(
        `INSERT INTO consumer_leases (group_id, topic, owner, expires_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (group_id, topic) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
         WHERE consumer_leases.owner = excluded.owner OR consumer_leases.expires_at <= ?`,
      ),
      leaseRenew: db.prepare<[number, string, string, string]>(
        'UPDATE consumer_leases SET expires_at = ? WHERE group_id = ? AND topic = ? AND owner = ?',
      ),
      leaseRelease: db.prepare<[string, string, string]>(
        'DELETE FROM consumer_leases WHERE group_id = ? AND topic = ? AND owner = ?',
      ),
      offsetRead: db.prepare<[string, string], { committed_offset: number }>(
        'SELECT committed_offset FROM consumer_offsets WHERE group_id = ? AND topic = ?',
      ),
      offsetWrite: db.prepare<[string, string, number]>(
        `INSERT INTO consumer_offsets (group_id, topic, committed_offset) VALUES (?, ?, ?)
         ON CONFLICT (group_id, topic) DO UPDATE SET committed_offset = excluded.committed_offset`,
      ),
      offsetInit: db.prepare<[string, string, number]>(
        'INSERT INTO consumer_offsets (group_id, topic, committed_offset) VALUES (?, ?, ?) ON CONFLICT (group_id, topic) DO NOTHING',
      ),
      purge: db.prepare<[number]>('DELETE FROM messages WHERE ts < ?'),
      deleteOffsets: db.prepare<[string]>('DELETE FROM consumer_offsets WHERE group_id = ?'),
      deleteLeases: db.prepare<[string]>('DELETE FROM consumer_leases WHERE group_id = ?'),
      ping: db.prepare<[], { one: number }>('SELECT 1 AS one'),
    };
    const s = this.#stmts;
    this.#append = db.transaction((messages: NormalizedMessage[], ts: number) => {
      const heads = new Map<string, number>();
      for (const m of messages) {
        const offset = heads.get(m.topic) ?? s.head.get(m.topic)?.next_offset ?? 0;
        s.insert.run(m.topic, offset, m.id, m.key, JSON.stringify(m.headers), m.payload, ts);
        heads.set(m.topic, offset + 1);
      }
      for (const [topic, next] of heads) s.setHead.run(topic, next);
    }).immediate;
    this.#commit = db.transaction(
      (groupId: string, topic: string, owner: string, next: number, expiresAt: number): boolean => {
        if (s.leaseRenew.run(expiresAt, groupId, topic, owner).changes !== 1) return false;
        s.offsetWrite.run(groupId, topic, next);
        return true;
      },
    ).immediate;
    this.#initOffset = db.transaction((groupId: string, topic: string) => {
      s.offsetInit.run(groupId, topic, s.head.get(topic)?.next_offset ?? 0);
    }).immediate;
  }

  /** Appends messages atomically, each topic's offsets continuing from its head. */
  append(messages: NormalizedMessage[], ts: number): void {
    this.#append(messages, ts);
  }

  fetch(topic: string, fromOffset: number, limit: number): MessageRow[] {
    return this.#stmts.fetch.all(topic, fromOffset, limit);
  }

  /** Takes the lease if it is free, expired or already ours. Reads first so idle members do not write. */
  tryAcquire(groupId: string, topic: string, owner: string, now: number, leaseMs: number): boolean {
    const current = this.#stmts.leaseRead.get(groupId, topic);
    if (current && current.owner !== owner && current.expires_at > now) return false;
    return this.#stmts.leaseAcquire.run(groupId, topic, owner, now + leaseMs, now).changes === 1;
  }

  /** Extends a lease we own; false when another member has taken it. */
  renew(groupId: string, topic: string, owner: string, expiresAt: number): boolean {
    return this.#stmts.leaseRenew.run(expiresAt, groupId, topic, owner).changes === 1;
  }

  release(groupId: string, topic: string, owner: string): void {
    this.#stmts.leaseRelease.run(groupId, topic, owner);
  }

  /** The group's next offset to consume, or null for a new group. */
  committed(groupId: string, topic: string): number | null {
    return this.#stmts.offsetRead.get(groupId, topic)?.committed_offset ?? null;
  }

  /** Commits `next` as the group's position if `owner` still holds the lease (and renews it). */
  commit(groupId: string, topic: string, owner: string, next: number, expiresAt: number): boolean {
    return this.#commit(groupId, topic, owner, next, expiresAt);
  }

  /** For a new group, fixes its start at the topic's current head. */
  initAtHead(groupId: string, topic: string): void {
    this.#initOffset(groupId, topic);
  }

  /** The offset the next message of `topic` will get (0 for a topic never written). */
  head(topic: string): number {
    return this.#stmts.head.get(topic)?.next_offset ?? 0;
  }

  /** Removes every trace of a group (a broadcast subscription's throw-away group). */
  deleteGroup(groupId: string): void {
    this.#stmts.deleteLeases.run(groupId);
    this.#stmts.deleteOffsets.run(groupId);
  }

  /** Runs a trivial query; throws when the file is unusable. */
  ping(): void {
    this.#stmts.ping.get();
  }

  /** Deletes messages stored before `cutoff`; returns how many. */
  purgeBefore(cutoff: number): number {
    return this.#stmts.purge.run(cutoff).changes;
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
