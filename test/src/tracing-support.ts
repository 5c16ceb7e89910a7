// Helpers of the tracing and metrics tests: a real Zipkin from scripts/zipkin.sh, a real
// Prometheus from scripts/start-prometheus.sh, and shop traffic through the gateway.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import type { TestContext } from 'node:test';
import { REPO_ROOT } from '@stratus/cli';
import { call, eventually } from './support.js';

/** A script's exit code and output. */
export function runScript(
  file: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    execFile(
      'bash',
      [resolve(REPO_ROOT, file), ...args],
      { timeout: 300_000, env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        done({ code, output: `${stdout}${stderr}`.trim() });
      },
    );
  });
}

/**
 * Starts Zipkin on `port` with scripts/zipkin.sh (stopped after the test). Resolves to its base
 * URL, or to null after skipping the test when it cannot run here (never under CI=true).
 */
export async function startZipkin(t: TestContext, port: number): Promise<string | null> {
  const env = { ZIPKIN_PORT: String(port), ZIPKIN_START_TIMEOUT: '120' };
  t.after(() => runScript('scripts/zipkin.sh', ['stop'], env));
  const started = await runScript('scripts/zipkin.sh', ['start'], env);
  if (started.code !== 0) {
    if (process.env.CI === 'true')
      throw new Error(`scripts/zipkin.sh start failed: ${started.output}`);
    t.skip(`Zipkin could not start here: ${started.output.split('\n').at(-1)}`);
    return null;
  }
  return `http://127.0.0.1:${port}`;
}

/** A Zipkin v2 span as the query API returns it. */
export interface QueriedSpan {
  traceId: string;
  id: string;
  parentId?: string;
  name: string;
  kind?: string;
  localEndpoint?: { serviceName?: string };
  remoteEndpoint?: { serviceName?: string; ipv4?: string; port?: number };
  tags?: Record<string, string>;
}

/** One line per span (`service KIND name id <- parent`), for a failed check's message. */
export function traceLines(spans: readonly QueriedSpan[]): string {
  return spans
    .map(
      (s) =>
        `${s.localEndpoint?.serviceName} ${s.kind} '${s.name}' ${s.id} <- ${s.parentId ?? 'root'}`,
    )
    .join('\n');
}

/** Asserts that `child` is a child of `parent` (a span, or an id); on failure shows the trace. */
export function assertParent(
  spans: readonly QueriedSpan[],
  child: QueriedSpan,
  parent: QueriedSpan | string,
  why = '',
): void {
  const parentId = typeof parent === 'string' ? parent : parent.id;
  if (child.parentId === parentId) return;
  const name = (s: QueriedSpan) => `${s.localEndpoint?.serviceName} ${s.kind} '${s.name}'`;
  const expected = typeof parent === 'string' ? parent : `${name(parent)} ${parent.id}`;
  assert.fail(
    `${why ? `${why}: ` : ''}${name(child)} has parent ${child.parentId}, not ${expected}; the trace:\n${traceLines(spans)}`,
  );
}

/** Waits until Zipkin holds a trace with every span `isComplete` wants, and returns it. */
export function zipkinTrace(
  zipkin: string,
  traceId: string,
  isComplete: (spans: QueriedSpan[]) => boolean,
  timeoutMs = 30_000,
): Promise<QueriedSpan[]> {
  let last: QueriedSpan[] = [];
  return eventually(
    `trace ${traceId} in Zipkin`,
    async () => {
      const response = await call<QueriedSpan[]>(`${zipkin}/api/v2/trace/${traceId}`);
      if (response.status !== 200) return undefined;
      last = response.body;
      return isComplete(last) ? last : undefined;
    },
    timeoutMs,
  ).catch((error: unknown) => {
    const seen = last.map((s) => `${s.localEndpoint?.serviceName}:${s.kind}:${s.name}`).join(', ');
    throw new Error(`${(error as Error).message}; spans so far: ${seen}`);
  });
}

/** Signs a new user up and logs in through the gateway; returns the user id and token. */
export async function signUpAndLogIn(
  gateway: string,
  headers: Record<string, string> = {},
): Promise<{ userId: string; token: string; signUpHeaders: Headers }> {
  const email = `trace-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
  const signUp = await call(`${gateway}/user-service/users`, {
    json: { email, name: 'Trace Tester', pwd: 'correct-horse-battery' },
    headers,
  });
  if (signUp.status !== 201) throw new Error(`sign-up answered ${signUp.status}`);
  const login = await call<{ userId: string; token: string }>(`${gateway}/user-service/login`, {
    json: { email, password: 'correct-horse-battery' },
  });
  if (login.status !== 200) throw new Error(`login answered ${login.status}`);
  return { ...login.body, signUpHeaders: signUp.headers };
}
