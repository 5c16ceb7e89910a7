import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import {
  describeCommand,
  findPortConflicts,
  listeningInodes,
  redactArgument,
} from './port-check.js';

test('a taken port is reported with the pid and command holding it, a free one is not', async (t) => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as { port: number }).port;
  const free = createServer();
  await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
  const freePort = (free.address() as { port: number }).port;
  await new Promise<void>((resolve) => free.close(() => resolve()));

  const conflicts = await findPortConflicts([
    { port, process: 'discovery-service' },
    { port: freePort, process: 'apigateway-service' },
  ]);
  assert.equal(conflicts.length, 1);
  assert.equal(conflicts[0]!.port, port);
  assert.equal(conflicts[0]!.process, 'discovery-service');
  if (!existsSync('/proc/net/tcp')) {
    t.diagnostic('no /proc/net/tcp on this system: the holder is not looked up');
    return;
  }
  assert.equal(conflicts[0]!.holder?.pid, process.pid);
  assert.match(conflicts[0]!.holder!.command, /node/);
});

test('only listening sockets on the exact port count, from a /proc/net/tcp table', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stratus-proc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const table = join(dir, 'tcp');
  writeFileSync(
    table,
    [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:2231 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1',
      '   1: 0100007F:2231 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 222 1',
      '   2: 00000000:22310 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 333 1',
      '   3: 00000000:1F40 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 444 1',
    ].join('\n'),
  );
  assert.deepEqual(listeningInodes(table, 0x2231), ['111']);
  assert.deepEqual(listeningInodes(table, 8000), ['444']);
  assert.deepEqual(listeningInodes(join(dir, 'missing'), 8000), []);
});

test(
  'secret-looking flags of the holder are not shown',
  { skip: !existsSync('/proc/self/cmdline') },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'stratus-proc-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const script = join(dir, 'idle.js');
    writeFileSync(script, 'setTimeout(() => {}, 30000);');
    const child = spawn(process.execPath, [script, '--encrypt.key=s3cr3t', '--server.port=1']);
    t.after(() => child.kill('SIGKILL'));
    await new Promise((resolve) => child.once('spawn', resolve));
    const command = describeCommand(child.pid!);
    assert.match(command, /idle\.js --encrypt\.key=\[redacted\] --server\.port=1$/);
    assert.doesNotMatch(command, /s3cr3t/);
    assert.equal(
      redactArgument('--spring.datasource.password=x'),
      '--spring.datasource.password=[redacted]',
    );
    assert.equal(redactArgument('--server.port=8000'), '--server.port=8000');
  },
);
