import { createServer } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/** A port that was free a moment ago (bound on 127.0.0.1:0, then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** True when nothing listens on 127.0.0.1:`port`. */
export async function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A temporary folder removed after the test. */
export async function tempDir(t: TestContext, prefix = 'stratus-e2e-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A JSON call's status, headers and decoded body. */
export interface Call<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** Calls `url` with an optional JSON body and decodes a JSON (or problem+json) answer. */
export async function call<T = unknown>(
  url: string,
  init: { method?: string; json?: unknown; headers?: Record<string, string>; body?: string } = {},
): Promise<Call<T>> {
  const headers: Record<string, string> = { ...init.headers };
  let body = init.body;
  if (init.json !== undefined) {
    body = JSON.stringify(init.json);
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(url, {
    method: init.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body,
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed as T };
}

/** Polls `check` until it returns a value other than `undefined`, or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`,
  );
}

/** The catalogue every shop starts with (services/catalog's seed, as the course's data.sql), as [productId, stock]. */
export const SEEDED_STOCK: ReadonlyArray<readonly [string, number]> = [
  ['CATALOG-001', 100],
  ['CATALOG-002', 110],
  ['CATALOG-003', 120],
];
