import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes } from 'node:crypto';
import { ConfigErrors } from '../errors.js';
import { saltToBytes } from './internal/aes.js';

/** Encrypts and decrypts text; the cipher text is lower-case hex. */
export interface TextEncryptor {
  /** Encrypts UTF-8 text with a fresh random IV; returns lower-case hex(IV ‖ ciphertext). */
  encrypt(plain: string): string;
  /**
   * Decrypts what {@link TextEncryptor.encrypt} produced (either hex case).
   *
   * @throws StratusError `CFG_ERR_DECRYPT` (400) for every failure: bad hex, wrong length,
   *   wrong key, tampered bytes.
   */
  decrypt(cipherHex: string): string;
  /**
   * The encryptor for a value's `{name:value}` prefixes (Spring's `TextEncryptorLocator`): a
   * keystore encryptor picks the alias of `{key:alias}` and the key password of `{secret:…}`.
   * Absent means the prefixes select nothing and this encryptor is used.
   *
   * @throws StratusError `CFG_ERR_UNKNOWN_KEY` (400) when the alias is not in the keystore.
   */
  locate?(prefixes: ReadonlyArray<readonly [string, string]>): TextEncryptor;
  /**
   * The public key as Spring's `/key` shows it (`ssh-rsa AAAA… application`); only RSA
   * encryptors have one.
   */
  publicKeySsh?(): string;
}

/** Options of {@link createTextEncryptor}; Spring's `encrypt.key` and `encrypt.salt`. */
export interface TextEncryptorOptions {
  /** The shared secret (`encrypt.key`). Must not be empty. */
  key: string;
  /**
   * Salt as hex (`encrypt.salt`). A value that is not hex is taken as text and hex-encoded from
   * its UTF-8 bytes (RsaSecretEncryptor's rule). Spring's `Encryptors.text` itself rejects a
   * non-hex salt, so only hex salts give cipher text Spring can read.
   * @default 'deadbeef'
   */
  salt?: string;
}

/** Spring's default `encrypt.salt`. */
export const DEFAULT_SALT = 'deadbeef';

const PBKDF2_ITERATIONS = 1024;
const KEY_BYTES = 32;
const IV_BYTES = 16;
const BLOCK_BYTES = 16;
const HEX = /^[0-9a-fA-F]+$/;

/**
 * Builds the symmetric encryptor Spring Cloud Config uses for `encrypt.key`: Spring Security's
 * `Encryptors.text(key, salt)`. Key = PBKDF2WithHmacSHA1(UTF-8 key, hex-decoded salt, 1024
 * iterations, 256 bits); cipher = AES-256-CBC with PKCS#5 padding and a random 16-byte IV;
 * output = lower-case hex(IV ‖ ciphertext). Cipher text is interchangeable with Spring's.
 *
 * CBC carries no integrity check: a wrong key or a tampered text fails on padding almost always,
 * but about 1 time in 256 it decrypts to garbage instead. Keep `/decrypt` authenticated.
 *
 * @throws StratusError `CFG_ERR_INVALID_KEY` when the key is empty or the salt is empty or
 *   odd-length hex.
 * @example
 * const encryptor = createTextEncryptor({ key: process.env.ENCRYPT_KEY! });
 * const cipher = encryptor.encrypt('s3cret'); // 'a1b2…' — store as '{cipher}a1b2…'
 * encryptor.decrypt(cipher); // 's3cret'
 */
export function createTextEncryptor(options: TextEncryptorOptions): TextEncryptor {
  const { key } = options;
  if (typeof key !== 'string' || key.length === 0)
    throw ConfigErrors.INVALID_KEY({ message: 'encrypt.key must not be empty' });
  const saltBytes = saltToBytes(options.salt ?? DEFAULT_SALT);
  const derived = pbkdf2Sync(
    Buffer.from(key, 'utf8'),
    saltBytes,
    PBKDF2_ITERATIONS,
    KEY_BYTES,
    'sha1',
  );

  return Object.freeze({
    encrypt(plain: string): string {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-cbc', derived, iv);
      const body = Buffer.concat([cipher.update(String(plain), 'utf8'), cipher.final()]);
      return Buffer.concat([iv, body]).toString('hex');
    },
    decrypt(cipherHex: string): string {
      if (typeof cipherHex !== 'string' || cipherHex.length % 2 !== 0 || !HEX.test(cipherHex)) {
        throw ConfigErrors.DECRYPT();
      }
      const bytes = Buffer.from(cipherHex, 'hex');
      if (bytes.length < IV_BYTES + BLOCK_BYTES || (bytes.length - IV_BYTES) % BLOCK_BYTES !== 0) {
        throw ConfigErrors.DECRYPT();
      }
      try {
        const decipher = createDecipheriv('aes-256-cbc', derived, bytes.subarray(0, IV_BYTES));
        return Buffer.concat([
          decipher.update(bytes.subarray(IV_BYTES)),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        throw ConfigErrors.DECRYPT();
      }
    },
  });
}
