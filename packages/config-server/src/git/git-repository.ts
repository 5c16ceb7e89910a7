import { createHash } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import {
  createSilentLogger,
  isStratusError,
  Secret,
  systemClock,
  type Clock,
  type Logger,
} from '@stratus/core';
import type { Environment, EnvironmentRepository, PropertySource } from '../environment.js';
import { invalidOptionsError, repositoryError } from '../errors.js';
import { candidateFiles, normalizeRequest, parseConfigFile } from '../internal/precedence.js';
import { GitClone, type CloneHealth, type GitSource } from './clone.js';
import { noSuchLabelError } from './errors.js';
import { matchesRepo, normalizeRepoPatterns } from './pattern.js';

/** One git repository (`spring.cloud.config.server.git.*` or `…git.repos.<name>.*`). */
export interface GitRepoOptions {
  /**
   * `spring.cloud.config.server.git.uri`: a local repository (`file:/abs`, `file:./rel` or a
   * plain path; work tree or bare) or an `http(s)://` remote. Userinfo in the URL is moved to
   * `username`/`password`. Placeholders (`{application}`) and ssh are not supported.
   */
  uri: string;
  /** Basic-auth user for an http(s) remote. */
  username?: string;
  /** Basic-auth password or token for an http(s) remote; never logged. */
  password?: Secret | string;
  /**
   * Sub-directories searched besides the root, lowest precedence first. May contain
   * `{application}`, `{profile}`, `{label}` and `*` (one directory level).
   * @default []
   */
  searchPaths?: readonly string[];
  /** The label used when a request has none. @default 'main' */
  defaultLabel?: string;
  /** Retry `master` when the label `main` does not exist. @default true */
  tryMasterBranch?: boolean;
}

/** One `spring.cloud.config.server.git.repos.<name>` entry. */
export interface GitPatternRepoOptions extends GitRepoOptions {
  /** The `<name>` of the entry; also its pattern when `pattern` is empty. */
  name: string;
  /**
   * `app/profile` patterns with `*` (Spring's `simpleMatch`); a pattern without `/` gets `/*`.
   * @default [name]
   */
  pattern?: readonly string[];
}

/** Options of {@link createGitRepository}. */
export interface GitRepositoryOptions extends GitRepoOptions {
  /** Repositories chosen by `application/profile` pattern before the default one, in order. */
  repos?: readonly GitPatternRepoOptions[];
  /**
   * Directory holding the local clones, one per URI at `<basedir>/<hash of uri>`.
   * @default `<cwd>/data/config-repo-clones`
   */
  basedir?: string;
  /** Fetch at most this often (`refresh-rate` × 1000); 0 fetches on every request. @default 0 */
  refreshRateMs?: number;
  /** Timeout of one http request to a remote (`timeout` × 1000). @default 5000 */
  timeoutMs?: number;
  /** Clone every repository in {@link GitEnvironmentRepository.start} and fail if one cannot be cloned. @default false */
  cloneOnStart?: boolean;
  /** @default systemClock */
  clock?: Clock;
  /** @default createSilentLogger() */
  logger?: Logger;
}

/** The health of the git backend, shaped as a `@stratus/boot` `HealthResult`. */
export interface GitRepositoryHealth {
  status: 'UP' | 'DOWN' | 'UNKNOWN';
  details: { repositories: CloneHealth[] };
}

/** A git {@link EnvironmentRepository} with a lifecycle, forced refresh and health. */
export interface GitEnvironmentRepository extends EnvironmentRepository {
  /** Clones every repository when `cloneOnStart` is set. @throws `CFG_ERR_REPOSITORY_UNAVAILABLE` */
  start(): Promise<void>;
  /** Makes the next request of every repository fetch, whatever the refresh rate. */
  refresh(): void;
  /** DOWN (with a reason, never a secret) while a repository's last fetch failed. */
  health(): GitRepositoryHealth;
  /** Waits for running fetches. Idempotent. */
  close(): Promise<void>;
}

