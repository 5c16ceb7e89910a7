import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as argon2 from 'argon2';
import bcrypt from 'bcryptjs';
import { captureLogger } from '@stratus/testing';
import { createPasswordHasher, PREFERRED_PASSWORD_ID, type PasswordHasher } from './passwords.js';
import { splitStoredPassword } from './password-formats/stored-password.js';

const PASSWORD = 'spring-Passw0rd-4b1e';
const CHEAP = { memoryCostKib: 4096, timeCost: 1 };

// Written by Spring Security 6.5.5 for PASSWORD (see test-java/SpringPasswords.java); the live
// cross-check against the Java encoders is passwords-spring.test.ts.
const SPRING_HASHES: Record<string, string> = {
  factory: '{bcrypt}$2a$10$m.ZStThHDM1qVHCqM4EjLORqUO0vRaugKA7YQT4WB55DM8NokvEyK',
  bcrypt: '$2a$10$zYh4ODU2Ud2bbgv5/Fy/cukbzqwa0wDqniwecoJbfv5QAm4D4t2ua',
  'argon2@SpringSecurity_v5_8':
    '{argon2@SpringSecurity_v5_8}$argon2id$v=19$m=16384,t=2,p=1$e8feMTD0len+gUCOqwqn9Q$LHEM2t73qAKpD2wiGCE6neEeYihgxS9b6jr6MhBhv2E',
  argon2:
    '{argon2}$argon2id$v=19$m=4096,t=3,p=1$KQ+tQT5tGXI/c7LOXcOATw$cHhzhtjCifYhcBO4z4fNvYLafIZB1APubjx612ksHn8',
  'pbkdf2@SpringSecurity_v5_8':
    '{pbkdf2@SpringSecurity_v5_8}dca006a39dc0417a219c92e13991d5a6c787526dc47489f86a6a07d1d0bd1f8ba283497649741984c62f652d953fa800',
  pbkdf2:
    '{pbkdf2}b8e750665de4bc8da2ea1596998bfbc8eb58f47c4fbd827919631d054a2b8d41bb141f672de40b19',
  'scrypt@SpringSecurity_v5_8':
    '{scrypt@SpringSecurity_v5_8}$100801$yNtw3s4Wme61RidBnzYKHg==$zC3GsNF/SHHcgjOCSD51gAHsoV6eUqcr9tGs3qd4Hxg=',
  scrypt:
    '{scrypt}$e0801$VQmVY2xXmoa5KMacYs45LsUP7Sb5OL4vvg+xpQGDtP5PJqpxylB3A/WxGX/BWIXwlXpMBtdeSSp5biZgZUkrIQ==$prAbxg/pCx7xp2Cj6o0cKUnkqESWfu/U0DuOYVMQ/Xs=',
};
const SPRING_SHA256 =
  '{sha256}0b20533554a906ece471ab4f7d0e03b24d3f2c22c15439b6665cb4229060f613af5372bb83231aa6';

async function median(times: number, run: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  return samples.sort((a, b) => a - b)[Math.floor(times / 2)]!;
}

test('writes new hashes as {argon2@SpringSecurity_v5_8} PHC strings with the configured costs', async () => {
  const passwords = await createPasswordHasher(CHEAP);
  const stored = await passwords.hash(PASSWORD);
  assert.match(
    stored,
    /^\{argon2@SpringSecurity_v5_8\}\$argon2id\$v=19\$m=4096,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/,
  );
  assert.deepEqual(await passwords.verify(stored, PASSWORD), {
    matches: true,
    needsRehash: false,
    format: PREFERRED_PASSWORD_ID,
  });
  assert.equal((await passwords.verify(stored, `${PASSWORD}x`)).matches, false);
});

test('verifies every Spring Security format it supports and asks to re-hash each of them', async () => {
  const passwords = await createPasswordHasher(); // Stratus's costs are above Spring's v5.8 ones
  for (const [name, stored] of Object.entries(SPRING_HASHES)) {
    const right = await passwords.verify(stored, PASSWORD);
    assert.equal(right.matches, true, `${name} matches`);
    assert.equal(right.needsRehash, true, `${name} is re-hashed`);
    assert.equal((await passwords.verify(stored, 'Spring-Passw0rd-4b1e')).matches, false, name);
  }
});

