import * as argon2 from 'argon2';
import { decodeBase64 } from './bytes.js';
import type { PasswordVerifier } from './verifier.js';

/** The parts of an argon2 PHC string (`$argon2id$v=19$m=16384,t=2,p=1$<salt>$<hash>`). */
export interface Argon2Hash {
  type: 'argon2id' | 'argon2i' | 'argon2d';
  /** 19 (0x13) or 16 (0x10). */
  version: number;
  memoryKib: number;
  iterations: number;
  parallelism: number;
  salt: Buffer;
  hash: Buffer;
}

/** argon2id costs: memory in KiB, passes and lanes. */
export interface Argon2CostSettings {
  memoryKib: number;
  iterations: number;
  parallelism: number;
}

/**
 * Upper limits of a stored hash's costs. Spring takes any; a hash beyond these is refused
 * rather than letting one login take a gigabyte or a minute.
 */
export const ARGON2_LIMITS = Object.freeze({
  /** KiB: 256 MiB, 13× OWASP's 19 MiB. */
  memoryKib: 262_144,
  iterations: 16,
  parallelism: 16,
});

// Argon2EncodingUtils.decode: type, optional version, then m, t, p in this order, then salt and
// hash in standard base64 (written without padding; Java's decoder also takes it padded).
const PHC =
  /^\$(argon2id|argon2i|argon2d)\$(?:v=(\d{1,3})\$)?m=(\d{1,10}),t=(\d{1,10}),p=(\d{1,8})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

/** Parses an argon2 PHC string as Spring's `Argon2EncodingUtils` does, or `null` when malformed. */
export function parseArgon2(encoded: string): Argon2Hash | null {
  const match = PHC.exec(encoded);
  if (!match) return null;
  const [, type, version, m, t, p, salt, hash] = match;
  const parsedSalt = decodeBase64(salt!);
  const parsedHash = decodeBase64(hash!);
  if (!parsedSalt || !parsedHash) return null;
  return {
    type: type as Argon2Hash['type'],
    // Without `v=`, Bouncy Castle's Argon2Parameters default to version 0x13.
    version: version === undefined ? 0x13 : Number(version),
    memoryKib: Number(m),
    iterations: Number(t),
    parallelism: Number(p),
    salt: parsedSalt,
    hash: parsedHash,
  };
}

function withinLimits(h: Argon2Hash): boolean {
  return (
    (h.version === 0x13 || h.version === 0x10) &&
    h.salt.length >= 8 &&
    h.hash.length >= 4 &&
    h.hash.length <= 1024 &&
    h.parallelism >= 1 &&
    h.parallelism <= ARGON2_LIMITS.parallelism &&
    h.iterations >= 1 &&
    h.iterations <= ARGON2_LIMITS.iterations &&
    h.memoryKib >= 8 * h.parallelism &&
    h.memoryKib <= ARGON2_LIMITS.memoryKib
  );
}

/** The canonical PHC string of `h`: explicit version, no padding (what the argon2 binding reads). */
function canonical(h: Argon2Hash): string {
  const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');
  const costs = `m=${h.memoryKib},t=${h.iterations},p=${h.parallelism}`;
  return `$${h.type}$v=${h.version}$${costs}$${b64(h.salt)}$${b64(h.hash)}`;
}

/**
 * True when `h` should be re-hashed with `costs`: not argon2id v19, or less memory or fewer
 * passes than configured (Spring's `Argon2PasswordEncoder.upgradeEncoding` compares the same two).
 */
export function isWeakerArgon2(h: Argon2Hash, costs: Argon2CostSettings): boolean {
  return (
    h.type !== 'argon2id' ||
    h.version !== 0x13 ||
    h.memoryKib < costs.memoryKib ||
    h.iterations < costs.iterations
  );
}

/**
 * Writes a new argon2id hash as Spring's `Argon2PasswordEncoder` does: 16-byte salt, 32-byte
 * hash, PHC string with unpadded base64.
 */
export function hashArgon2(password: string, costs: Argon2CostSettings): Promise<string> {
  return argon2.hash(password, {
    type: argon2.argon2id,
    memoryCost: costs.memoryKib,
    timeCost: costs.iterations,
    parallelism: costs.parallelism,
    hashLength: 32,
  });
}

/** argon2 PHC strings, from Spring's `Argon2PasswordEncoder` or the argon2 binding. */
export const argon2Verifier: PasswordVerifier = {
  verify(encoded, password) {
    const parsed = parseArgon2(encoded);
    if (!parsed || !withinLimits(parsed)) return null;
    return argon2.verify(canonical(parsed), password);
  },
};
