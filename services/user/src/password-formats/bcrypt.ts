import bcrypt from 'bcryptjs';
import { equalBytes } from './bytes.js';
import type { PasswordVerifier } from './verifier.js';

// BCryptPasswordEncoder.BCRYPT_PATTERN: `$2$`, `$2a$`, `$2b$` or `$2y$`, two-digit cost, 53
// characters of salt and hash in bcrypt's base64 alphabet.
const BCRYPT_PATTERN = /^\$2([aby]?)\$(\d\d)\$[./0-9A-Za-z]{53}$/;
/** bcrypt's smallest cost (`BCrypt.MIN_LOG_ROUNDS`). */
const MIN_COST = 4;
/**
 * Highest cost verified: 2^16 rounds take seconds in JavaScript. Spring accepts up to 31; a
 * stored hash above this limit is refused rather than letting one login hold the service.
 */
export const MAX_BCRYPT_COST = 16;

/** The cost of a well-formed bcrypt hash, or `null`. */
function bcryptCost(encoded: string): number | null {
  const match = BCRYPT_PATTERN.exec(encoded);
  return match ? Number(match[2]) : null;
}

/**
 * BCrypt hashes as `BCryptPasswordEncoder` writes them (`$2a$10$…`). Re-hashes the password with
 * the stored salt and compares the results, so `$2$` hashes (which `bcryptjs.compare` does not
 * take) verify too; passwords longer than 72 UTF-8 bytes are cut at 72, as in every bcrypt.
 */
export const bcryptVerifier: PasswordVerifier = {
  verify(encoded, password) {
    const cost = bcryptCost(encoded);
    if (cost === null || cost < MIN_COST || cost > MAX_BCRYPT_COST) return null;
    // The salt is everything but the last 31 characters (the encoded 23-byte hash).
    return bcrypt
      .hash(password, encoded.slice(0, -31))
      .then((computed) => equalBytes(Buffer.from(encoded), Buffer.from(computed)));
  },
};