test('verifies bare $2b$, $2y$ and $2$ bcrypt hashes as BCryptPasswordEncoder accepts them', async () => {
  const passwords = await createPasswordHasher(CHEAP);
  // $2a$, $2b$ and $2y$ compute the same for passwords under 255 bytes.
  const bare = SPRING_HASHES.bcrypt!;
  const noMinor = bcrypt.hashSync(PASSWORD, '$2$04$abcdefghijklmnopqrstuu');
  for (const stored of [bare.replace('$2a$', '$2b$'), bare.replace('$2a$', '$2y$'), noMinor]) {
    assert.equal((await passwords.verify(stored, PASSWORD)).matches, true, stored.slice(0, 4));
    assert.equal((await passwords.verify(stored, 'wrong')).matches, false, stored.slice(0, 4));
  }
  // $2x$ (the crypt_blowfish sign bug) is not in BCryptPasswordEncoder's pattern.
  assert.equal((await passwords.verify(bare.replace('$2a$', '$2x$'), PASSWORD)).matches, false);
});

test('keeps verifying unprefixed argon2 hashes of earlier releases and asks to re-hash them', async () => {
  const passwords = await createPasswordHasher(CHEAP);
  const legacy = await argon2.hash(PASSWORD, {
    type: argon2.argon2id,
    memoryCost: 4096,
    timeCost: 1,
  });
  assert.deepEqual(await passwords.verify(legacy, PASSWORD), {
    matches: true,
    needsRehash: true,
    format: 'argon2 (no id)',
  });
  assert.equal((await passwords.verify(legacy, 'wrong')).needsRehash, false);
});

test('asks to re-hash {argon2@SpringSecurity_v5_8} hashes with less memory or fewer passes than configured', async () => {
  const strong = await createPasswordHasher({ memoryCostKib: 8192, timeCost: 2 });
  const cases: Array<[{ memoryCostKib: number; timeCost: number }, boolean]> = [
    [{ memoryCostKib: 4096, timeCost: 2 }, true],
    [{ memoryCostKib: 8192, timeCost: 1 }, true],
    [{ memoryCostKib: 8192, timeCost: 2 }, false],
    [{ memoryCostKib: 16384, timeCost: 3 }, false],
  ];
  for (const [costs, expected] of cases) {
    const stored = await (await createPasswordHasher(costs)).hash(PASSWORD);
    const check = await strong.verify(stored, PASSWORD);
    assert.equal(check.matches, true);
    assert.equal(check.needsRehash, expected, JSON.stringify(costs));
  }
  const argon2i = await argon2.hash(PASSWORD, {
    type: argon2.argon2i,
    memoryCost: 8192,
    timeCost: 2,
  });
  assert.equal(
    (await strong.verify(`{${PREFERRED_PASSWORD_ID}}${argon2i}`, PASSWORD)).needsRehash,
    true,
  );
});

test('refuses {noop}, {sha256}, other digests and unknown ids even with the right password, logging the id but never the hash', async () => {
  const { logger, text } = captureLogger('passwords');
  const passwords = await createPasswordHasher({ ...CHEAP, logger });
  const refused = [
    `{noop}${PASSWORD}`,
    SPRING_SHA256,
    `{MD5}{salt}${PASSWORD}`,
    `{bcrypt2}${SPRING_HASHES.bcrypt}`,
    `{}${PASSWORD}`,
    PASSWORD,
    `{${SPRING_HASHES.bcrypt}}`,
  ];
  for (const stored of refused) {
    assert.deepEqual(
      (await passwords.verify(stored, PASSWORD)).matches,
      false,
      stored.slice(0, 12),
    );
  }
  const logs = text();
  assert.match(logs, /"format":"noop"/);
  assert.match(logs, /"format":"sha256","reason":"insecure-format"/);
  assert.match(logs, /"format":"bcrypt2","reason":"unknown-format"/);
  assert.match(logs, /"format":"\(unreadable id\)"/);
  assert.ok(!logs.includes(PASSWORD), 'no password');
  assert.ok(!logs.includes('0b20533554a9'), 'no sha256 hash');
  assert.ok(!logs.includes('zYh4ODU2Ud2b'), 'no bcrypt hash');
});

