// A remote reached over git's smart HTTP protocol with Basic credentials, served in the test by
// `git http-backend` (the CGI program that ships with git) behind a tiny Node HTTP server.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname } from 'node:path';
import { createGitRepository } from './git-repository.js';
import { tempDir } from '@stratus/testing';
import { makeRepo } from '../testing/git-repo.js';

const USER = 'config-reader';
const PASSWORD = 'git-s3cret-pw';
const hasGit = spawnSync('git', ['--version']).status === 0;

/** Serves `projectRoot` with `git http-backend`, demanding Basic credentials. */
async function gitHttpServer(t: TestContext, projectRoot: string): Promise<string> {
  const expected = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="git"' }).end();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const cgi = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: projectRoot,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: url.pathname,
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        REMOTE_USER: USER,
        REMOTE_ADDR: '127.0.0.1',
      },
    });
    req.pipe(cgi.stdin);
    const chunks: Buffer[] = [];
    cgi.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    cgi.on('close', () => {
      const output = Buffer.concat(chunks);
      const split = output.indexOf('\r\n\r\n');
      const head = output.subarray(0, split).toString('latin1');
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.split('\r\n')) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
        else if (name) headers[name] = value;
      }
      res.writeHead(status, headers).end(output.subarray(split + 4));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test(
  'clones and refreshes an http remote with Basic credentials; a wrong password leaves health DOWN without the secret',
  { skip: hasGit ? false : 'git is not installed' },
  async (t) => {
    const remote = await makeRepo(t);
    const first = await remote.commit({ 'orders.yml': 'greeting: from-http\n' });
    const base = await gitHttpServer(t, dirname(remote.dir));
    const uri = `${base}/${basename(remote.dir)}`;

    const repository = createGitRepository({
      uri,
      username: USER,
      password: PASSWORD,
      basedir: tempDir(t, 'stratus-git-http-'),
    });
    t.after(() => repository.close());
    const env = await repository.findOne('orders', ['default'], null);
    assert.equal(env.version, first);
    assert.equal(env.propertySources[0]?.source.greeting, 'from-http');
    assert.equal(env.propertySources[0]?.name, `${uri}/orders.yml`);

    const second = await remote.commit({ 'orders.yml': 'greeting: second\n' });
    repository.refresh();
    const next = await repository.findOne('orders', ['default'], null);
    assert.equal(next.version, second);
    assert.equal(next.propertySources[0]?.source.greeting, 'second');

    const denied = createGitRepository({
      uri,
      username: USER,
      password: 'wrong',
      basedir: tempDir(t, 'stratus-git-http-'),
    });
    t.after(() => denied.close());
    await assert.rejects(denied.findOne('orders', ['default'], null));
    const health = denied.health();
    assert.equal(health.status, 'DOWN');
    assert.doesNotMatch(JSON.stringify(health), /wrong|git-s3cret/);
  },
);
