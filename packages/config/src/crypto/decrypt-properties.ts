import type { TextEncryptor } from './text-encryptor.js';

/** The marker Spring puts before cipher text in configuration values. */
export const CIPHER_PREFIX = '{cipher}';

/** The value an undecryptable property gets, under the key `invalid.<key>`. */
export const INVALID_VALUE = '<n/a>';

/** Options of {@link decryptProperties}. */
export interface DecryptPropertiesOptions {
  /** Called once per key that could not be decrypted (for a warning log); never gets the value. */
  onInvalid?: (key: string) => void;
}

/** A `{cipher}` value split into its `{name:value}` prefixes and the cipher text itself. */
export interface CipherValue {
  /** Prefixes such as `{key:alias}` in order, e.g. `[['key', 'alias']]`. */
  prefixes: Array<[string, string]>;
  /** The cipher text after every prefix. */
  cipherText: string;
}

const PREFIX = /^\{([A-Za-z][A-Za-z0-9_-]*):([^{}]*)\}/;

/**
 * Splits cipher text from Spring's optional prefixes (`{key:alias}`, `{secret:…}`, `{name:…}`,
 * `{profiles:…}`). A leading `{cipher}` is removed first if present.
 */
export function parseCipherValue(value: string): CipherValue {
  let rest = value.startsWith(CIPHER_PREFIX) ? value.slice(CIPHER_PREFIX.length) : value;
  const prefixes: Array<[string, string]> = [];
  for (let match = PREFIX.exec(rest); match; match = PREFIX.exec(rest)) {
    prefixes.push([match[1]!, match[2]!]);
    rest = rest.slice(match[0].length);
  }
  return { prefixes, cipherText: rest };
}

/**
 * Returns a new flat map in which every string value starting with `{cipher}` is decrypted.
 * Prefixes before the cipher text are stripped; `{key:alias}` / `{secret:…}` pick a keystore
 * key through {@link TextEncryptor.locate} (with one symmetric key they select nothing). A value that cannot be decrypted is dropped and replaced by `invalid.<key>` =
 * `<n/a>`, so cipher text never reaches a caller as a password (Spring's
 * `CipherEnvironmentEncryptor`). Key order is kept. Never throws for bad cipher text.
 *
 * @example
 * decryptProperties({ 'db.password': '{cipher}9f…' }, encryptor); // { 'db.password': 'pa55' }
 */
export function decryptProperties(
  flat: Readonly<Record<string, unknown>>,
  encryptor: TextEncryptor,
  options: DecryptPropertiesOptions = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flat)) {
    if (typeof value !== 'string' || !value.startsWith(CIPHER_PREFIX)) {
      setOwn(out, key, value);
      continue;
    }
    try {
      const { prefixes, cipherText } = parseCipherValue(value);
      const target =
        prefixes.length > 0 && encryptor.locate ? encryptor.locate(prefixes) : encryptor;
      setOwn(out, key, target.decrypt(cipherText));
    } catch {
      setOwn(out, `invalid.${key}`, INVALID_VALUE);
      options.onInvalid?.(key);
    }
  }
  return out;
}

/** Plain assignment would let a `__proto__` key from a config file replace the prototype. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
