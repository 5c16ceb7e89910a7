import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';
import { invalidKeyError, unknownKeyError, unsupportedKeyStoreError } from './errors.js';
import { createRsaEncryptor, type RsaAlgorithm, type RsaTextEncryptor } from './rsa-encryptor.js';
import type { TextEncryptor } from './text-encryptor.js';

/** Options of {@link createKeyStoreEncryptor}; Spring's `encrypt.key-store.*` and `encrypt.rsa.*`. */
export interface KeyStoreEncryptorOptions {
  /** The keystore file's bytes (read `encrypt.key-store.location` first). */
  keyStore: Uint8Array;
  /** `encrypt.key-store.password`: the store password. */
  password: string;
  /** `encrypt.key-store.alias`: the key used when a value has no `{key:…}` prefix. */
  alias: string;
  /** `encrypt.key-store.secret`: the key password. @default the store password */
  secret?: string;
  /**
   * `encrypt.key-store.type`. `jks` and `pkcs12` are both read as PKCS#12 (keytool has written
   * PKCS#12 for `.jks` names since Java 9); a real legacy JKS file is refused.
   * @default 'jks'
   */
  type?: string;
  /** `encrypt.rsa.algorithm`. @default 'DEFAULT' */
  algorithm?: RsaAlgorithm;
  /** `encrypt.rsa.salt`. @default 'deadbeef' */
  salt?: string;
  /** `encrypt.rsa.strong`. @default false */
  strong?: boolean;
}

const JKS_MAGIC = 0xfeedfeed;
const JCEKS_MAGIC = 0xcececece;
const CONVERT_HINT =
  'convert it: keytool -importkeystore -srckeystore <file> -destkeystore <file.p12> -deststoretype pkcs12';

/**
 * Builds an RSA encryptor from a PKCS#12 keystore, as Spring Cloud Config's
 * `KeyStoreTextEncryptorLocator`: the default alias encrypts and decrypts; a `{key:alias}` prefix
 * (optionally with `{secret:…}`, the key password) selects another key of the same store. Keys
 * are read once per alias and password and kept.
 *
 * @throws StratusError `CFG_ERR_UNSUPPORTED_KEYSTORE` for a legacy JKS/JCEKS file or another
 *   type; `CFG_ERR_INVALID_KEY` when the store cannot be opened or the default alias is missing.
 * @example
 * const encryptor = createKeyStoreEncryptor({
 *   keyStore: readFileSync('config.p12'), password: 'changeit', alias: 'config',
 * });
 * encryptor.locate?.([['key', 'other']]).decrypt(cipher);
 */
export function createKeyStoreEncryptor(options: KeyStoreEncryptorOptions): RsaTextEncryptor {
  const type = (options.type ?? 'jks').toLowerCase();
  if (!['jks', 'pkcs12', 'p12'].includes(type))
    throw unsupportedKeyStoreError(
      `encrypt.key-store.type ${type} is not supported; ${CONVERT_HINT}`,
    );
  const bytes = Buffer.from(options.keyStore);
  if (bytes.length >= 4) {
    const magic = bytes.readUInt32BE(0);
    if (magic === JKS_MAGIC || magic === JCEKS_MAGIC)
      throw unsupportedKeyStoreError(
        `a legacy JKS/JCEKS key store cannot be read; ${CONVERT_HINT}`,
      );
  }
  const defaultSecret = options.secret ?? options.password;
  const cache = new Map<string, RsaTextEncryptor>();

  function encryptorFor(alias: string, secret: string): RsaTextEncryptor {
    const cacheKey = `${alias}\u0000${secret}`;
    const cached = cache.get(cacheKey);
    if (cached) return cached;
    const pem = readPkcs12PrivateKey(bytes, [options.password, secret], alias);
    const encryptor = createRsaEncryptor({
      privateKeyPem: pem,
      algorithm: options.algorithm,
      salt: options.salt,
      strong: options.strong,
    });
    cache.set(cacheKey, encryptor);
    return encryptor;
  }

  let main: RsaTextEncryptor;
  try {
    main = encryptorFor(options.alias, defaultSecret);
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'CFG_ERR_UNKNOWN_KEY')
      throw invalidKeyError('encrypt.key-store.alias is not in the key store');
    throw error;
  }

  return Object.freeze({
    encrypt: (plain: string) => main.encrypt(plain),
    decrypt: (cipherText: string) => main.decrypt(cipherText),
    publicKeySsh: () => main.publicKeySsh(),
    locate(prefixes: ReadonlyArray<readonly [string, string]>): TextEncryptor {
      const alias = prefixes.find(([name]) => name === 'key')?.[1] ?? options.alias;
      const secret = prefixes.find(([name]) => name === 'secret')?.[1] ?? defaultSecret;
      if (alias === options.alias && secret === defaultSecret) return main;
      return encryptorFor(alias, secret);
    },
  });
}

