import { pbkdf2 } from 'node:crypto';
import { promisify } from 'node:util';
import { equalBytes } from './bytes.js';
import type { PasswordVerifier } from './verifier.js';

const pbkdf2Async = promisify(pbkdf2);

/** One of `Pbkdf2PasswordEncoder`'s presets (its hashes do not name their settings). */
export interface Pbkdf2Settings {
  saltBytes: number;
  iterations: number;
  /** Node's name of the HMAC digest. */
  digest: 'sha1' | 'sha256' | 'sha512';
  hashBytes: number;
}

/** `Pbkdf2PasswordEncoder.defaultsForSpringSecurity_v5_8()`, id `pbkdf2@SpringSecurity_v5_8`. */
export const PBKDF2_SPRING_V5_8: Pbkdf2Settings = Object.freeze({
  saltBytes: 16,
  iterations: 310_000,
  digest: 'sha256',
  hashBytes: 32,
});

/**
 * `Pbkdf2PasswordEncoder.defaultsForSpringSecurity_v5_5()`, id `pbkdf2`: HMAC-SHA1 with a
 * 256-bit hash width, as that preset keeps it for backwards compatibility.
 */
export const PBKDF2_SPRING_V5_5: Pbkdf2Settings = Object.freeze({
  saltBytes: 8,
  iterations: 185_000,
  digest: 'sha1',
  hashBytes: 32,
});

const HEX = /^(?:[0-9a-fA-F]{2})+$/;

/**
 * `Pbkdf2PasswordEncoder` hashes: hex of `salt ‖ PBKDF2(password, salt ‖ secret)`. Spring's
 * presets use an empty secret; the password is UTF-8, as Java's `PBEKeySpec` encodes it.
 */
export function pbkdf2Verifier(settings: Pbkdf2Settings): PasswordVerifier {
  return {
    verify(encoded, password) {
      if (!HEX.test(encoded) || encoded.length !== 2 * (settings.saltBytes + settings.hashBytes))
        return null;
      const stored = Buffer.from(encoded, 'hex');
      const salt = stored.subarray(0, settings.saltBytes);
      return pbkdf2Async(
        password,
        salt,
        settings.iterations,
        settings.hashBytes,
        settings.digest,
      ).then((hash) => equalBytes(stored.subarray(settings.saltBytes), hash));
    },
  };
}
