import type { HeaderRecord } from '../exchange.js';

/** One stored response. */
export interface CachedResponse {
  readonly status: number;
  readonly headers: HeaderRecord;
  readonly body: Buffer;
  readonly storedAtMs: number;
  readonly expiresAtMs: number;
}

/**
 * A size-bounded LRU of responses (Caffeine with a weigher, as Spring's LocalResponseCache):
 * entries expire after their TTL, and the least recently used go first when the bodies would
 * exceed `maxBytes`. An entry larger than `maxBytes` is never stored.
 */
export class ResponseCache {
  readonly #entries = new Map<string, CachedResponse>();
  readonly #vary = new Map<string, readonly string[]>();
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** The headers a URI's responses vary on (learned from its last stored response). */
  varyOf(uriKey: string): readonly string[] {
    return this.#vary.get(uriKey) ?? [];
  }

  get(key: string, nowMs: number): CachedResponse | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAtMs <= nowMs) {
      this.#bytes -= entry.body.length;
      return undefined;
    }
    this.#entries.set(key, entry);
    return entry;
  }

  put(uriKey: string, vary: readonly string[], key: string, entry: CachedResponse): void {
    if (entry.body.length > this.#maxBytes) return;
    const previous = this.#entries.get(key);
    if (previous !== undefined) {
      this.#entries.delete(key);
      this.#bytes -= previous.body.length;
    }
    for (const [oldKey, old] of this.#entries) {
      if (this.#bytes + entry.body.length <= this.#maxBytes) break;
      this.#entries.delete(oldKey);
      this.#bytes -= old.body.length;
    }
    this.#entries.set(key, entry);
    this.#bytes += entry.body.length;
    this.#vary.delete(uriKey);
    if (this.#vary.size > 10_000) this.#vary.delete(this.#vary.keys().next().value as string);
    this.#vary.set(uriKey, vary);
  }

  /** Bytes of bodies held. */
  get sizeBytes(): number {
    return this.#bytes;
  }
}
