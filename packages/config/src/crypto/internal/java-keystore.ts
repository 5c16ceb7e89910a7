import { createHash, timingSafeEqual } from 'node:crypto';
import { ConfigErrors } from '../../errors.js';
import { ByteReader } from './byte-reader.js';
import { skipSerializedObject } from './java-serialization.js';
import { utf16be } from './key-protectors.js';

export const JKS_MAGIC = 0xfeedfeed;
export const JCEKS_MAGIC = 0xcececece;
const PRIVATE_KEY_ENTRY = 1;
const TRUSTED_CERT_ENTRY = 2;
const SECRET_KEY_ENTRY = 3;
const DIGEST_BYTES = 20;
/** The smallest entry: tag, an empty alias and a date. */
const MIN_ENTRY_BYTES = 4 + 2 + 8;

/** A JKS or JCEKS store whose integrity has been checked. */
export interface JavaKeyStore {
  format: 'jks' | 'jceks';
  /** Protected private keys (`EncryptedPrivateKeyInfo` DER) by lower-case alias. */
  privateKeys: ReadonlyMap<string, Buffer>;
  /** Every alias (lower case), of any entry kind. */
  aliases: ReadonlySet<string>;
}

/**
 * Reads a JKS (`sun.security.provider.JavaKeyStore`) or JCEKS (`com.sun.crypto.provider
 * .JceKeyStore`) file and checks its keyed digest, `SHA-1(password as UTF-16BE ‖ "Mighty
 * Aphrodite" ‖ contents)`, with each password in turn. Certificates are skipped (the public key
 * comes from the private key); JCEKS secret-key entries are stepped over.
 *
 * @throws StratusError `CFG_ERR_KEYSTORE_FORMAT` for anything that is not a complete JKS/JCEKS
 *   file; `CFG_ERR_KEYSTORE_PASSWORD` when no password matches the digest.
 */
export function readJavaKeyStore(bytes: Buffer, passwords: readonly string[]): JavaKeyStore {
  const reader = new ByteReader(bytes);
  const magic = reader.u32();
  const version = reader.u32();
  if ((magic !== JKS_MAGIC && magic !== JCEKS_MAGIC) || (version !== 1 && version !== 2))
    throw ConfigErrors.KEYSTORE_FORMAT({
      message: 'not a JKS or JCEKS key store (bad magic number or version)',
    });
  const count = reader.count();
  if (count > reader.remaining / MIN_ENTRY_BYTES)
    throw ConfigErrors.KEYSTORE_FORMAT({ message: 'the key store file is truncated or corrupt' });
  const privateKeys = new Map<string, Buffer>();
  const aliases = new Set<string>();
  for (let i = 0; i < count; i++) {
    const tag = reader.u32();
    // Java stores and matches aliases in lower case (Locale.ENGLISH).
    const alias = reader.utf().toLowerCase();
    reader.skip(8); // creation date
    aliases.add(alias);
    if (tag === PRIVATE_KEY_ENTRY) {
      privateKeys.set(alias, reader.bytes(reader.count()));
      const certificates = reader.count();
      for (let c = 0; c < certificates; c++) skipCertificate(reader, version);
    } else if (tag === TRUSTED_CERT_ENTRY) skipCertificate(reader, version);
    else if (tag === SECRET_KEY_ENTRY && magic === JCEKS_MAGIC) skipSerializedObject(reader);
    else
      throw ConfigErrors.KEYSTORE_FORMAT({
        message: `the key store holds an unknown entry type (${tag})`,
      });
  }
  const contentEnd = reader.offset;
  const digest = reader.bytes(DIGEST_BYTES);
  const content = bytes.subarray(0, contentEnd);
  if (![...new Set(passwords)].some((password) => digestMatches(content, password, digest)))
    throw ConfigErrors.KEYSTORE_PASSWORD({
      message: 'Keystore was tampered with, or password was incorrect (encrypt.key-store.password)',
    });
  return { format: magic === JKS_MAGIC ? 'jks' : 'jceks', privateKeys, aliases };
}

function skipCertificate(reader: ByteReader, version: number): void {
  if (version === 2) reader.utf(); // certificate type, "X.509"
  reader.skip(reader.count());
}

function digestMatches(content: Buffer, password: string, expected: Buffer): boolean {
  const actual = createHash('sha1')
    .update(utf16be(password))
    .update('Mighty Aphrodite', 'utf8')
    .update(content)
    .digest();
  return timingSafeEqual(actual, expected);
}
