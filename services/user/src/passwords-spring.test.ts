import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPasswordHasher } from './passwords.js';

// Spring Security's own encoders (spring-security-crypto 6.5.5 from Maven Central, run with the
// machine's Java) against Stratus's hasher, in both directions.
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const SOURCE = fileURLToPath(new URL('../test-java/SpringPasswords.java', import.meta.url));
const LIBS = join(ROOT, '.infra/java-libs');
const FETCH_DEPS = join(ROOT, 'test/java/fetch-deps.sh');
// spring-jcl is the commons-logging the encoders log through; Argon2 runs on Bouncy Castle.
const JARS = [
  'spring-security-crypto-6.5.5.jar',
  'spring-jcl-5.3.28.jar',
  'bcprov-jdk18on-1.78.jar',
];
const PASSWORDS = ['canary-Passw0rd-7f3a', '비밀번호-한국어-✓ü', 'p'.repeat(72)];
/** bcrypt's 72-byte edge is checked with bcrypt only: Java's scrypt and pbkdf2 take seconds each. */
const passwordsFor = (encoder: string) =>
  encoder === 'factory' || encoder.startsWith('bcrypt') ? PASSWORDS : PASSWORDS.slice(0, 2);
const WRONG = 'canary-Passw0rd-7f3A';

function has(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore', timeout: 20_000 }).status === 0;
}

/** Compiles the Java side into a temporary folder; returns the classpath, or why it cannot. */
function prepare(): { classpath: string; classes: string } | { reason: string } {
  if (!has('java', ['-version']) || !has('javac', ['-version']))
    return { reason: 'java/javac not found' };
  const present = () => JARS.every((jar) => existsSync(join(LIBS, jar)));
  if (!present()) {
    if (!has('mvn', ['-v'])) return { reason: 'Spring jars missing and mvn not found' };
    spawnSync('sh', [FETCH_DEPS], { stdio: 'pipe', timeout: 300_000 });
    if (!present()) return { reason: 'could not fetch the Spring jars (test/java/fetch-deps.sh)' };
  }
  const jars = JARS.map((jar) => join(LIBS, jar)).join(':');
  const classes = mkdtempSync(join(tmpdir(), 'stratus-spring-passwords-'));
  execFileSync('javac', ['-d', classes, '-cp', jars, SOURCE], { stdio: 'pipe', timeout: 120_000 });
  return { classpath: `${classes}:${jars}`, classes };
}

const ready = prepare();
const skip =
  'reason' in ready
    ? process.env.CI === 'true'
      ? false // In CI a missing toolchain is a failure, not a skip.
      : `Spring password vectors skipped: ${ready.reason}`
    : false;
if ('classes' in ready)
  process.once('exit', () => rmSync(ready.classes, { recursive: true, force: true }));

type Request = [
  id: string,
  op: 'encode' | 'matches' | 'upgrade',
  encoder: string,
  ...args: string[],
];

/** Runs the requests in one JVM; returns each answer by id, or `ERR:<exception>`. */
function runSpring(requests: Request[]): Map<string, string> {
  if ('reason' in ready) assert.fail(`CI=true and the Spring vectors cannot run: ${ready.reason}`);
  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  const input = requests
    .map(([id, op, encoder, ...args]) => [id, op, encoder, ...args.map(b64)].join('\t'))
    .join('\n');
  const output = execFileSync('java', ['-cp', ready.classpath, 'SpringPasswords'], {
    input: `${input}\n`,
    maxBuffer: 16 * 1024 * 1024,
    timeout: 120_000,
  }).toString('utf8');
  const answers = new Map<string, string>();
  for (const line of output.split('\n').filter(Boolean)) {
    const [id, status, value] = line.split('\t') as [string, string, string];
    answers.set(
      id,
      status === 'OK' ? Buffer.from(value, 'base64').toString('utf8') : `ERR:${value}`,
    );
  }
  for (const [id] of requests) {
    const answer = answers.get(id);
    assert.ok(answer !== undefined && !answer.startsWith('ERR:'), `Spring failed ${id}: ${answer}`);
  }
  return answers;
}

