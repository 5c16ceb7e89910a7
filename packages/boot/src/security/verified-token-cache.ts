import type { JWTPayload } from 'jose';

/** Limits of the verified-token cache. */
export interface VerifiedTokenCacheOptions {
  /** Most tokens kept; the oldest goes first. 0 turns the cache off. @default 1024 */
  readonly maxEntries?: number;
  /**
   * Longest a verdict is reused, ms. Bounds how long a token stays accepted after its key was
   * rotated out of a JWKS document (a secret change empties the cache at once). @default 60 s
   */
  readonly maxAgeMs?: number;
}

interface Entry<T> {
  readonly value: T;
  readonly payload: Readonly<JWTPayload>;
  readonly storedAtMs: number;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Tokens whose signature and claims were verified, keyed by the whole compact token (signature
 * included: a token that differs in one character never matches), as Envoy's `jwt_cache_config`
 * does. A client sends the same token on every request, so a gateway verifies each signature
 * once per `maxAgeMs` instead of once per request. Only accepted tokens are kept, so requests
 * with forged or random tokens cannot fill it; a hit re-checks `exp` and `nbf` against the
 * clock with jose's rules, and anything doubtful is left to a full verification.
 */
export class VerifiedTokenCache<T> {
  readonly #entries = new Map<string, Entry<T>>();
  readonly #maxEntries: number;
  readonly #maxAgeMs: number;
  /** The key the cached verdicts were verified with; another key empties the cache. */
  #keyIdentity: unknown = undefined;

  constructor(options: VerifiedTokenCacheOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 1024;
    this.#maxAgeMs = options.maxAgeMs ?? 60_000;
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * The verdict for `token` when it was verified with `keyIdentity`, less than `maxAgeMs` ago,
   * and its time claims still hold at `nowMs` (tolerance in seconds, as jose counts).
   */
  get(token: string, keyIdentity: unknown, nowMs: number, toleranceSec: number): T | undefined {
    if (keyIdentity !== this.#keyIdentity) {
      this.#entries.clear();
      this.#keyIdentity = keyIdentity;
      return undefined;
    }
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    const nowSec = Math.floor(nowMs / 1000);
    const { exp, nbf } = entry.payload;
    const stale =
      nowMs - entry.storedAtMs >= this.#maxAgeMs ||
      nowMs < entry.storedAtMs ||
      typeof exp !== 'number' ||
      exp <= nowSec - toleranceSec ||
      (typeof nbf === 'number' && nbf > nowSec + toleranceSec);
    if (!stale) return entry.value;
    this.#entries.delete(token);
    return undefined;
  }

  /** Keeps an accepted verdict; its payload is frozen, since every later hit shares it. */
  set(
    token: string,
    keyIdentity: unknown,
    value: T,
    payload: Readonly<JWTPayload>,
    nowMs: number,
  ): void {
    if (this.#maxEntries === 0 || this.#maxAgeMs === 0) return;
    if (keyIdentity !== this.#keyIdentity) {
      this.#entries.clear();
      this.#keyIdentity = keyIdentity;
    }
    deepFreeze(payload);
    this.#entries.delete(token);
    while (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
    this.#entries.set(token, { value, payload, storedAtMs: nowMs });
  }
}
