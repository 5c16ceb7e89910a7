import * as fs from 'node:fs';
import { cp, lstat, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  addRemote,
  deleteRef,
  expandOid,
  fetch as gitFetch,
  init,
  listBranches,
  listTags,
  readBlob,
  readCommit,
  readTree,
  resolveRef,
  writeRef,
  type GitHttpRequest,
  type GitHttpResponse,
  type HttpClient,
  type TreeEntry,
} from 'isomorphic-git';
import type { Clock, Logger, Secret } from '@stratus/core';
import { ConfigServerErrors } from '../errors.js';

/** Where a clone comes from: a local repository (work tree or bare) or an http(s) remote. */
export type GitSource =
  | { kind: 'local'; path: string }
  | { kind: 'http'; url: string; username?: string; password?: Secret };

/** Options of one {@link GitClone}. */
export interface GitCloneOptions {
  source: GitSource;
  /** The URI as shown in property-source names and health (no userinfo). */
  displayUri: string;
  /** The clone's git directory (bare). */
  gitdir: string;
  /** Fetch at most this often; 0 fetches on every request. */
  refreshRateMs: number;
  /** Timeout of one http request to the remote. */
  timeoutMs: number;
  clock: Clock;
  logger: Logger;
}

/** Health of one repository. */
export interface CloneHealth {
  uri: string;
  status: 'UP' | 'DOWN' | 'UNKNOWN';
  /** Why the last refresh failed: a constant text and the error's code, never a message. */
  reason?: string;
  /** Last successful refresh, ms since the epoch. */
  lastRefreshMs?: number;
}

const MAX_CACHED_TREES = 2048;

/**
 * A bare local clone of one repository, refreshed at most every `refreshRateMs`. Files are read
 * from git objects of a resolved commit (never from a work tree), so symlinks and paths
 * outside the repository cannot be followed. A failing refresh keeps the last good clone.
 */
export class GitClone {
  readonly #options: GitCloneOptions;
  readonly #log: Logger;
  readonly #trees = new Map<string, TreeEntry[] | null>();
  #cache: object = {};
  #hasClone = false;
  #lastAttemptMs = Number.NEGATIVE_INFINITY;
  #lastSuccessMs: number | undefined;
  #stale = true;
  #failure: string | null = null;
  #inflight: Promise<void> | null = null;
  #initialized: Promise<void> | null = null;

  constructor(options: GitCloneOptions) {
    this.#options = options;
    this.#log = options.logger;
  }

  get displayUri(): string {
    return this.#options.displayUri;
  }

  /** The next request fetches, whatever the refresh rate (used by `/monitor`). */
  markStale(): void {
    this.#stale = true;
  }

