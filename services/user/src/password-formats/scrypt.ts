import { scrypt, type ScryptOptions } from 'node:crypto';
import { decodeBase64, equalBytes } from './bytes.js';
import type { PasswordVerifier } from './verifier.js';

/** `SCryptPasswordEncoder`'s key length in both presets (v4.1 and v5.8), in bytes. */
const KEY_BYTES = 32;
/**
 * Most scrypt memory a stored hash may ask for (128·N·r bytes): 128 MiB, twice Spring's v5.8
 * preset (N 65536, r 8). A hash beyond is refused rather than letting one login take more.
 */
export const MAX_SCRYPT_MEMORY_BYTES = 128 * 1024 * 1024;
const MAX_PARALLELISM = 16;

// SCryptPasswordEncoder.digest: `$<hex of log2(N) << 16 | r << 8 | p>$<base64 salt>$<base64 hash>`
// in standard, padded base64.
const SCRYPT_FORMAT = /^\$([0-9a-fA-F]{1,8})\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

/** scrypt's cost parameters as stored in a Spring hash. */
interface ScryptHash {
  cost: number;
  blockSize: number;
  parallelization: number;
  salt: Buffer;
  hash: Buffer;
}

/** Parses a `SCryptPasswordEncoder` hash, or `null` when malformed. */
function parseScrypt(encoded: string): ScryptHash | null {
  const match = SCRYPT_FORMAT.exec(encoded);
  if (!match) return null;
  const params = Number.parseInt(match[1]!, 16);
  const salt = decodeBase64(match[2]!);
  const hash = decodeBase64(match[3]!);
  if (!salt || !hash) return null;
  return {
    cost: 2 ** ((params >>> 16) & 0xffff),
    blockSize: (params >>> 8) & 0xff,
    parallelization: params & 0xff,
    salt,
    hash,
  };
}

function scryptAsync(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_BYTES, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** `SCryptPasswordEncoder` hashes (ids `scrypt` and `scrypt@SpringSecurity_v5_8`); UTF-8 passwords. */
export const scryptVerifier: PasswordVerifier = {
  verify(encoded, password) {
    const h = parseScrypt(encoded);
    if (
      !h ||
      h.hash.length !== KEY_BYTES ||
      h.cost < 2 ||
      h.blockSize < 1 ||
      h.parallelization < 1 ||
      h.parallelization > MAX_PARALLELISM ||
      128 * h.cost * h.blockSize > MAX_SCRYPT_MEMORY_BYTES
    )
      return null;
    const { cost: N, blockSize: r, parallelization: p } = h;
    // OpenSSL also counts the p·128·r-byte B array and two spare blocks against maxmem.
    const maxmem = 128 * r * (N + 2) + 128 * r * p + 1024 * 1024;
    return scryptAsync(password, h.salt, { N, r, p, maxmem }).then((key) =>
      equalBytes(h.hash, key),
    );
  },
};
