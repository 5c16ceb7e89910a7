import type { Environment } from '../environment.js';
import { isRacy, isUnchanged, type FileStamp } from './file-stamps.js';

interface Entry {
  readonly environment: Environment;
  readonly stamps: readonly FileStamp[];
}

/**
 * Environments of the native backend by request, each valid while every file and directory it
 * was read from is unchanged: the files it read (an edit) and the directories it searched (a
 * new profile file, a deletion, a rename). An environment read within {@link RACY_MS} of one of
 * its files' changes is not kept, so a second quick edit cannot hide behind an equal
 * timestamp. Least recently used entries go first beyond `maxEntries`.
 */
export class EnvironmentCache {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  /** The environment stored under `key` if its files are unchanged; drops a stale one. */
  get(key: string): Environment | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (!isUnchanged(entry.stamps)) return undefined;
    this.#entries.set(key, entry);
    return entry.environment;
  }

  /** Keeps `environment` for `key` unless a stamp is racy at `takenAtMs`. */
  set(
    key: string,
    environment: Environment,
    stamps: readonly FileStamp[],
    takenAtMs: number,
  ): void {
    if (isRacy(stamps, takenAtMs)) return;
    this.#entries.set(key, { environment, stamps });
    if (this.#entries.size > this.#maxEntries)
      this.#entries.delete(this.#entries.keys().next().value!);
  }

  clear(): void {
    this.#entries.clear();
  }
}
