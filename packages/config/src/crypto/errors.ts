import { StratusError } from '@stratus/core';

/**
 * Error codes of the config crypto API. A shipped code is never reused.
 *
 * - `CFG_ERR_DECRYPT` (400): the text was not encrypted with this key. Bad hex, wrong length,
 *   wrong key and tampered bytes all give this one error, so a caller cannot tell them apart.
 * - `CFG_ERR_INVALID_KEY` (500): the key or salt cannot build an encryptor (empty key, odd-length
 *   hex salt, empty salt, unreadable PEM, keystore that cannot be opened with the passwords given).
 * - `CFG_ERR_UNSUPPORTED_KEYSTORE` (500): a legacy JKS/JCEKS keystore or an unknown
 *   `encrypt.key-store.type`; convert it to PKCS#12 with keytool.
 * - `CFG_ERR_UNKNOWN_KEY` (400): a `{key:alias}` prefix names an alias the keystore does not hold.
 */
export const CryptoErrorCodes = Object.freeze({
  DECRYPT: 'CFG_ERR_DECRYPT',
  INVALID_KEY: 'CFG_ERR_INVALID_KEY',
  UNSUPPORTED_KEYSTORE: 'CFG_ERR_UNSUPPORTED_KEYSTORE',
  UNKNOWN_KEY: 'CFG_ERR_UNKNOWN_KEY',
} as const);

/** Title Spring uses for every decryption failure (`EncryptionController`). */
export const DECRYPT_ERROR_TITLE = 'Text not encrypted with this key';

/** The single decryption error; it never says why, and never carries the input or a cause. */
export function decryptError(): StratusError {
  return new StratusError(CryptoErrorCodes.DECRYPT, 400, DECRYPT_ERROR_TITLE);
}

/** A key or salt that cannot be used; `problem` names the option, never its value. */
export function invalidKeyError(problem: string): StratusError {
  return new StratusError(CryptoErrorCodes.INVALID_KEY, 500, 'Invalid encryption key', {
    message: problem,
  });
}

/** A keystore format Stratus cannot read; `problem` says what to do. */
export function unsupportedKeyStoreError(problem: string): StratusError {
  return new StratusError(CryptoErrorCodes.UNSUPPORTED_KEYSTORE, 500, 'Unsupported key store', {
    message: problem,
  });
}

/** A `{key:alias}` naming no key of the keystore; the alias is a name, not a secret. */
export function unknownKeyError(alias: string): StratusError {
  return new StratusError(CryptoErrorCodes.UNKNOWN_KEY, 400, 'Unknown encryption key', {
    message: 'The key store has no such alias',
    details: { alias },
  });
}
