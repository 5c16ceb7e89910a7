import type { Logger } from '@stratus/core';
import { appsHashCode } from '../../eureka/model.js';
import { parseApplicationsDocument, type ParsedApplications } from '../parse-apps.js';
import { SingleFlight } from '../single-flight.js';
import type { Transport } from '../transport.js';
import type { RegistryCache } from './registry-cache.js';

/** Counts of fetches since start. */
export interface FetchStats {
  full: number;
  delta: number;
  reconciled: number;
}

/** What a {@link RegistryFetcher} works with. */
export interface FetcherContext {
  readonly transport: Transport;
  readonly cache: RegistryCache;
  readonly log: Logger;
  readonly shouldUseDelta: boolean;
  readonly isClosing: () => boolean;
  /** Called at the first 403 of a refusal streak. */
  readonly onRefused: () => void;
}

/**
 * Fetches the registry into the cache: full the first time, then deltas checked against the
 * registry's hashcode (Eureka's `DiscoveryClient.getAndUpdateDelta`, spring-wire §1.8). A 403
 * (a registry that started empty and waits for its clients) keeps the cache and reports
 * `onRefused` once per refusal streak.
 */
export class RegistryFetcher {
  readonly stats: FetchStats = { full: 0, delta: 0, reconciled: 0 };
  readonly #flight = new SingleFlight<boolean>();
  readonly #context: FetcherContext;
  #hasFullRegistry = false;
  #isRefused = false;

  constructor(context: FetcherContext) {
    this.#context = context;
  }

  /** The fetch in flight, or null. */
  get inFlight(): Promise<boolean> | null {
    return this.#flight.current;
  }

  /** One fetch (coalesced): delta when possible, else full. False keeps the cache. */
  refresh(): Promise<boolean> {
    return this.#flight.run(() => {
      if (this.#context.isClosing()) return Promise.resolve(false);
      return this.#context.shouldUseDelta && this.#hasFullRegistry
        ? this.#deltaRefresh()
        : this.#fullRefresh();
    });
  }

  /** One full fetch (coalesced with a fetch in flight). */
  fullRefresh(): Promise<boolean> {
    return this.#flight.run(() => this.#fullRefresh());
  }

  async #fullRefresh(): Promise<boolean> {
    if (this.#context.isClosing()) return false;
    const parsed = await this.#fetch('apps/', 'full');
    if (parsed === 'forbidden') this.#refused();
    if (parsed === null || parsed === 'forbidden') return false;
    this.#isRefused = false;
    this.stats.full++;
    this.#context.cache.replace(parsed.entries);
    this.#hasFullRegistry = true;
    return true;
  }

  async #deltaRefresh(): Promise<boolean> {
    const { log, cache } = this.#context;
    const parsed = await this.#fetch('apps/delta', 'delta');
    if (parsed === null) return false;
    if (parsed === 'forbidden') {
      if (!this.#isRefused)
        log.info({}, 'registry refuses delta fetches, fetching the full registry');
      return this.#fullRefresh();
    }
    this.#isRefused = false;
    this.stats.delta++;
    const local = appsHashCode(cache.applyDelta(parsed.entries));
    if (parsed.hashcode !== null && parsed.hashcode !== local) {
      log.info(
        { local, remote: parsed.hashcode },
        'registry hashcode differs after delta, fetching the full registry',
      );
      this.stats.reconciled++;
      return this.#fullRefresh();
    }
    return true;
  }

  #refused(): void {
    if (this.#isRefused) return;
    this.#isRefused = true;
    this.#context.log.info(
      {},
      'registry refuses fetches while it starts, keeping the cached registry',
    );
    this.#context.onRefused();
  }

  async #fetch(
    path: string,
    what: 'full' | 'delta',
  ): Promise<ParsedApplications | 'forbidden' | null> {
    const { transport, log } = this.#context;
    const response = await transport.send({ method: 'GET', path });
    if (response?.status === 403) return 'forbidden';
    if (response === null || response.status !== 200) {
      log.warn(
        { fetch: what, status: response?.status ?? null },
        'registry fetch failed, keeping the cached registry',
      );
      return null;
    }
    let parsed: ParsedApplications | null = null;
    try {
      parsed = parseApplicationsDocument(JSON.parse(response.body));
    } catch {
      parsed = null;
    }
    if (parsed === null)
      log.warn(
        { fetch: what, server: response.server },
        'registry sent an unusable body, keeping the cached registry',
      );
    return parsed;
  }
}
