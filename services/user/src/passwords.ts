import { randomBytes } from 'node:crypto';
import * as argon2 from 'argon2';

/** Hashes and checks passwords with argon2id. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /**
   * True when `password` matches `digest`. With `digest` `null` (unknown
   * user) it verifies against a dummy hash, so both paths take about as long.
   */
  verify(digest: string | null, password: string): Promise<boolean>;
}

/** argon2id cost parameters. */
export interface Argon2Costs {
  /** Memory, in KiB. @default 19456 (19 MiB, OWASP's minimum for argon2id) */
  memoryCostKib?: number;
  /** Passes. @default 2 */
  timeCost?: number;
  /** Lanes. @default 1 */
  parallelism?: number;
}

/** Creates the argon2id hasher; new hashes use `costs`, existing ones verify with the costs they were made with. */
export async function createPasswordHasher(costs: Argon2Costs = {}): Promise<PasswordHasher> {
  const options = {
    type: argon2.argon2id,
    memoryCost: costs.memoryCostKib ?? 19_456,
    timeCost: costs.timeCost ?? 2,
    parallelism: costs.parallelism ?? 1,
  };
  const dummy = await argon2.hash(randomBytes(24).toString('base64'), options);
  return {
    hash: (password) => argon2.hash(password, options),
    async verify(digest, password) {
      try {
        const matches = await argon2.verify(digest ?? dummy, password);
        return digest !== null && matches;
      } catch {
        // A stored digest argon2 cannot parse never matches.
        return false;
      }
    },
  };
}
