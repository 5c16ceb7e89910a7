import { readFileSync } from 'node:fs';
import { resolveResourceLocation } from '../resource-location.js';
import { ConfigErrors } from '../errors.js';
import { createKeyStoreEncryptor } from './keystore.js';
import { createRsaEncryptor, type RsaAlgorithm } from './rsa-encryptor.js';
import { createTextEncryptor, DEFAULT_SALT, type TextEncryptor } from './text-encryptor.js';

/**
 * Builds the encryptor Spring Cloud Config would build from its properties, or `null` when no
 * key is configured:
 * - `encrypt.key-store.location` (+ `.password`, `.alias`, `.secret`, `.type`) → RSA from a
 *   JKS, JCEKS or PKCS#12 key store; `{key:alias}` / `{secret:…}` prefixes select other keys;
 * - `encrypt.key` holding a PEM private key (`-----BEGIN RSA PRIVATE KEY-----` or PKCS#8) → RSA;
 * - `encrypt.key` otherwise → symmetric `Encryptors.text(key, encrypt.salt)`.
 * RSA uses `encrypt.rsa.algorithm` (DEFAULT|OAEP, default DEFAULT), `encrypt.rsa.salt` (default
 * `deadbeef`) and `encrypt.rsa.strong` (default false).
 *
 * Locations: `file:` paths (`file:///abs`, `file://${user.home}/x`, `file:./rel`) and plain
 * paths resolve against `baseDir`; `classpath:/server.jks` resolves under `classpath` (the
 * service's own resource folder), see `resolveResourceLocation`.
 *
 * @param get reads one property (already resolved), e.g. `(key) => config.getString(key)`.
 * @param baseDir where relative paths resolve (Spring: the working directory).
 * @param classpath what `classpath:` stands for. @default baseDir
 * @throws StratusError `CFG_ERR_INVALID_KEY` for a missing keystore file or password, an
 *   unreadable key or bad settings; `CFG_ERR_KEYSTORE_PASSWORD` / `CFG_ERR_KEYSTORE_FORMAT` /
 *   `CFG_ERR_UNSUPPORTED_KEYSTORE` from {@link createKeyStoreEncryptor}.
 * @example
 * const encryptor = createEncryptorFromProperties((key) => config.getString(key), baseDir);
 */
export function createEncryptorFromProperties(
  get: (key: string) => string | undefined,
  baseDir: string,
  classpath: string = baseDir,
): TextEncryptor | null {
  const value = (key: string): string | undefined => {
    const v = get(key);
    return typeof v === 'string' && v.trim() !== '' ? v : undefined;
  };
  const algorithmText = (value('encrypt.rsa.algorithm') ?? 'DEFAULT').toUpperCase();
  if (algorithmText !== 'DEFAULT' && algorithmText !== 'OAEP')
    throw ConfigErrors.INVALID_KEY({ message: 'encrypt.rsa.algorithm must be DEFAULT or OAEP' });
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
    if (problems.length > 0) throw ConfigErrors.INVALID_KEY({ message: problems.join('; ') });
    if (location.includes('${'))
      throw ConfigErrors.INVALID_KEY({
        message: 'encrypt.key-store.location holds a ${…} placeholder that no property defines',
      });
    const path = resolveLocation(location, baseDir, classpath);
    let keyStore: Buffer;
    try {
      keyStore = readFileSync(path);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw ConfigErrors.INVALID_KEY({
        message: `encrypt.key-store.location cannot be read: ${path} (${reason})`,
      });
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
      throw ConfigErrors.INVALID_KEY({
        message: 'encrypt.key holds a public key; decryption needs the private key',
      });
    return createRsaEncryptor({ privateKeyPem: key.trim(), ...rsa });
  }
  return createTextEncryptor({ key, salt: value('encrypt.salt') ?? DEFAULT_SALT });
}

/**
 * Turns a Spring resource location into a file path; `classpath:` resolves under `classpath`.
 * See `resolveResourceLocation`.
 */
export function resolveLocation(location: string, baseDir: string, classpath = baseDir): string {
  return resolveResourceLocation(location, { baseDir, classpath });
}
