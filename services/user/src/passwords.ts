import { randomBytes } from 'node:crypto';
import { createSilentLogger, type Logger } from '@stratus/core';
import {
  argon2Verifier,
  hashArgon2,
  isWeakerArgon2,
  parseArgon2,
  type Argon2CostSettings,
} from './password-formats/argon2.js';
import { bcryptVerifier } from './password-formats/bcrypt.js';
import {
  PBKDF2_SPRING_V5_5,
  PBKDF2_SPRING_V5_8,
  pbkdf2Verifier,
} from './password-formats/pbkdf2.js';
import { scryptVerifier } from './password-formats/scrypt.js';
import { loggableId, splitStoredPassword } from './password-formats/stored-password.js';
import type { PasswordVerifier } from './password-formats/verifier.js';

/** The `DelegatingPasswordEncoder` id of new hashes. */
export const PREFERRED_PASSWORD_ID = 'argon2@SpringSecurity_v5_8';

/** Ids of `PasswordEncoderFactories.createDelegatingPasswordEncoder()` that verify here. */
const VERIFIERS: ReadonlyMap<string, PasswordVerifier> = new Map([
  ['bcrypt', bcryptVerifier],
  ['argon2', argon2Verifier],
  [PREFERRED_PASSWORD_ID, argon2Verifier],
  ['pbkdf2', pbkdf2Verifier(PBKDF2_SPRING_V5_5)],
  ['pbkdf2@SpringSecurity_v5_8', pbkdf2Verifier(PBKDF2_SPRING_V5_8)],
  ['scrypt', scryptVerifier],
  ['scrypt@SpringSecurity_v5_8', scryptVerifier],
]);

/** Ids Spring still maps that are refused: plain text and fast, unsalted or legacy digests. */
const INSECURE_IDS: ReadonlySet<string> = new Set([
  'noop',
  'sha256',
  'SHA-1',
  'SHA-256',
  'MD4',
  'MD5',
  'ldap',
]);

/** The outcome of checking a password against a stored hash. */
export interface PasswordCheck {
  /** True when the password matches. */
  matches: boolean;
  /**
   * True when the password matched a hash in another format or with lower costs than new
   * hashes get: store a fresh {@link PasswordHasher.hash}. Never true when `matches` is false.
   */
  needsRehash: boolean;
  /**
   * The stored format, safe to log: an encoder id, `bcrypt (no id)`, `argon2 (no id)`,
   * `unknown`, or `none` when there was no stored hash.
   */
  format: string;
}

/** Hashes passwords as Spring Security's `DelegatingPasswordEncoder` stores them, and checks them. */
export interface PasswordHasher {
  /** A new `{argon2@SpringSecurity_v5_8}$argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>` string. */
  hash(password: string): Promise<string>;
  /**
   * Checks `password` against `stored`: `{id}`-prefixed hashes of the ids Spring's
   * `createDelegatingPasswordEncoder()` maps (except the insecure ones, which never match), and
   * bare `$2a$`/`$2b$`/`$2y$` bcrypt and argon2 PHC strings. With `stored` `null` (unknown
   * user), a refused format or a malformed hash it verifies against a dummy hash, so every
   * failure takes about as long as a wrong password.
   */
  verify(stored: string | null, password: string): Promise<PasswordCheck>;
}

/** argon2id costs of new hashes. */
export interface Argon2Costs {
  /** Memory, in KiB. @default 19456 (19 MiB, OWASP's minimum for argon2id) */
  memoryCostKib?: number;
  /** Passes. @default 2 */
  timeCost?: number;
  /** Lanes. @default 1 */
  parallelism?: number;
}

/** Options of {@link createPasswordHasher}. */
export interface PasswordHasherOptions extends Argon2Costs {
  /** Warnings about refused or malformed stored hashes (the id, never the hash). @default silent */
  logger?: Logger;
}

interface Identified {
  format: string;
  id: string | null;
  encoded: string;
  verifier: PasswordVerifier | null;
  refusal?: 'insecure-format' | 'unknown-format';
}

function identify(stored: string): Identified {
  const { id, encoded } = splitStoredPassword(stored);
  if (id === null) {
    // Unprefixed: BCryptPasswordEncoder's own output, or Stratus's earlier argon2 PHC strings.
    if (encoded.startsWith('$2'))
      return { format: 'bcrypt (no id)', id, encoded, verifier: bcryptVerifier };
    if (encoded.startsWith('$argon2'))
      return { format: 'argon2 (no id)', id, encoded, verifier: argon2Verifier };
    return { format: 'unknown', id, encoded, verifier: null, refusal: 'unknown-format' };
  }
  const format = loggableId(id);
  const verifier = VERIFIERS.get(id) ?? null;
  if (verifier) return { format, id, encoded, verifier };
  const refusal = INSECURE_IDS.has(id) ? 'insecure-format' : 'unknown-format';
  return { format, id, encoded, verifier: null, refusal };
}

/**
 * Creates the hasher: new hashes are argon2id with `options`' costs under Spring's
 * `{argon2@SpringSecurity_v5_8}` id; stored hashes verify with the settings they were made with.
 *
 * @example
 * const passwords = await createPasswordHasher({ memoryCostKib: 19_456, logger });
 * const check = await passwords.verify(row.encrypted_pwd, password);
 * if (check.needsRehash) await store(await passwords.hash(password));
 */
export async function createPasswordHasher(
  options: PasswordHasherOptions = {},
): Promise<PasswordHasher> {
  const costs: Argon2CostSettings = {
    memoryKib: options.memoryCostKib ?? 19_456,
    iterations: options.timeCost ?? 2,
    parallelism: options.parallelism ?? 1,
  };
  const log = options.logger ?? createSilentLogger();
  const dummy = await hashArgon2(randomBytes(24).toString('base64'), costs);
  const spendDummyVerification = async (password: string): Promise<void> => {
    await argon2Verifier.verify(dummy, password);
  };
  const noMatch = (format: string): PasswordCheck => ({
    matches: false,
    needsRehash: false,
    format,
  });
  const needsRehash = ({ id, encoded }: Identified): boolean => {
    if (id !== PREFERRED_PASSWORD_ID) return true;
    const parsed = parseArgon2(encoded);
    return parsed === null || isWeakerArgon2(parsed, costs);
  };

  return {
    async hash(password) {
      return `{${PREFERRED_PASSWORD_ID}}${await hashArgon2(password, costs)}`;
    },
    async verify(stored, password) {
      if (stored === null) {
        await spendDummyVerification(password);
        return noMatch('none');
      }
      const found = identify(stored);
      const pending = found.verifier?.verify(found.encoded, password) ?? null;
      if (pending === null) {
        const reason = found.refusal ?? 'malformed-or-too-costly';
        log.warn({ format: found.format, reason }, 'stored password hash refused');
        await spendDummyVerification(password);
        return noMatch(found.format);
      }
      try {
        const matches = await pending;
        return { matches, needsRehash: matches && needsRehash(found), format: found.format };
      } catch {
        log.warn({ format: found.format }, 'stored password hash could not be verified');
        return noMatch(found.format);
      }
    },
  };
}