interface Repo {
  name: string;
  patterns: string[];
  clone: GitClone;
  searchPaths: string[];
  defaultLabel: string;
  tryMasterBranch: boolean;
}

const PLACEHOLDER = /\{(application|profile|label)\}/;

/**
 * The git backend of Spring Cloud Config (spring-wire.md §2.4). Labels are branches, tags or
 * commit ids; `version` is the commit id; files are read from git objects of that commit with
 * the same precedence as the native backend (the root first, then each search path, a later
 * location winning). Each repository is a bare clone under `basedir`, fetched at most every
 * `refreshRateMs`; when a fetch fails the last good clone keeps serving and {@link
 * GitEnvironmentRepository.health} is DOWN until a fetch succeeds again.
 *
 * @throws StratusError `CFG_ERR_INVALID_OPTIONS` at creation for a missing or unsupported URI.
 * @example
 * const repository = createGitRepository({ uri: 'https://git.example/config.git', searchPaths: ['{application}'] });
 * const env = await repository.findOne('orders', ['dev'], 'v1.2');
 */
/** Environments kept per (repository, commit, request); least recently used go first. */
const ENVIRONMENT_CACHE_SIZE = 256;

export function createGitRepository(options: GitRepositoryOptions): GitEnvironmentRepository {
  const problems: string[] = [];
  const log = (options?.logger ?? createSilentLogger()).child({
    component: 'config-git-repository',
  });
  const clock = options?.clock ?? systemClock;
  const basedir = resolve(options?.basedir ?? resolve(process.cwd(), 'data', 'config-repo-clones'));
  const refreshRateMs = options?.refreshRateMs ?? 0;
  const timeoutMs = options?.timeoutMs ?? 5000;
  if (!Number.isFinite(refreshRateMs) || refreshRateMs < 0)
    problems.push('refreshRateMs must be >= 0');
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) problems.push('timeoutMs must be > 0');
  const clones = new Map<string, GitClone>();
  const environmentCache = new Map<string, Environment>();

  function buildRepo(name: string, repo: GitRepoOptions, patterns: string[]): Repo | null {
    const where = name === '' ? 'uri' : `repos.${name}.uri`;
    const searchPaths = [...(repo?.searchPaths ?? [])].map((p) => String(p).trim()).filter(Boolean);
    for (const path of searchPaths) {
      if (/(^|\/)\.\.(\/|$)|\\|:/.test(path))
        problems.push(
          `${name === '' ? '' : `repos.${name}.`}searchPaths: "${path}" is not a safe relative path`,
        );
    }
    const source = parseUri(repo?.uri, repo?.username, repo?.password);
    if (typeof source === 'string') {
      problems.push(`${where}: ${source}`);
      return null;
    }
    const defaultLabel = repo.defaultLabel ?? 'main';
    const key = source.key;
    let clone = clones.get(key);
    if (!clone) {
      clone = new GitClone({
        source: source.source,
        displayUri: source.displayUri,
        gitdir: resolve(basedir, createHash('sha256').update(key).digest('hex').slice(0, 16)),
        refreshRateMs,
        timeoutMs,
        clock,
        logger: log,
      });
      clones.set(key, clone);
    }
    return {
      name,
      patterns,
      clone,
      searchPaths,
      defaultLabel,
      tryMasterBranch: repo.tryMasterBranch ?? true,
    };
  }

  const patterned: Repo[] = [];
  for (const entry of options?.repos ?? []) {
    const built = buildRepo(
      entry.name,
      entry,
      normalizeRepoPatterns(entry.name, entry.pattern ?? []),
    );
    if (built) patterned.push(built);
  }
  const fallback = buildRepo('', options, []);
  if (problems.length > 0 || fallback === null) throw invalidOptionsError(problems);
  const defaultRepo = fallback;
  const cloneOnStart = options.cloneOnStart ?? false;
  let closing: Promise<void> | null = null;

  async function findInRepo(
    repo: Repo,
    application: string,
    profiles: readonly string[],
    requestLabel: string | null,
    apps: string[],
    active: string[],
  ): Promise<Environment> {
    await repo.clone.ensureFresh();
    let label = requestLabel ?? repo.defaultLabel;
    let commit = await repo.clone.resolveLabel(label);
    if (commit === null && label === 'main' && repo.tryMasterBranch) {
      const master = await repo.clone.resolveLabel('master');
      if (master !== null) {
        label = 'master';
        commit = master;
      }
    }
    if (commit === null) throw noSuchLabelError(label);

    // A commit never changes, so the environment of (repo, commit, request) can be reused as is.
    const cacheKey = JSON.stringify([
      repo.clone.displayUri,
      repo.searchPaths,
      commit,
      application,
      profiles,
      label,
      apps,
      active,
    ]);
    const cached = environmentCache.get(cacheKey);
    if (cached !== undefined) {
      environmentCache.delete(cacheKey);
      environmentCache.set(cacheKey, cached);
      return { ...cached, profiles: [...cached.profiles] };
    }

    const directories = await searchDirectories(repo, commit, apps, active, label);
    const uri = repo.clone.displayUri;
    const lowestFirst: PropertySource[] = [];
    for (const dir of directories) {
      for (const file of candidateFiles(apps, active)) {
        const text = await repo.clone.readFile(commit, dir, file);
        if (text === null) continue;
        const path = dir === '' ? file : `${dir}/${file}`;
        try {
          lowestFirst.push(
            ...parseConfigFile(text, file, `${uri}/${path}`, active, (position) =>
              position === null
                ? `${uri}/${path}`
                : `Config resource 'file [${uri}/${path}]' via location '${uri}/${dir === '' ? '' : `${dir}/`}' (document #${position})`,
            ),
          );
        } catch (error) {
          log.error(
            { uri, file: path, code: isStratusError(error) ? error.code : undefined },
            'config file unreadable',
          );
          throw repositoryError(error);
        }
      }
    }
    const environment: Environment = {
      name: application,
      profiles: [...profiles],
      label,
      version: commit,
      state: null,
      propertySources: lowestFirst.reverse(),
    };
    environmentCache.set(cacheKey, environment);
    if (environmentCache.size > ENVIRONMENT_CACHE_SIZE) {
      environmentCache.delete(environmentCache.keys().next().value!);
    }
    return { ...environment, profiles: [...environment.profiles] };
  }

  /** The root, then each search path expanded (placeholders, then `*`), lowest precedence first. */
  async function searchDirectories(
    repo: Repo,
    commit: string,
    apps: string[],
    active: string[],
    label: string,
  ): Promise<string[]> {
    const out = [''];
    for (const template of repo.searchPaths) {
      const expanded: string[] = [];
      if (!PLACEHOLDER.test(template)) expanded.push(template);
      else {
        for (const profile of active) {
          for (const app of apps) {
            // A wildcard must come from the configuration, never from a request value.
            if ([app, profile, label].some((value) => value.includes('*'))) continue;
            expanded.push(
              template
                .replaceAll('{application}', app)
                .replaceAll('{profile}', profile)
                .replaceAll('{label}', label),
            );
          }
        }
      }
      for (const path of expanded) {
        const segments = path.split('/').filter((s) => s !== '' && s !== '.');
        if (segments.some((s) => s === '..')) continue;
        out.push(...(await glob(repo.clone, commit, segments)));
      }
    }
    return [...new Set(out)];
  }

  async function findOne(
    application: string,
    profiles: readonly string[],
    label: string | null,
  ): Promise<Environment> {
    const { apps, active } = normalizeRequest(application, profiles, label);
    const repo =
      patterned.find((candidate) => matchesRepo(candidate.patterns, application, active)) ??
      defaultRepo;
    const labels = label === null ? [null] : label.split(',');
    if (labels.length === 1)
      return findInRepo(repo, application, profiles, labels[0]!, apps, active);
    // Several labels: a later label wins, versions are comma-joined (Spring loops in reverse).
    const environments: Environment[] = [];
    for (const one of labels) {
      environments.push(await findInRepo(repo, application, profiles, one, apps, active));
    }
    return {
      name: application,
      profiles: [...profiles],
      label,
      version: environments.map((env) => env.version).join(','),
      state: null,
      propertySources: environments.reverse().flatMap((env) => env.propertySources),
    };
  }

  return Object.freeze({
    findOne,
    async start() {
      if (!cloneOnStart) return;
      for (const clone of clones.values()) await clone.ensureFresh();
    },
    refresh() {
      for (const clone of clones.values()) clone.markStale();
    },
    health(): GitRepositoryHealth {
      const repositories = [...clones.values()].map((clone) => clone.health());
      const status = repositories.some((r) => r.status === 'DOWN')
        ? 'DOWN'
        : repositories.every((r) => r.status === 'UP')
          ? 'UP'
          : 'UNKNOWN';
      return { status, details: { repositories } };
    },
    close() {
      closing ??= Promise.all([...clones.values()].map((clone) => clone.close())).then(
        () => undefined,
      );
      return closing;
    },
  });
}

