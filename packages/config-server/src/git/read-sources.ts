import type { Logger } from '@stratus/core';
import type { PropertySource } from '../environment.js';
import { candidateFiles, parseRepositoryFile } from '../internal/precedence.js';
import type { GitClone } from './clone.js';
import type { Repo } from './repos.js';

const PLACEHOLDER = /\{(application|profile|label)\}/;

/** A validated request: applications, active profiles and the label being read. */
export interface SourcesRequest {
  apps: string[];
  active: string[];
  label: string;
}

/**
 * The property sources of `commit`, highest precedence first: the root, then each search path,
 * a later location winning; inside one, the native backend's file order.
 *
 * @throws StratusError `CFG_ERR_REPOSITORY` for a file that does not parse (logged with its path).
 */
export async function readSources(
  repo: Repo,
  commit: string,
  request: SourcesRequest,
  log: Logger,
): Promise<PropertySource[]> {
  const uri = repo.clone.displayUri;
  const lowestFirst: PropertySource[] = [];
  for (const dir of await searchDirectories(repo, commit, request)) {
    for (const file of candidateFiles(request.apps, request.active)) {
      const text = await repo.clone.readFile(commit, dir, file);
      if (text === null) continue;
      const path = dir === '' ? file : `${dir}/${file}`;
      const location = `${uri}/${dir === '' ? '' : `${dir}/`}`;
      lowestFirst.push(
        ...parseRepositoryFile(
          { text, name: file, originPath: `${uri}/${path}` },
          request.active,
          (position) =>
            position === null
              ? `${uri}/${path}`
              : `Config resource 'file [${uri}/${path}]' via location '${location}' (document #${position})`,
          log,
          { uri, file: path },
        ),
      );
    }
  }
  return lowestFirst.reverse();
}

/** The root, then each search path expanded (placeholders, then `*`), lowest precedence first. */
async function searchDirectories(
  repo: Repo,
  commit: string,
  { apps, active, label }: SourcesRequest,
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
