import { constants as fsConstants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { sep } from 'node:path';
import type { Logger } from '@stratus/core';
import { stampOf, type FileStamp } from './file-stamps.js';

/**
 * Reads `path` only if its real path is inside the real `root`; `null` when it does not exist,
 * is not a regular file, or escapes the root (a symlink pointing outside is refused). The stamp
 * is the opened file's, taken before its bytes are read.
 */
export async function readConfined(
  root: string,
  path: string,
  log: Logger,
): Promise<{ text: string; stamp: FileStamp } | null> {
  let realRoot: string;
  let realFile: string;
  try {
    realRoot = await realpath(root);
    realFile = await realpath(path);
  } catch {
    return null;
  }
  if (
    realFile !== realRoot &&
    !realFile.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep)
  ) {
    log.warn({ file: path }, 'config file outside its search location refused');
    return null;
  }
  let handle;
  try {
    // O_NOFOLLOW: the checked real path must not have become a symlink since (CVE-2026-41002).
    handle = await open(realFile, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
  } catch {
    log.warn({ file: path }, 'config file could not be opened');
    return null;
  }
  try {
    const info = await handle.stat({ bigint: true });
    if (!info.isFile()) return null;
    const stamp = stampOf(path, info);
    return { text: await handle.readFile({ encoding: 'utf8' }), stamp };
  } finally {
    await handle.close();
  }
}