/** Expands `*` segments against the tree of `commit`; directories only, sorted by name. */
async function glob(clone: GitClone, commit: string, segments: string[]): Promise<string[]> {
  let current = [''];
  for (const segment of segments) {
    if (!segment.includes('*')) {
      current = current.map((dir) => (dir === '' ? segment : `${dir}/${segment}`));
      continue;
    }
    const pattern = new RegExp(
      `^${segment
        .split(/\*+/)
        .map((part) => part.replace(/[.+?^${}()|[\]\\-]/g, '\\$&'))
        .join('[^/]*')}$`,
    );
    const next: string[] = [];
    for (const dir of current) {
      const entries = (await clone.readDirectory(commit, dir)) ?? [];
      for (const entry of entries) {
        if (entry.type === 'tree' && pattern.test(entry.path))
          next.push(dir === '' ? entry.path : `${dir}/${entry.path}`);
      }
    }
    current = next.sort();
  }
  return current;
}

interface ParsedUri {
  source: GitSource;
  displayUri: string;
  /** Identifies the clone directory. */
  key: string;
}

function parseUri(
  raw: unknown,
  username: string | undefined,
  password: Secret | string | undefined,
): ParsedUri | string {
  if (typeof raw !== 'string' || raw.trim() === '') return 'is required';
  const value = raw.trim().replace(/\/+$/, '');
  if (value.includes('{')) return 'placeholders in the uri are not supported';
  const secret =
    password === undefined
      ? undefined
      : password instanceof Secret
        ? password
        : new Secret(String(password));
  if (/^https?:\/\//i.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return 'is not a valid URL';
    }
    const user = username ?? (url.username ? decodeURIComponent(url.username) : undefined);
    const pass =
      secret ?? (url.password ? new Secret(decodeURIComponent(url.password)) : undefined);
    url.username = '';
    url.password = '';
    const clean = url.toString().replace(/\/+$/, '');
    return {
      source: { kind: 'http', url: clean, username: user, password: pass },
      displayUri: clean,
      key: clean,
    };
  }
  let path = value;
  if (path.startsWith('file:')) {
    path = path.slice('file:'.length);
    if (path.startsWith('//')) path = path.replace(/^\/\/(localhost)?/, '');
  } else if (/^[A-Za-z][A-Za-z0-9+.-]+:/.test(path) || /^[^/]+@[^/]+:/.test(path)) {
    return 'only local paths and http(s) URLs are supported';
  }
  const absolute = isAbsolute(path) ? resolve(path) : resolve(process.cwd(), path);
  return { source: { kind: 'local', path: absolute }, displayUri: value, key: `file:${absolute}` };
}
