import { statSync, type BigIntStats } from 'node:fs';

/**
 * What a file or directory looked like: its change times (ns), size and inode, or `null` when
 * it did not exist. Any edit, replacement or deletion of a file changes its stamp; creating,
 * deleting or renaming an entry changes its directory's.
 */
export interface FileStamp {
  readonly path: string;
  readonly stamp: string | null;
  /** Latest of mtime and ctime, epoch ms; 0 when absent. */
  readonly changedAtMs: number;
}

/**
 * A change this close to the moment a stamp was taken may share its timestamp with a later
 * change (file systems keep time in ticks of a few ms, FAT in 2 s): such a stamp proves
 * nothing (git's "racily clean" entries).
 */
export const RACY_MS = 2_000;

/** The stamp of `info` (from `stat` or `fstat` with `bigint: true`), for `path`. */
export function stampOf(path: string, info: BigIntStats | undefined): FileStamp {
  if (info === undefined) return { path, stamp: null, changedAtMs: 0 };
  const changedNs = info.mtimeNs > info.ctimeNs ? info.mtimeNs : info.ctimeNs;
  return {
    path,
    stamp: `${info.mtimeNs}:${info.ctimeNs}:${info.size}:${info.ino}:${info.isDirectory()}`,
    changedAtMs: Number(changedNs / 1_000_000n),
  };
}

/**
 * The stamp of `path` now. Synchronous on purpose: a `stat` of a local file takes
 * microseconds, less than a round trip through the thread pool that gzip and file reads share.
 */
export function stampNow(path: string): FileStamp {
  let info: BigIntStats | undefined;
  try {
    info = statSync(path, { bigint: true, throwIfNoEntry: false });
  } catch {
    info = undefined;
  }
  return stampOf(path, info);
}

/** True while every stamp still describes its path. */
export function isUnchanged(stamps: readonly FileStamp[]): boolean {
  for (const recorded of stamps) if (stampNow(recorded.path).stamp !== recorded.stamp) return false;
  return true;
}

/** True when a stamp was taken too close to its path's last change to be trusted. */
export function isRacy(stamps: readonly FileStamp[], takenAtMs: number): boolean {
  return stamps.some((s) => s.stamp !== null && Math.abs(takenAtMs - s.changedAtMs) < RACY_MS);
}
