// Helpers for boot's own tests: an application in a temporary folder, its log lines kept.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { TestContext } from 'node:test';
import { createLogger, type Clock } from '@stratus/core';
import { createApplication, type Application } from '../application.js';

/** What {@link testApp} takes. */
export interface TestAppOptions {
  /** The app's `application.yml`. */
  yaml?: string;
  /** Flags after the standalone ones (port 0 on 127.0.0.1, no registry, no config server). */
  argv?: string[];
  env?: Record<string, string | undefined>;
  clock?: Clock;
  /** Wiring, as `createApplication`'s second argument. */
  configure?: (app: Application) => void | Promise<void>;
}

/** A test application and what it left behind. */
export interface TestApp {
  app: Application;
  /** Its folder: `application.yml` and `data/`. */
  dir: string;
  /** Every log line so far. */
  logs: () => string;
}

/** A temporary folder removed after the test. */
export async function tempDir(t: TestContext, prefix = 'stratus-boot-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Creates (not starts) an application in a fresh folder; it is closed after the test. */
export async function testApp(t: TestContext, options: TestAppOptions = {}): Promise<TestApp> {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'application.yml'), options.yaml ?? '');
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const app = await createApplication(
    {
      name: 'demo-service',
      baseDir: dir,
      argv: [
        '--server.port=0',
        '--server.address=127.0.0.1',
        '--eureka.client.enabled=false',
        '--spring.config.import=',
        `--stratus.data-dir=${join(dir, 'data')}`,
        '--stratus.messaging.embedded.poll-interval-ms=20',
        ...(options.argv ?? []),
      ],
      env: options.env ?? {},
      clock: options.clock,
      logger: createLogger({ name: 'demo', level: 'debug', destination }),
    },
    options.configure,
  );
  t.after(() => app.close());
  return { app, dir, logs: () => lines.join('') };
}

/** Polls `check` until it returns something other than `undefined`, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
