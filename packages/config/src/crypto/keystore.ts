import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';
import { ConfigErrors } from '../errors.js';
import { JCEKS_MAGIC, JKS_MAGIC, readJavaKeyStore } from './internal/java-keystore.js';
import { recoverPrivateKey } from './internal/key-protectors.js';
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
   * `encrypt.key-store.type`: `jks`, `jceks` or `pkcs12`. The file's own format decides how it
   * is read (as Java's `keystore.type.compat` lets a `jks` store be PKCS#12 and the reverse):
   * JKS, JCEKS and PKCS#12 files are all read whatever the type says.
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

const KNOWN_TYPES = new Set(['jks', 'jceks', 'pkcs12', 'p12']);
/** `PKCS12KeyStore.MAX_ITERATION_COUNT`: Java refuses more, and so does Stratus. */
const MAX_MAC_ITERATIONS = 5_000_000;

/** Options of {@link readKeyStorePrivateKey}. */
export interface KeyStoreKeyOptions {
  /** `encrypt.key-store.password`: opens (and checks the integrity of) the store. */
  password: string;
  /** `encrypt.key-store.secret`: the key password. @default the store password */
  secret?: string;
  /** The alias of the private key; matched case-insensitively, as Java does. */
  alias: string;
  /** `encrypt.key-store.type`. @default 'jks' */
  type?: string;
}

/**
 * Builds an RSA encryptor from a JKS, JCEKS or PKCS#12 key store, as Spring Cloud Config's
 * `KeyStoreTextEncryptorLocator`: the default alias encrypts and decrypts; a `{key:alias}` prefix
 * (optionally with `{secret:…}`, the key password) selects another key of the same store. Keys
 * are read once per alias and password and kept.
 *
 * @throws StratusError `CFG_ERR_UNSUPPORTED_KEYSTORE` for an unknown type;
 *   `CFG_ERR_KEYSTORE_FORMAT` for a file that is not a (complete) key store;
 *   `CFG_ERR_KEYSTORE_PASSWORD` for a wrong store or key password; `CFG_ERR_INVALID_KEY` when
 *   the default alias is missing or its key is not RSA.
 * @example
 * const encryptor = createKeyStoreEncryptor({
 *   keyStore: readFileSync('server.jks'), password: 'changeit', alias: 'config',
 * });
 * encryptor.locate?.([['key', 'other']]).decrypt(cipher);
 */
export function createKeyStoreEncryptor(options: KeyStoreEncryptorOptions): RsaTextEncryptor {
  const defaultSecret = options.secret ?? options.password;
  const store = openKeyStore(Buffer.from(options.keyStore), options.type, [
    options.password,
    defaultSecret,
  ]);
  const cache = new Map<string, RsaTextEncryptor>();

  function encryptorFor(alias: string, secret: string): RsaTextEncryptor {
    const cacheKey = `${alias}\u0000${secret}`;
    const cached = cache.get(cacheKey);
    if (cached) return cached;
    const encryptor = createRsaEncryptor({
      privateKeyPem: store.privateKeyPem(alias, secret),
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
    if (ConfigErrors.UNKNOWN_KEY.is(error))
      throw ConfigErrors.INVALID_KEY({
        message: 'encrypt.key-store.alias is not in the key store',
      });
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
 * Reads the private key of `alias` from a JKS, JCEKS or PKCS#12 key store and returns it as
 * PKCS#8 PEM: what Spring's `KeyStoreKeyFactory.getKeyPair(alias, secret)` reads.
 *
 * @throws StratusError as {@link createKeyStoreEncryptor}, and `CFG_ERR_UNKNOWN_KEY` when the
 *   alias holds no private key.
 * @example
 * const pem = readKeyStorePrivateKey(readFileSync('server.jceks'), { password: 'pw', alias: 'config', type: 'jceks' });
 */
export function readKeyStorePrivateKey(bytes: Uint8Array, options: KeyStoreKeyOptions): string {
  const secret = options.secret ?? options.password;
  return openKeyStore(Buffer.from(bytes), options.type, [options.password, secret]).privateKeyPem(
    options.alias,
    secret,
  );
}

interface OpenKeyStore {
  /** PKCS#8 PEM of `alias`, unlocked with `secret` (or the store password). */
  privateKeyPem(alias: string, secret: string): string;
}

/** Opens a store by its content (magic number), after checking the configured type is known. */
function openKeyStore(
  bytes: Buffer,
  type: string | undefined,
  passwords: readonly string[],
): OpenKeyStore {
  const wanted = (type ?? 'jks').trim().toLowerCase();
  if (!KNOWN_TYPES.has(wanted))
    throw ConfigErrors.UNSUPPORTED_KEYSTORE({
      message: `encrypt.key-store.type ${wanted} is not supported; use jks, jceks or pkcs12`,
    });
  const magic = bytes.length >= 4 ? bytes.readUInt32BE(0) : 0;
  if (magic === JKS_MAGIC || magic === JCEKS_MAGIC) {
    const store = readJavaKeyStore(bytes, passwords);
    return {
      privateKeyPem(alias, secret) {
        const protectedKey = store.privateKeys.get(alias.toLowerCase());
        if (protectedKey === undefined) throw ConfigErrors.UNKNOWN_KEY({ details: { alias } });
        for (const password of new Set([secret, ...passwords])) {
          const der = recoverPrivateKey(protectedKey, password);
          if (der !== null) return pkcs8Pem(der);
        }
        throw ConfigErrors.KEYSTORE_PASSWORD({
          message:
            'the key password (encrypt.key-store.secret) does not unlock the key of this alias',
        });
      },
    };
  }
  if (bytes[0] !== 0x30)
    throw ConfigErrors.KEYSTORE_FORMAT({ message: 'not a JKS, JCEKS or PKCS#12 key store' });
  return {
    privateKeyPem: (alias, secret) => readPkcs12PrivateKey(bytes, [...passwords, secret], alias),
  };
}

function pkcs8Pem(der: Buffer): string {
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();
}

/**
 * Reads the RSA private key of `alias` from a PKCS#12 file and returns it as PKCS#8 PEM. Each
 * password is tried in turn (PKCS#12 from keytool protects the store and its keys with one
 * password, so the key password may be what opens the file).
 *
 * @throws StratusError `CFG_ERR_KEYSTORE_FORMAT` for bytes that are not PKCS#12,
 *   `CFG_ERR_KEYSTORE_PASSWORD` when no password opens the store, `CFG_ERR_UNKNOWN_KEY` when
 *   the alias holds no private key.
 */
export function readPkcs12PrivateKey(
  bytes: Uint8Array,
  passwords: readonly string[],
  alias: string,
): string {
  let asn1: forge.asn1.Asn1;
  try {
    asn1 = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(bytes).toString('binary')));
  } catch {
    throw ConfigErrors.KEYSTORE_FORMAT({
      message: 'not a JKS, JCEKS or PKCS#12 key store (not DER)',
    });
  }
  assertMacIterations(asn1);
  let p12: forge.pkcs12.Pkcs12Pfx | null = null;
  let wrongPassword = false;
  for (const password of new Set(passwords)) {
    try {
      p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, password);
      break;
    } catch (error) {
      // node-forge: "PKCS#12 MAC could not be verified. Invalid password?"
      if (error instanceof Error && /Invalid password/.test(error.message)) wrongPassword = true;
    }
  }
  if (p12 === null)
    throw wrongPassword
      ? ConfigErrors.KEYSTORE_PASSWORD({
          message:
            'Keystore was tampered with, or password was incorrect (encrypt.key-store.password)',
        })
      : ConfigErrors.KEYSTORE_FORMAT({ message: 'not a readable PKCS#12 key store' });
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
  throw ConfigErrors.UNKNOWN_KEY({ details: { alias } });
}

/** Refuses a MAC iteration count Java would refuse, so a hostile file cannot spin the CPU. */
function assertMacIterations(pfx: forge.asn1.Asn1): void {
  const macData = Array.isArray(pfx.value) ? pfx.value[2] : undefined;
  const iterations = Array.isArray(macData?.value) ? macData.value[2] : undefined;
  if (iterations === undefined || typeof iterations.value !== 'string') return;
  const bytes = Buffer.from(iterations.value, 'binary');
  if (
    bytes.length > 4 ||
    (bytes.length > 0 && bytes.readUIntBE(0, bytes.length) > MAX_MAC_ITERATIONS)
  )
    throw ConfigErrors.KEYSTORE_FORMAT({ message: 'the PKCS#12 MAC iteration count is too large' });
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
