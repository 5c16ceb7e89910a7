import { createHash } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import { Secret, type Clock, type Logger } from '@stratus/core';
import { CONFIG_SERVER_DEFAULTS } from '../defaults.js';
import { GitClone, type GitSource } from './clone.js';
import type { GitRepoOptions, GitRepositoryOptions } from './git-repository.js';
import { normalizeRepoPatterns } from './pattern.js';

/** One repository as the backend uses it: its clone, search paths and label rules. */
export interface Repo {
  name: string;
  patterns: string[];
  clone: GitClone;
  searchPaths: string[];
  defaultLabel: string;
  tryMasterBranch: boolean;
}

/** The repositories of one git backend; one clone per distinct URI. */
export interface Repos {
  /** `repos.<name>` entries, tried in order. */
  patterned: Repo[];
  /** The repository of `uri`, or `null` when it is invalid (see `problems`). */
  fallback: Repo | null;
  clones: Map<string, GitClone>;
}

/** What every clone shares. */
export interface CloneSettings {
  basedir: string;
  refreshRateMs: number;
  timeoutMs: number;
  clock: Clock;
  log: Logger;
}

/** Builds every repository of `options`, adding what is wrong with them to `problems`. */
export function buildRepos(
  options: GitRepositoryOptions,
  settings: CloneSettings,
  problems: string[],
): Repos {
  const clones = new Map<string, GitClone>();

  function build(name: string, repo: GitRepoOptions, patterns: string[]): Repo | null {
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
    let clone = clones.get(source.key);
    if (!clone) {
      clone = new GitClone({
        source: source.source,
        displayUri: source.displayUri,
        gitdir: resolve(
          settings.basedir,
          createHash('sha256').update(source.key).digest('hex').slice(0, 16),
        ),
        refreshRateMs: settings.refreshRateMs,
        timeoutMs: settings.timeoutMs,
        clock: settings.clock,
        logger: settings.log,
      });
      clones.set(source.key, clone);
    }
    return {
      name,
      patterns,
      clone,
      searchPaths,
      defaultLabel: repo.defaultLabel ?? CONFIG_SERVER_DEFAULTS.defaultLabel,
      tryMasterBranch: repo.tryMasterBranch ?? CONFIG_SERVER_DEFAULTS.tryMasterBranch,
    };
  }

  const patterned: Repo[] = [];
  for (const entry of options?.repos ?? []) {
    const patterns = normalizeRepoPatterns(entry.name, entry.pattern ?? []);
    const built = build(entry.name, entry, patterns);
    if (built) patterned.push(built);
  }
  return { patterned, fallback: build('', options, []), clones };
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
  if (/^https?:\/\//i.test(value)) return parseHttpUri(value, username, secret);
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

/** An http(s) remote; userinfo moves to the credentials and out of the URI shown. */
function parseHttpUri(
  value: string,
  username: string | undefined,
  secret: Secret | undefined,
): ParsedUri | string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a valid URL';
  }
  const user = username ?? (url.username ? decodeURIComponent(url.username) : undefined);
  const pass = secret ?? (url.password ? new Secret(decodeURIComponent(url.password)) : undefined);
  url.username = '';
  url.password = '';
  const clean = url.toString().replace(/\/+$/, '');
  return {
    source: { kind: 'http', url: clean, username: user, password: pass },
    displayUri: clean,
    key: clean,
  };
}
