import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes } from 'node:crypto';
import { ConfigErrors } from '../../errors.js';

const HEX = /^[0-9a-fA-F]+$/;
const IV_BYTES = 16;
const BLOCK_BYTES = 16;
const TAG_BYTES = 16;

/** Encrypts and decrypts bytes (Spring's `BytesEncryptor`). */
export interface BytesEncryptor {
  encrypt(plain: Buffer): Buffer;
  /** @throws StratusError `CFG_ERR_DECRYPT` for every failure. */
  decrypt(cipher: Buffer): Buffer;
}

/**
 * Salt bytes as Spring derives them: hex is decoded; anything else is hex-encoded from its UTF-8
 * bytes first (which amounts to using the UTF-8 bytes).
 *
 * @throws StratusError `CFG_ERR_INVALID_KEY` for an empty salt or odd-length hex.
 */
export function saltToBytes(salt: string, property = 'encrypt.salt'): Buffer {
  if (typeof salt !== 'string' || salt.length === 0)
    throw ConfigErrors.INVALID_KEY({ message: `${property} must not be empty` });
  if (HEX.test(salt)) {
    // Spring's Hex.decode rejects odd-length hex rather than treating it as text.
    if (salt.length % 2 !== 0)
      throw ConfigErrors.INVALID_KEY({ message: `${property} is hex of odd length` });
    return Buffer.from(salt, 'hex');
  }
  return Buffer.from(salt, 'utf8');
}

/** PBKDF2WithHmacSHA1, 1024 iterations, 256 bits: Spring's `AesBytesEncryptor` key. */
export function deriveAesKey(password: string, saltBytes: Buffer): Buffer {
  return pbkdf2Sync(Buffer.from(password, 'utf8'), saltBytes, 1024, 32, 'sha1');
}

/**
 * Spring's `Encryptors.standard` (AES-256-CBC, PKCS#5, output IV ‖ ct) or, with `gcm`,
 * `Encryptors.stronger` (AES-256-GCM, 16-byte IV, 128-bit tag, output IV ‖ ct ‖ tag).
 */
export function createAesBytesEncryptor(key: Buffer, gcm: boolean): BytesEncryptor {
  return Object.freeze({
    encrypt(plain: Buffer): Buffer {
      const iv = randomBytes(IV_BYTES);
      if (gcm) {
        const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
        const body = Buffer.concat([cipher.update(plain), cipher.final()]);
        return Buffer.concat([iv, body, cipher.getAuthTag()]);
      }
      const cipher = createCipheriv('aes-256-cbc', key, iv);
      return Buffer.concat([iv, cipher.update(plain), cipher.final()]);
    },
    decrypt(bytes: Buffer): Buffer {
      try {
        const iv = bytes.subarray(0, IV_BYTES);
        if (gcm) {
          if (bytes.length < IV_BYTES + TAG_BYTES) throw ConfigErrors.DECRYPT();
          const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
          decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
          return Buffer.concat([
            decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
            decipher.final(),
          ]);
        }
        if (bytes.length < IV_BYTES + BLOCK_BYTES || (bytes.length - IV_BYTES) % BLOCK_BYTES !== 0)
          throw ConfigErrors.DECRYPT();
        const decipher = createDecipheriv('aes-256-cbc', key, iv);
        return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES)), decipher.final()]);
      } catch {
        throw ConfigErrors.DECRYPT();
      }
    },
  });
}