test('refuses malformed hashes and hashes asking for more work than the limits, quickly', async () => {
  const { logger, text } = captureLogger('passwords');
  const passwords = await createPasswordHasher({ ...CHEAP, logger });
  const salt = 'e8feMTD0len+gUCOqwqn9Q';
  const hash = 'LHEM2t73qAKpD2wiGCE6neEeYihgxS9b6jr6MhBhv2E';
  const hostile = [
    '{bcrypt}$2a$10$short',
    '{bcrypt}$2a$31$zYh4ODU2Ud2bbgv5/Fy/cukbzqwa0wDqniwecoJbfv5QAm4D4t2ua',
    `{argon2@SpringSecurity_v5_8}$argon2id$v=19$m=4194304,t=2,p=1$${salt}$${hash}`,
    `{argon2@SpringSecurity_v5_8}$argon2id$v=19$m=16384,t=1000,p=1$${salt}$${hash}`,
    `{argon2@SpringSecurity_v5_8}$argon2id$v=19$m=16384,t=2,p=1$${salt}$not*base64`,
    '{scrypt@SpringSecurity_v5_8}$140801$yNtw3s4Wme61RidBnzYKHg==$zC3GsNF/SHHcgjOCSD51gAHsoV6eUqcr9tGs3qd4Hxg=',
    '{scrypt@SpringSecurity_v5_8}$100801$yNtw3s4Wme61RidBnzYKHg==$zC3GsNF/SHHcgjOC',
    '{pbkdf2@SpringSecurity_v5_8}dca006a39dc0417a',
    '{pbkdf2@SpringSecurity_v5_8}zz',
  ];
  const start = performance.now();
  for (const stored of hostile) {
    assert.equal((await passwords.verify(stored, PASSWORD)).matches, false, stored.slice(0, 40));
  }
  assert.ok(performance.now() - start < 5000, 'no hash took its hostile cost');
  assert.equal(text().match(/"reason":"malformed-or-too-costly"/g)?.length, hostile.length);
});

test('an unknown user and a refused format cost about as much as a wrong password', async () => {
  const passwords: PasswordHasher = await createPasswordHasher();
  const stored = await passwords.hash(PASSWORD);
  await passwords.verify(stored, 'warm-up');
  const wrong = await median(5, () => passwords.verify(stored, 'wrong-password'));
  const unknown = await median(5, () => passwords.verify(null, PASSWORD));
  const noop = await median(5, () => passwords.verify(`{noop}${PASSWORD}`, PASSWORD));
  assert.ok(unknown > wrong / 2, `unknown user ${unknown} ms vs wrong password ${wrong} ms`);
  assert.ok(noop > wrong / 2, `{noop} ${noop} ms vs wrong password ${wrong} ms`);
});

test('splits the {id} prefix as DelegatingPasswordEncoder does', () => {
  assert.deepEqual(splitStoredPassword('{bcrypt}$2a$10$x'), { id: 'bcrypt', encoded: '$2a$10$x' });
  assert.deepEqual(splitStoredPassword('{a}b}c'), { id: 'a', encoded: 'b}c' });
  assert.deepEqual(splitStoredPassword('{}x'), { id: '', encoded: 'x' });
  assert.deepEqual(splitStoredPassword('$2a$10$x'), { id: null, encoded: '$2a$10$x' });
  assert.deepEqual(splitStoredPassword('{open'), { id: null, encoded: '{open' });
  assert.deepEqual(splitStoredPassword('x{bcrypt}y'), { id: null, encoded: 'x{bcrypt}y' });
});