/**
 * Reads the RSA private key of `alias` from a PKCS#12 file and returns it as PKCS#8 PEM. Each
 * password is tried in turn (PKCS#12 from keytool protects the store and its keys with one
 * password, so the key password may be what opens the file).
 *
 * @throws StratusError `CFG_ERR_INVALID_KEY` when no password opens the store,
 *   `CFG_ERR_UNKNOWN_KEY` when the alias holds no private key.
 */
export function readPkcs12PrivateKey(
  bytes: Uint8Array,
  passwords: readonly string[],
  alias: string,
): string {
  let p12: forge.pkcs12.Pkcs12Pfx | null = null;
  for (const password of new Set(passwords)) {
    try {
      const asn1 = forge.asn1.fromDer(
        forge.util.createBuffer(Buffer.from(bytes).toString('binary')),
      );
      p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, password);
      break;
    } catch {
      // Wrong password or not PKCS#12: try the next one; the error below names neither.
    }
  }
  if (p12 === null)
    throw invalidKeyError('the key store cannot be opened with encrypt.key-store.password/secret');
  const wanted = alias.toLowerCase();
  for (const bagType of [forge.pki.oids.pkcs8ShroudedKeyBag!, forge.pki.oids.keyBag!]) {
    for (const bag of p12.getBags({ bagType })[bagType] ?? []) {
      // keytool lower-cases aliases; Java's PKCS12 KeyStore matches them case-insensitively.
      if (bag.attributes.friendlyName?.[0]?.toLowerCase() !== wanted || !bag.key) continue;
      const pem = forge.pki.privateKeyInfoToPem(
        forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key)),
      );
      return createPrivateKey(pem).export({ type: 'pkcs8', format: 'pem' }).toString();
    }
  }
  throw unknownKeyError(alias);
}

/**
 * Creates a PKCS#12 keystore holding one RSA key pair under `alias`, with a self-signed
 * certificate (`CN=<alias>`, 10 years), readable by keytool, Java's `KeyStore` and Spring's
 * `KeyStoreKeyFactory`. The key bag uses PBES2 AES-256; the MAC is HMAC-SHA1.
 *
 * @example
 * writeFileSync('config.p12', createPkcs12KeyStore({ alias: 'config', password: 'changeit' }));
 */
export function createPkcs12KeyStore(options: {
  alias: string;
  password: string;
  /** @default 2048 */
  modulusLength?: number;
  /** An existing private key (PEM) instead of a new one. */
  privateKeyPem?: string;
}): Buffer {
  const keyObject = options.privateKeyPem
    ? createPrivateKey(options.privateKeyPem)
    : generateKeyPairSync('rsa', { modulusLength: options.modulusLength ?? 2048 }).privateKey;
  const privateKey = forge.pki.privateKeyFromPem(
    keyObject.export({ type: 'pkcs1', format: 'pem' }).toString(),
  );
  const publicKey = forge.pki.setRsaPublicKey(privateKey.n, privateKey.e);
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = `01${forge.util.bytesToHex(forge.random.getBytesSync(8))}`;
  cert.validity.notBefore = new Date();
  cert.validity.notAfter = new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000);
  const subject = [{ name: 'commonName', value: options.alias }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.sign(privateKey, forge.md.sha256.create());
  const asn1 = forge.pkcs12.toPkcs12Asn1(privateKey, [cert], options.password, {
    algorithm: 'aes256',
    friendlyName: options.alias,
    generateLocalKeyId: true,
  });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}