  health(): CloneHealth {
    const base = { uri: this.#options.displayUri, lastRefreshMs: this.#lastSuccessMs };
    if (this.#failure !== null) return { ...base, status: 'DOWN', reason: this.#failure };
    if (!this.#hasClone) return { ...base, status: 'UNKNOWN' };
    return { ...base, status: 'UP' };
  }

  /**
   * Fetches when the refresh interval has passed (or the clone is stale). A failure with an
   * earlier clone is logged and reported by {@link health}; without one it throws.
   *
   * @throws StratusError `CFG_ERR_REPOSITORY_UNAVAILABLE` when there is nothing to serve.
   */
  async ensureFresh(): Promise<void> {
    await this.#init();
    const now = this.#options.clock.now();
    const due = this.#stale || now - this.#lastAttemptMs >= this.#options.refreshRateMs;
    if (due) {
      this.#inflight ??= this.#refresh().finally(() => {
        this.#inflight = null;
      });
      await this.#inflight;
    } else if (this.#inflight) {
      await this.#inflight;
    }
    if (!this.#hasClone) throw ConfigServerErrors.REPOSITORY_UNAVAILABLE();
  }

  /** Resolves a branch, tag or (abbreviated) commit id to a commit id, or `null`. */
  async resolveLabel(label: string): Promise<string | null> {
    const gitdir = this.#options.gitdir;
    for (const ref of [`refs/remotes/origin/${label}`, `refs/tags/${label}`]) {
      try {
        const oid = await resolveRef({ fs, gitdir, ref });
        return (await readCommit({ fs, gitdir, oid, cache: this.#cache })).oid;
      } catch {
        // Not this kind of ref: try the next.
      }
    }
    if (/^[0-9a-f]{4,40}$/i.test(label)) {
      try {
        const oid = await expandOid({ fs, gitdir, oid: label.toLowerCase(), cache: this.#cache });
        return (await readCommit({ fs, gitdir, oid, cache: this.#cache })).oid;
      } catch {
        return null;
      }
    }
    return null;
  }

  /** The entries of directory `dir` ('' for the root) at `commit`, or `null` when it is none. */
  async readDirectory(commit: string, dir: string): Promise<TreeEntry[] | null> {
    const key = `${commit}:${dir}`;
    const cached = this.#trees.get(key);
    if (cached !== undefined) return cached;
    let entries: TreeEntry[] | null;
    try {
      const result = await readTree({
        fs,
        gitdir: this.#options.gitdir,
        oid: commit,
        filepath: dir === '' ? undefined : dir,
        cache: this.#cache,
      });
      entries = result.tree;
    } catch {
      entries = null;
    }
    if (this.#trees.size >= MAX_CACHED_TREES) this.#trees.clear();
    this.#trees.set(key, entries);
    return entries;
  }

  /**
   * The text of the regular file `dir/name` at `commit`, or `null`. Symlinks (mode 120000)
   * and submodules are never read.
   */
  async readFile(commit: string, dir: string, name: string): Promise<string | null> {
    const entries = await this.readDirectory(commit, dir);
    const entry = entries?.find((candidate) => candidate.path === name);
    if (!entry || entry.type !== 'blob' || (entry.mode !== '100644' && entry.mode !== '100755'))
      return null;
    const { blob } = await readBlob({
      fs,
      gitdir: this.#options.gitdir,
      oid: entry.oid,
      cache: this.#cache,
    });
    return Buffer.from(blob).toString('utf8');
  }

  /** Waits for a running refresh; the clone stays on disk for the next start. Idempotent. */
  async close(): Promise<void> {
    await this.#inflight?.catch(() => undefined);
  }

  #init(): Promise<void> {
    this.#initialized ??= (async () => {
      const gitdir = this.#options.gitdir;
      await mkdir(gitdir, { recursive: true, mode: 0o700 });
      if (await isFile(join(gitdir, 'HEAD'))) {
        // A clone from an earlier run is the last good state until the first fetch.
        this.#hasClone = (await listBranches({ fs, gitdir, remote: 'origin' })).length > 0;
      } else {
        await init({ fs, gitdir, bare: true, defaultBranch: 'main' });
      }
    })();
    return this.#initialized;
  }

  async #refresh(): Promise<void> {
    this.#lastAttemptMs = this.#options.clock.now();
    this.#stale = false;
    try {
      const source = this.#options.source;
      if (source.kind === 'local') await this.#mirrorLocal(source.path);
      else await this.#fetchHttp(source);
      this.#cache = {};
      this.#hasClone = true;
      this.#lastSuccessMs = this.#options.clock.now();
      if (this.#failure !== null)
        this.#log.info({ uri: this.#options.displayUri }, 'config repository recovered');
      this.#failure = null;
    } catch (error) {
      const code = errorCode(error);
      this.#failure = `fetch failed (${code})`;
      const fields = { uri: this.#options.displayUri, code, hasClone: this.#hasClone };
      if (this.#hasClone)
        this.#log.warn(fields, 'config repository fetch failed; serving last good clone');
      else this.#log.error(fields, 'config repository clone failed');
    }
  }

  /**
   * isomorphic-git has no local transport: copy the (immutable, content-addressed) objects
   * that are new, then point the remote-tracking refs and tags at the source's refs.
   */
  async #mirrorLocal(path: string): Promise<void> {
    const gitdir = this.#options.gitdir;
    const source = (await isDirectory(join(path, '.git'))) ? join(path, '.git') : path;
    if (!(await isDirectory(join(source, 'objects'))) || !(await isFile(join(source, 'HEAD')))) {
      throw Object.assign(new Error('not a git repository'), { code: 'ENOTGIT' });
    }
    const branches = new Map<string, string>();
    for (const branch of await listBranches({ fs, gitdir: source })) {
      branches.set(branch, await resolveRef({ fs, gitdir: source, ref: `refs/heads/${branch}` }));
    }
    const tags = new Map<string, string>();
    for (const tag of await listTags({ fs, gitdir: source })) {
      tags.set(tag, await resolveRef({ fs, gitdir: source, ref: `refs/tags/${tag}` }));
    }
    await cp(join(source, 'objects'), join(gitdir, 'objects'), {
      recursive: true,
      force: false,
      errorOnExist: false,
      // Only regular files and directories: a symlink planted in the source is not copied.
      filter: async (from) => !(await lstat(from)).isSymbolicLink(),
    });
    await this.#updateRefs(branches, tags);
  }

  async #updateRefs(branches: Map<string, string>, tags: Map<string, string>): Promise<void> {
    const gitdir = this.#options.gitdir;
    for (const [branch, oid] of branches) {
      await writeRef({ fs, gitdir, ref: `refs/remotes/origin/${branch}`, value: oid, force: true });
    }
    for (const branch of await listBranches({ fs, gitdir, remote: 'origin' })) {
      if (!branches.has(branch) && branch !== 'HEAD')
        await deleteRef({ fs, gitdir, ref: `refs/remotes/origin/${branch}` });
    }
    for (const [tag, oid] of tags) {
      await writeRef({ fs, gitdir, ref: `refs/tags/${tag}`, value: oid, force: true });
    }
    for (const tag of await listTags({ fs, gitdir })) {
      if (!tags.has(tag)) await deleteRef({ fs, gitdir, ref: `refs/tags/${tag}` });
    }
  }

  async #fetchHttp(source: Extract<GitSource, { kind: 'http' }>): Promise<void> {
    const { username, password } = source;
    // isomorphic-git fetches into an initialised repository with a configured remote refspec.
    const gitdir = this.#options.gitdir;
    if (!(await isFile(join(gitdir, 'config')))) await init({ fs, gitdir, bare: true });
    await addRemote({ fs, gitdir, remote: 'origin', url: source.url, force: true });
    await gitFetch({
      fs,
      http: createHttpClient(this.#options.timeoutMs),
      gitdir: this.#options.gitdir,
      url: source.url,
      remote: 'origin',
      singleBranch: false,
      tags: true,
      prune: true,
      pruneTags: true,
      cache: this.#cache,
      ...(username !== undefined || password !== undefined
        ? {
            onAuth: () => ({ username: username ?? '', password: password?.reveal() ?? '' }),
            // Never retry with the same credentials.
            onAuthFailure: () => ({ cancel: true }),
          }
        : {}),
    });
  }
}

/** isomorphic-git's http plugin over Node's fetch, with a timeout per request. */
function createHttpClient(timeoutMs: number): HttpClient {
  return {
    async request(request: GitHttpRequest): Promise<GitHttpResponse> {
      let body: Buffer | undefined;
      if (request.body) {
        const chunks: Uint8Array[] = [];
        for await (const chunk of request.body) chunks.push(chunk);
        body = Buffer.concat(chunks);
      }
      const response = await globalThis.fetch(request.url, {
        method: request.method ?? 'GET',
        headers: request.headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      const headers: Record<string, string> = {};
      response.headers.forEach((value, key) => {
        headers[key] = value;
      });
      const stream = response.body;
      return {
        url: response.url || request.url,
        method: request.method ?? 'GET',
        headers,
        statusCode: response.status,
        statusMessage: response.statusText,
        body: stream ? iterate(stream) : undefined,
      };
    },
  };
}

async function* iterate(stream: ReadableStream<Uint8Array>): AsyncIterableIterator<Uint8Array> {
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) yield chunk;
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown; name?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[A-Za-z0-9_]{1,40}$/.test(code)) {
    const status = (error as { data?: { statusCode?: unknown } }).data?.statusCode;
    return typeof status === 'number' ? `${code} ${status}` : code;
  }
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' && /^[A-Za-z0-9_]{1,40}$/.test(name) ? name : 'Error';
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
