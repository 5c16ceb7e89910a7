import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as argon2 from 'argon2';
import Database from 'better-sqlite3';
import type { Application } from '@stratus/boot';
import { captureLogger, eventually, standaloneArgs, tempDataDir } from '@stratus/testing';
import { createUserService } from './index.js';

const SECRET = 'user-service-test-secret-0123456789abcdef';
const PASSWORD = 'spring-Passw0rd-4b1e';
// Written for PASSWORD by Spring Security 6.5.5: PasswordEncoderFactories
// .createDelegatingPasswordEncoder() and a bare BCryptPasswordEncoder (test-java/SpringPasswords.java).
const SPRING_DELEGATING_BCRYPT =
  '{bcrypt}$2a$10$m.ZStThHDM1qVHCqM4EjLORqUO0vRaugKA7YQT4WB55DM8NokvEyK';
const SPRING_BARE_BCRYPT = '$2a$10$zYh4ODU2Ud2bbgv5/Fy/cukbzqwa0wDqniwecoJbfv5QAm4D4t2ua';
const UPGRADED = /^\{argon2@SpringSecurity_v5_8\}\$argon2id\$v=19\$m=4096,t=1,p=1\$/;

interface Running {
  app: Application;
  base: string;
  logs: () => string;
}

async function startUserService(dataDir: string): Promise<Running> {
  const { logger, text } = captureLogger('user-service');
  const app = await createUserService({
    argv: standaloneArgs(dataDir, [
      '--shop.password.argon2.memory-cost=4096',
      '--shop.password.argon2.time-cost=1',
      `--token.secret=${SECRET}`,
    ]),
    env: {},
    logger,
  });
  await app.start();
  return { app, base: `http://127.0.0.1:${app.port}`, logs: text };
}

async function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** The users table, opened beside the service as another user-service (Java or not) would. */
function openUsersTable(dataDir: string) {
  const sqlite = new Database(join(dataDir, 'user-service.db'));
  return {
    storedHash: (email: string) =>
      (
        sqlite.prepare('select encrypted_pwd from users where email = ?').get(email) as {
          encrypted_pwd: string;
        }
      ).encrypted_pwd,
    setHash: (email: string, hash: string) =>
      sqlite.prepare('update users set encrypted_pwd = ? where email = ?').run(hash, email),
    close: () => sqlite.close(),
  };
}

test('Java-written bcrypt and earlier argon2 hashes log in through /login and are stored as {argon2@SpringSecurity_v5_8}; wrong passwords change nothing', async (t) => {
  const data = tempDataDir('user-service');
  t.after(() => data.remove());
  const legacyArgon2 = await argon2.hash(PASSWORD, {
    type: argon2.argon2id,
    memoryCost: 4096,
    timeCost: 1,
  });
  const stored: Record<string, string> = {
    'java-delegating@example.com': SPRING_DELEGATING_BCRYPT,
    'java-bare@example.com': SPRING_BARE_BCRYPT,
    'stratus-legacy@example.com': legacyArgon2,
  };

  const first = await startUserService(data.dir);
  const users = openUsersTable(data.dir);
  t.after(() => users.close());
  for (const [email, hash] of Object.entries(stored)) {
    const created = await post(`${first.base}/users`, {
      email,
      name: 'Ada',
      pwd: 'placeholder-pw',
    });
    assert.equal(created.status, 201);
    users.setHash(email, hash);
  }
  for (const email of Object.keys(stored)) {
    const wrong = await post(`${first.base}/login`, { email, password: `${PASSWORD}-wrong` });
    assert.equal(wrong.status, 401, email);
  }
  await first.app.close(); // waits for any scheduled upgrade
  for (const [email, hash] of Object.entries(stored))
    assert.equal(users.storedHash(email), hash, `${email} untouched after a wrong password`);

  const second = await startUserService(data.dir);
  t.after(() => second.app.close());
  for (const email of Object.keys(stored)) {
    const login = await post(`${second.base}/login`, { email, password: PASSWORD });
    assert.equal(login.status, 200, email);
    assert.ok(login.headers.get('token'), email);
  }
  for (const email of Object.keys(stored)) {
    const upgraded = await eventually(async () => {
      const hash = users.storedHash(email);
      return UPGRADED.test(hash) ? hash : undefined;
    });
    const again = await post(`${second.base}/login`, { email, password: PASSWORD });
    assert.equal(again.status, 200, `${email} logs in with the upgraded hash`);
    const wrong = await post(`${second.base}/login`, { email, password: `${PASSWORD}-wrong` });
    assert.equal(wrong.status, 401, `${email} upgraded hash refuses a wrong password`);
    assert.equal(users.storedHash(email), upgraded, `${email} upgraded once`);
  }
  const logs = second.logs();
  assert.match(logs, /"from":"bcrypt".*"password hash upgraded"/);
  assert.match(logs, /"from":"bcrypt \(no id\)".*"password hash upgraded"/);
  assert.match(logs, /"from":"argon2 \(no id\)".*"password hash upgraded"/);
  assert.ok(!logs.includes(PASSWORD), 'never logs the password');
  assert.ok(!logs.includes('$2a$10$'), 'never logs a hash');
});

test('a stored {noop} password never logs in and is not upgraded; the warning names the id, not the hash', async (t) => {
  const data = tempDataDir('user-service');
  t.after(() => data.remove());
  const running = await startUserService(data.dir);
  t.after(() => running.app.close());
  const users = openUsersTable(data.dir);
  t.after(() => users.close());
  const email = 'plain@example.com';
  assert.equal(
    (await post(`${running.base}/users`, { email, name: 'Pat', pwd: 'placeholder-pw' })).status,
    201,
  );
  users.setHash(email, `{noop}${PASSWORD}`);
  const login = await post(`${running.base}/login`, { email, password: PASSWORD });
  assert.equal(login.status, 401);
  assert.equal(((await login.json()) as { code: string }).code, 'SHOP_ERR_BAD_CREDENTIALS');
  await running.app.close();
  assert.equal(users.storedHash(email), `{noop}${PASSWORD}`);
  const logs = running.logs();
  assert.match(logs, /"format":"noop","reason":"insecure-format".*"stored password hash refused"/);
  assert.ok(!logs.includes(PASSWORD), 'never logs the stored value');
});