test(
  'verifies what Spring Security encoders write, re-hashing each, and refuses {noop} and {sha256}',
  { skip, timeout: 180_000 },
  async () => {
    const encoders = [
      'factory',
      'bcrypt',
      'bcrypt-2b',
      'bcrypt-2y',
      'argon2@SpringSecurity_v5_8',
      'argon2',
      'pbkdf2@SpringSecurity_v5_8',
      'pbkdf2',
      'scrypt@SpringSecurity_v5_8',
      'scrypt',
    ];
    const requests: Request[] = [];
    for (const encoder of [...encoders, 'noop', 'sha256'])
      passwordsFor(encoder).forEach((password, i) =>
        requests.push([`${encoder}#${i}`, 'encode', encoder, password]),
      );
    const hashes = runSpring(requests);

    assert.match(hashes.get('factory#0')!, /^\{bcrypt\}\$2a\$10\$/);
    assert.match(hashes.get('bcrypt-2y#0')!, /^\$2y\$10\$/);
    const passwords = await createPasswordHasher(); // Stratus's costs are above Spring's v5.8 ones
    for (const encoder of encoders) {
      for (const [i, password] of passwordsFor(encoder).entries()) {
        const stored = hashes.get(`${encoder}#${i}`)!;
        const check = await passwords.verify(stored, password);
        assert.equal(check.matches, true, `${encoder} #${i} matches`);
        assert.equal(check.needsRehash, true, `${encoder} #${i} is re-hashed`);
      }
      const first = hashes.get(`${encoder}#0`)!;
      assert.equal((await passwords.verify(first, WRONG)).matches, false, `${encoder} wrong`);
    }
    for (const encoder of ['noop', 'sha256']) {
      const check = await passwords.verify(hashes.get(`${encoder}#0`)!, PASSWORDS[0]!);
      assert.equal(check.matches, false, `${encoder} is refused`);
    }
  },
);

test(
  "Spring Security's DelegatingPasswordEncoder verifies the hashes Stratus writes, and would not re-hash them",
  { skip, timeout: 180_000 },
  async () => {
    const stratus = await createPasswordHasher();
    const cheap = await createPasswordHasher({ memoryCostKib: 4096, timeCost: 1 });
    const requests: Request[] = [];
    for (const [i, password] of PASSWORDS.entries()) {
      const stored = await stratus.hash(password);
      const bare = stored.replace(/^\{[^}]*\}/, '');
      requests.push(
        [`factory#${i}`, 'matches', 'factory', password, stored],
        [`wrong#${i}`, 'matches', 'factory', WRONG, stored],
        [`bare#${i}`, 'matches', 'argon2-v5_8', password, bare],
        [`upgrade#${i}`, 'upgrade', 'prefer-argon2', stored],
      );
    }
    const weak = await cheap.hash(PASSWORDS[0]!);
    requests.push(
      ['cheap', 'matches', 'factory', PASSWORDS[0]!, weak],
      ['cheap-upgrade', 'upgrade', 'prefer-argon2', weak],
    );
    const answers = runSpring(requests);

    for (const i of PASSWORDS.keys()) {
      assert.equal(answers.get(`factory#${i}`), 'true', `createDelegatingPasswordEncoder #${i}`);
      assert.equal(answers.get(`wrong#${i}`), 'false', `wrong password #${i}`);
      assert.equal(answers.get(`bare#${i}`), 'true', `Argon2PasswordEncoder #${i}`);
      // 19 MiB and 2 passes are not below Spring's v5.8 defaults (16 MiB, 2 passes).
      assert.equal(answers.get(`upgrade#${i}`), 'false', `upgradeEncoding #${i}`);
    }
    assert.equal(answers.get('cheap'), 'true');
    assert.equal(answers.get('cheap-upgrade'), 'true', 'Spring would re-hash 4 MiB / 1 pass');
  },
);
