import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { invalidKeyError } from './errors.js';
import { createKeyStoreEncryptor } from './keystore.js';
import { createRsaEncryptor, type RsaAlgorithm } from './rsa-encryptor.js';
import { createTextEncryptor, DEFAULT_SALT, type TextEncryptor } from './text-encryptor.js';

/**
 * Builds the encryptor Spring Cloud Config would build from its properties, or `null` when no
 * key is configured:
 * - `encrypt.key-store.location` (+ `.password`, `.alias`, `.secret`, `.type`) → RSA from a
 *   PKCS#12 keystore; `{key:alias}` / `{secret:…}` prefixes select other keys of it;
 * - `encrypt.key` holding a PEM private key (`-----BEGIN RSA PRIVATE KEY-----` or PKCS#8) → RSA;
 * - `encrypt.key` otherwise → symmetric `Encryptors.text(key, encrypt.salt)`.
 * RSA uses `encrypt.rsa.algorithm` (DEFAULT|OAEP, default DEFAULT), `encrypt.rsa.salt` (default
 * `deadbeef`) and `encrypt.rsa.strong` (default false).
 *
 * Locations: `file:` paths (`file:///abs`, `file:./rel`) and plain paths; `classpath:` paths are
 * resolved under `baseDir`, which stands in for the classpath root. Relative paths resolve
 * against `baseDir`.
 *
 * @param get reads one property (already resolved), e.g. `(key) => config.getString(key)`.
 * @param baseDir the application's base directory.
 * @throws StratusError `CFG_ERR_INVALID_KEY` for a missing keystore file or password, an
 *   unreadable key or bad settings; `CFG_ERR_UNSUPPORTED_KEYSTORE` for a legacy JKS.
 * @example
 * const encryptor = createEncryptorFromProperties((key) => config.getString(key), baseDir);
 */
export function createEncryptorFromProperties(
  get: (key: string) => string | undefined,
  baseDir: string,
): TextEncryptor | null {
  const value = (key: string): string | undefined => {
    const v = get(key);
    return typeof v === 'string' && v.trim() !== '' ? v : undefined;
  };
  const algorithmText = (value('encrypt.rsa.algorithm') ?? 'DEFAULT').toUpperCase();
  if (algorithmText !== 'DEFAULT' && algorithmText !== 'OAEP')
    throw invalidKeyError('encrypt.rsa.algorithm must be DEFAULT or OAEP');
  const rsa = {
    algorithm: algorithmText as RsaAlgorithm,
    salt: value('encrypt.rsa.salt') ?? DEFAULT_SALT,
    strong: (value('encrypt.rsa.strong') ?? 'false').trim().toLowerCase() === 'true',
  };

  const location = value('encrypt.key-store.location');
  if (location !== undefined) {
    const password = get('encrypt.key-store.password');
    const alias = value('encrypt.key-store.alias');
    const problems: string[] = [];
    if (password === undefined) problems.push('encrypt.key-store.password is required');
    if (alias === undefined) problems.push('encrypt.key-store.alias is required');
    if (problems.length > 0) throw invalidKeyError(problems.join('; '));
    let keyStore: Buffer;
    try {
      keyStore = readFileSync(resolveLocation(location, baseDir));
    } catch {
      throw invalidKeyError('encrypt.key-store.location cannot be read');
    }
    return createKeyStoreEncryptor({
      keyStore,
      password: password!,
      alias: alias!,
      secret: get('encrypt.key-store.secret') || undefined,
      type: value('encrypt.key-store.type'),
      ...rsa,
    });
  }

  const key = value('encrypt.key');
  if (key === undefined) return null;
  if (key.trimStart().startsWith('-----BEGIN')) {
    if (/-----BEGIN (RSA )?PUBLIC KEY-----/.test(key))
      throw invalidKeyError('encrypt.key holds a public key; decryption needs the private key');
    return createRsaEncryptor({ privateKeyPem: key.trim(), ...rsa });
  }
  return createTextEncryptor({ key, salt: value('encrypt.salt') ?? DEFAULT_SALT });
}

/** Turns a Spring resource location into a file path. */
export function resolveLocation(location: string, baseDir: string): string {
  let path = location.trim();
  if (path.startsWith('classpath:')) {
    return resolve(baseDir, path.slice('classpath:'.length).replace(/^\/+/, ''));
  }
  if (path.startsWith('file:')) {
    path = path.slice('file:'.length);
    // file:///abs and file://abs both name /abs; file:rel stays relative.
    if (path.startsWith('//')) path = `/${path.replace(/^\/+/, '')}`;
    path = decodeURIComponent(path);
  }
  return isAbsolute(path) ? path : resolve(baseDir, path);
}
