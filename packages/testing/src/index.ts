// Helpers for tests of Stratus applications: in-memory logs, temporary data folders, the flags
// that run a service alone, and polling without fixed sleeps.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@stratus/core';

/** A debug-level logger whose lines are kept in memory. */
export function captureLogger(name: string): { logger: Logger; text: () => string } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return {
    logger: createLogger({ name, level: 'debug', destination }),
    text: () => chunks.join(''),
  };
}

/** A fresh temporary data folder and its cleanup. */
export function tempDataDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Flags that make a service run alone on 127.0.0.1:0 with its data in `dataDir`. */
export function standaloneArgs(dataDir: string, extra: string[] = []): string[] {
  return [
    '--server.port=0',
    '--server.address=127.0.0.1',
    '--eureka.client.enabled=false',
    '--spring.config.import=',
    `--stratus.data-dir=${dataDir}`,
    '--stratus.messaging.embedded.poll-interval-ms=20',
    ...extra,
  ];
}

/** Polls `check` every 10 ms until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
