import * as fs from 'node:fs';
import { mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { add, annotatedTag, branch, checkout, commit, init, remove, tag } from 'isomorphic-git';
import { tempDir } from '@stratus/testing';

const author = { name: 'Stratus Test', email: 'test@stratus.invalid', timestamp: 1_700_000_000 };

/** Test-only: a git work tree in a temp directory, built with isomorphic-git. */
export interface TestRepo {
  dir: string;
  /** Writes (string) or deletes (null) files, stages them and commits; returns the commit id. */
  commit(files: Record<string, string | null>, message?: string): Promise<string>;
  /** Creates a branch at HEAD and checks it out. */
  branch(name: string): Promise<void>;
  checkout(name: string): Promise<void>;
  /** A lightweight tag, or an annotated one with `annotated`. */
  tag(name: string, annotated?: boolean): Promise<void>;
}

/** Test-only: a new repository whose first branch is `defaultBranch`. */
export async function makeRepo(t: TestContext, defaultBranch = 'main'): Promise<TestRepo> {
  const dir = tempDir(t, 'stratus-git-remote-');
  await init({ fs, dir, defaultBranch });
  let tick = 0;
  return {
    dir,
    async commit(files, message = 'change') {
      for (const [path, text] of Object.entries(files)) {
        const full = join(dir, path);
        if (text === null) {
          unlinkSync(full);
          await remove({ fs, dir, filepath: path });
        } else {
          mkdirSync(dirname(full), { recursive: true });
          writeFileSync(full, text);
          await add({ fs, dir, filepath: path });
        }
      }
      tick += 1;
      return commit({
        fs,
        dir,
        message,
        author: { ...author, timestamp: author.timestamp + tick },
      });
    },
    async branch(name) {
      await branch({ fs, dir, ref: name, checkout: true });
    },
    async checkout(name) {
      await checkout({ fs, dir, ref: name });
    },
    async tag(name, annotated = false) {
      if (annotated) await annotatedTag({ fs, dir, ref: name, message: name, tagger: author });
      else await tag({ fs, dir, ref: name });
    },
  };
}
