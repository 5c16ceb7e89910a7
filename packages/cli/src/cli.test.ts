import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { formatLogLine } from './index.js';

const CLI = fileURLToPath(new URL('../bin/stratus.js', import.meta.url));
const REPO = fileURLToPath(new URL('../../../', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

test(
  'stratus config-server accepts Spring flags and serves config-repo with /encrypt',
  { timeout: 60_000 },
  async (t) => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        CLI,
        'config-server',
        `--server.port=${port}`,
        '--server.address=127.0.0.1',
        '--spring.profiles.active=native',
        '--spring.cloud.config.server.native.search-locations=file:./config-repo',
        '--encrypt.key=secret',
        '--eureka.client.enabled=false',
        '--spring.config.import=',
      ],
      {
        cwd: REPO,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, STRATUS_LOG_FORMAT: 'json' },
      },
    );
    t.after(() => {
      child.kill('SIGTERM');
    });
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line.includes('application started')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`config-server exited with ${code}`)));
    });
    const env = (await (await fetch(`http://127.0.0.1:${port}/user-service/default`)).json()) as {
      propertySources: Array<{ name: string; source: Record<string, unknown> }>;
    };
    assert.ok(env.propertySources.some((s) => s.name.endsWith('config-repo/user-service.yml')));
    assert.ok(env.propertySources.some((s) => 'token.expiration_time' in s.source));
    const cipher = await (
      await fetch(`http://127.0.0.1:${port}/encrypt`, {
        method: 'POST',
        body: 'hello',
        headers: { 'content-type': 'text/plain' },
      })
    ).text();
    const plain = execFileSync(process.execPath, [
      CLI,
      'decrypt',
      `{cipher}${cipher}`,
      '--key=secret',
    ])
      .toString()
      .trim();
    assert.equal(plain, 'hello', 'the server and the CLI share the Spring cipher format');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exited, 0, 'SIGTERM stops it gracefully');
  },
);

test('stratus encrypt and decrypt round-trip, and a wrong key fails without the plain text', () => {
  const cipher = execFileSync(process.execPath, [CLI, 'encrypt', 's3cret value', '--key=k1'])
    .toString()
    .trim();
  assert.match(cipher, /^\{cipher\}[0-9a-f]+$/);
  assert.equal(
    execFileSync(process.execPath, [CLI, 'decrypt', cipher, '--key=k1']).toString().trim(),
    's3cret value',
  );
  assert.throws(() =>
    execFileSync(process.execPath, [CLI, 'decrypt', cipher, '--key=k2'], { stdio: 'pipe' }),
  );
});

test('the combined log shows level, message and fields and escapes hostile values', () => {
  const line = JSON.stringify({
    level: 40,
    time: 0,
    msg: 'request failed',
    app: 'x',
    note: 'a\nFAKE | line',
  });
  const formatted = formatLogLine('user-service', line, null, 12);
  assert.match(
    formatted,
    /^user-service \| 00:00:00 WARN {2}request failed app=x note="a\\nFAKE \| line"$/,
  );
  assert.equal(formatLogLine('svc', 'plain text', null, 3), 'svc | plain text');
});
