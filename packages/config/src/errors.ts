import { defineErrors, type StratusError } from '@stratus/core';

/** Title Spring uses for every decryption failure (`EncryptionController`). */
export const DECRYPT_ERROR_TITLE = 'Text not encrypted with this key';

/**
 * The errors of `@stratus/config`. A shipped code is never reused.
 *
 * Loading:
 * - `CFG_ERR_INVALID_YAML` (400): a YAML file that does not parse, or whose document is not a
 *   mapping of keys; the message names the file, the line and the key it was under.
 * - `CFG_ERR_UNRESOLVED_PLACEHOLDER` (500): a setting that must be complete at start-up (config
 *   client settings, search locations, key store location) holds a `${name}` that no property
 *   source defines and that has no `:default`.
 * - `CFG_ERR_INVALID_SETTING` (500): one setting with a value of the wrong shape
 *   (`spring.cloud.config.uri` that is not an http(s) URL, a `spring.cloud.bootstrap.name`
 *   that is not a file name).
 * - `CFG_ERR_INVALID_CONFIG` (500): `bindProperties` found problems; `details.problems` lists
 *   every one, each naming the key and the property source (file) it came from.
 * - `CFG_ERR_SERVER_UNAVAILABLE` (503): the config server could not be reached, or had none of
 *   the labels asked for.
 * - `CFG_ERR_SERVER_RESPONSE` (502): the config server answered 200 with a body that is not an
 *   Environment.
 *
 * Crypto:
 * - `CFG_ERR_DECRYPT` (400): the text was not encrypted with this key. Bad hex, wrong length,
 *   wrong key and tampered bytes all give this one error, so a caller cannot tell them apart.
 * - `CFG_ERR_INVALID_KEY` (500): the key or salt cannot build an encryptor (empty key, odd-length
 *   hex salt, empty salt, unreadable PEM, keystore that cannot be opened with the passwords given).
 * - `CFG_ERR_UNSUPPORTED_KEYSTORE` (500): an `encrypt.key-store.type` other than `jks`, `jceks`
 *   or `pkcs12`.
 * - `CFG_ERR_UNKNOWN_KEY` (400): a `{key:alias}` prefix names an alias the keystore does not hold.
 * - `CFG_ERR_KEYSTORE_PASSWORD` (500): the store's integrity check fails with the passwords given
 *   ("Keystore was tampered with, or password was incorrect", as Java says: the two cannot be
 *   told apart), or the key password does not unlock the key.
 * - `CFG_ERR_KEYSTORE_FORMAT` (500): the file is not a JKS, JCEKS or PKCS#12 key store, is
 *   truncated, or holds an entry Stratus cannot read.
 *
 * @example
 * if (ConfigErrors.DECRYPT.is(error)) reply.code(400);
 */
export const ConfigErrors = defineErrors('CFG', {
  INVALID_YAML: { status: 400, title: 'Invalid YAML', retryable: false },
  UNRESOLVED_PLACEHOLDER: {
    status: 500,
    title: 'Unresolved configuration placeholder',
    retryable: false,
  },
  INVALID_SETTING: { status: 500, title: 'Invalid configuration setting', retryable: false },
  INVALID_CONFIG: { status: 500, title: 'Invalid configuration', retryable: false },
  SERVER_UNAVAILABLE: { status: 503, title: 'Config server unavailable' },
  SERVER_RESPONSE: { status: 502, title: 'Config server sent an invalid environment' },
  DECRYPT: { status: 400, title: DECRYPT_ERROR_TITLE },
  INVALID_KEY: { status: 500, title: 'Invalid encryption key' },
  UNSUPPORTED_KEYSTORE: { status: 500, title: 'Unsupported key store' },
  UNKNOWN_KEY: {
    status: 400,
    title: 'Unknown encryption key',
    message: 'The key store has no such alias',
  },
  KEYSTORE_PASSWORD: { status: 500, title: 'Key store password incorrect', retryable: false },
  KEYSTORE_FORMAT: { status: 500, title: 'Unreadable key store', retryable: false },
});

/** Where a setting came from, for messages: the key and its property source's name. */
export interface SettingOrigin {
  key: string;
  source: string;
}

/** A YAML file that cannot be used; `problem` says what was wrong and where. */
export function invalidYamlError(origin: string, problem: string): StratusError {
  return ConfigErrors.INVALID_YAML({ message: `${origin}: ${problem}`, details: { origin } });
}

/** A `${placeholder}` nothing resolves; names the key, its source and the placeholder, never the value. */
export function unresolvedPlaceholderError(
  origin: SettingOrigin,
  placeholder: string,
): StratusError {
  return ConfigErrors.UNRESOLVED_PLACEHOLDER({
    message:
      `Could not resolve placeholder '${placeholder}' in ${origin.key} (${origin.source}): ` +
      `expected a property named ${placeholder} (a flag, an environment variable or a file), ` +
      `or a default as in \${${placeholder}:value}`,
    details: { key: origin.key, source: origin.source, placeholder },
  });
}

/** A setting whose value has the wrong shape; `expected` says what it should be. */
export function invalidSettingError(origin: SettingOrigin, expected: string): StratusError {
  return ConfigErrors.INVALID_SETTING({
    message: `${origin.key} (${origin.source}) ${expected}`,
    details: { key: origin.key, source: origin.source },
  });
}
