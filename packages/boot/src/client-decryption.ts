import { resolve } from 'node:path';
import { createSilentLogger, type Logger } from '@stratus/core';
import { BootErrors } from './errors.js';
import {
  CIPHER_PREFIX,
  INVALID_VALUE,
  createEncryptorFromProperties,
  decryptProperties,
  type ConfigEnvironment,
  type TextEncryptor,
} from '@stratus/config';

/** The settings that choose the key; a change to any of them builds a new encryptor. */
const KEY_SETTINGS = [
  'encrypt.key',
  'encrypt.salt',
  'encrypt.rsa.algorithm',
  'encrypt.rsa.salt',
  'encrypt.rsa.strong',
  'encrypt.key-store.location',
  'encrypt.key-store.password',
  'encrypt.key-store.alias',
  'encrypt.key-store.secret',
  'encrypt.key-store.type',
];

/** Options of {@link createClientDecryption}. */
export interface ClientDecryptionOptions {
  /** Warnings for undecryptable keys (names only, never values). @default createSilentLogger() */
  logger?: Logger;
}

/** The hook `createApplication` accepts as `ApplicationOptions.decrypt`. */
export type ClientDecrypt = (
  properties: Record<string, unknown>,
  env: ConfigEnvironment,
) => Record<string, unknown>;

/**
 * Client-side decryption of `{cipher}` values (Spring Cloud's
 * `EnvironmentDecryptApplicationInitializer`): with a symmetric `encrypt.key` (and optional
 * `encrypt.salt`, default `deadbeef`), an RSA PEM, or a JKS/JCEKS/PKCS#12 key store
 * (`encrypt.key-store.*`; `classpath:` is the service's own folder) in the application's own
 * environment, every `{cipher}`
 * value of every property source — local files and config server alike — is decrypted before the
 * environment is built. Sources without `{cipher}` values pass through untouched and need no key.
 *
 * `encrypt.fail-on-error` (default `true`): an undecryptable value, or a `{cipher}` value with no
 * `encrypt.key` configured, fails the load with `BOOT_ERR_DECRYPT` naming the keys (never the
 * values) — at start-up the application does not start, on refresh the old configuration stays.
 * With `false`, the key is replaced by `invalid.<key>` = `<n/a>`, as the config server does.
 *
 * @throws StratusError `BOOT_ERR_DECRYPT` (500) from the returned function, as described.
 * @example
 * const app = await createApplication({ name: 'user-service', baseDir, decrypt: createClientDecryption() });
 */
export function createClientDecryption(options: ClientDecryptionOptions = {}): ClientDecrypt {
  const logger = options.logger ?? createSilentLogger();
  // One encryptor per distinct key setting (symmetric key, RSA PEM or key store).
  let cached: { fingerprint: string; encryptor: TextEncryptor | null } | null = null;
  const encryptorFor = (env: ConfigEnvironment): TextEncryptor | null => {
    const get = (key: string) => env.getString(key);
    const fingerprint = KEY_SETTINGS.map((k) => `${k}=${get(k) ?? ''}`).join('\u0000');
    if (cached?.fingerprint !== fingerprint) {
      env.assertResolvable('encrypt.key-store.location');
      // `classpath:/server.jks` is the service's own folder (stratus.classpath, its baseDir).
      const classpath = resolve(env.getString('stratus.classpath') || process.cwd());
      cached = {
        fingerprint,
        encryptor: createEncryptorFromProperties(get, process.cwd(), classpath),
      };
    }
    return cached.encryptor;
  };
  return (properties, env) => {
    const cipherKeys = Object.keys(properties).filter((k) => {
      const value = properties[k];
      return typeof value === 'string' && value.startsWith(CIPHER_PREFIX);
    });
    if (cipherKeys.length === 0) return properties;
    const failOnError = String(env.get('encrypt.fail-on-error', 'true')).toLowerCase() !== 'false';
    const encryptor = encryptorFor(env);
    const key = encryptor !== null;
    const invalid: string[] = [];
    let decrypted: Record<string, unknown>;
    if (!encryptor) {
      invalid.push(...cipherKeys);
      decrypted = markInvalid(properties, cipherKeys);
    } else {
      decrypted = decryptProperties(properties, encryptor, { onInvalid: (k) => invalid.push(k) });
    }
    if (invalid.length > 0) {
      if (failOnError) {
        throw BootErrors.DECRYPT({
          message: key
            ? `Cannot decrypt ${invalid.join(', ')}: not encrypted with this encrypt.key`
            : `Cannot decrypt ${invalid.join(', ')}: encrypt.key is not set`,
          details: { problems: invalid.map((k) => `${k}: cannot decrypt`) },
        });
      }
      logger.warn({ keys: invalid }, 'cannot decrypt properties; serving invalid.<key>');
    }
    return decrypted;
  };
}

/** `invalid.<key>` = `<n/a>` for each key, keeping order, as `decryptProperties` does. */
function markInvalid(
  properties: Record<string, unknown>,
  keys: readonly string[],
): Record<string, unknown> {
  const bad = new Set(keys);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(properties)) {
    const name = bad.has(k) ? `invalid.${k}` : k;
    Object.defineProperty(out, name, {
      value: bad.has(k) ? INVALID_VALUE : v,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
