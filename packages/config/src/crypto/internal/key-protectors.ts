import { createDecipheriv, createHash, createPrivateKey, timingSafeEqual } from 'node:crypto';
import { ConfigErrors } from '../../errors.js';
import {
  DER_INTEGER,
  DER_OCTET_STRING,
  DER_OID,
  DER_SEQUENCE,
  derOid,
  derSequence,
  derSmallInteger,
  readDer,
} from './der.js';
import { md5Chain } from './md5-chain.js';

/** Sun's JKS key protection (`sun.security.provider.KeyProtector`). */
const JDK_KEY_PROTECTOR = '1.3.6.1.4.1.42.2.17.1.1';
/** JCEKS key protection, PBEWithMD5AndTripleDES (`com.sun.crypto.provider.KeyProtector`). */
const JCE_KEY_PROTECTOR = '1.3.6.1.4.1.42.2.19.1';
const SALT_BYTES = 20;
const DIGEST_BYTES = 20;
/** `com.sun.crypto.provider.KeyProtector.MAX_ITERATION_COUNT`: Java refuses more. */
const MAX_ITERATIONS = 5_000_000;

/**
 * The PKCS#8 private key inside a JKS/JCEKS `EncryptedPrivateKeyInfo`, or `null` when
 * `password` does not unlock it.
 *
 * @throws StratusError `CFG_ERR_KEYSTORE_FORMAT` for a malformed entry or an unknown protection.
 */
export function recoverPrivateKey(protectedKey: Buffer, password: string): Buffer | null {
  const [algorithm, encrypted] = derSequence(readDer(protectedKey).element, [
    DER_SEQUENCE,
    DER_OCTET_STRING,
  ]);
  const [oid, params] = derSequence(algorithm!, [DER_OID]);
  const protection = derOid(oid!.content);
  let plain: Buffer | null;
  if (protection === JDK_KEY_PROTECTOR) plain = recoverJdkKey(encrypted!.content, password);
  else if (protection === JCE_KEY_PROTECTOR) {
    if (!params)
      throw ConfigErrors.KEYSTORE_FORMAT({ message: 'a JCEKS key has no PBE parameters' });
    plain = recoverJceKey(params, encrypted!.content, password);
  } else
    throw ConfigErrors.KEYSTORE_FORMAT({
      message: `a key is protected with an unsupported algorithm (${protection})`,
    });
  return plain !== null && isPkcs8(plain) ? plain : null;
}

/**
 * JKS: the key is XORed with a SHA-1 keystream (`SHA1(password ‖ previous)`, starting from a
 * 20-byte salt) and followed by `SHA1(password ‖ key)`; the password is UTF-16BE.
 */
function recoverJdkKey(protectedKey: Buffer, password: string): Buffer | null {
  if (protectedKey.length < SALT_BYTES + DIGEST_BYTES)
    throw ConfigErrors.KEYSTORE_FORMAT({ message: 'a JKS key is too short' });
  const passwordBytes = utf16be(password);
  const end = protectedKey.length - DIGEST_BYTES;
  const encrypted = protectedKey.subarray(SALT_BYTES, end);
  const plain = Buffer.alloc(encrypted.length);
  let digest: Buffer = protectedKey.subarray(0, SALT_BYTES);
  for (let offset = 0; offset < encrypted.length; offset += DIGEST_BYTES) {
    digest = createHash('sha1').update(passwordBytes).update(digest).digest();
    for (let i = 0; i < DIGEST_BYTES && offset + i < encrypted.length; i++)
      plain[offset + i] = encrypted[offset + i]! ^ digest[i]!;
  }
  const check = createHash('sha1').update(passwordBytes).update(plain).digest();
  return timingSafeEqual(check, protectedKey.subarray(end)) ? plain : null;
}

/** JCEKS: PBEWithMD5AndTripleDES as `com.sun.crypto.provider.PBES1Core` derives it. */
function recoverJceKey(
  params: { tag: number; content: Buffer },
  encrypted: Buffer,
  password: string,
): Buffer | null {
  const [salt, count] = derSequence({ tag: params.tag, content: params.content }, [
    DER_OCTET_STRING,
    DER_INTEGER,
  ]);
  const iterations = derSmallInteger(count!.content);
  if (salt!.content.length !== 8 || iterations <= 0 || iterations > MAX_ITERATIONS)
    throw ConfigErrors.KEYSTORE_FORMAT({ message: 'a JCEKS key has invalid PBE parameters' });
  const derived = deriveTripleDesKey(
    Buffer.from(salt!.content),
    Buffer.from(password, 'utf8'),
    iterations,
  );
  try {
    const decipher = createDecipheriv(
      'des-ede3-cbc',
      derived.subarray(0, 24),
      derived.subarray(24),
    );
    return Buffer.concat([decipher.update(encrypted), decipher.final()]);
  } catch {
    return null; // bad padding: the wrong password
  }
}

/** 24-byte DESede key ‖ 8-byte IV: two salt halves, each MD5-iterated with the password. */
function deriveTripleDesKey(salt: Buffer, password: Buffer, iterations: number): Buffer {
  if (salt.subarray(0, 4).equals(salt.subarray(4))) {
    // PBES1Core: identical halves → the first half is reversed.
    salt.subarray(0, 4).reverse();
  }
  const out = Buffer.alloc(32);
  for (let half = 0; half < 2; half++)
    md5Chain(salt.subarray(half * 4, half * 4 + 4), password, iterations).copy(out, half * 16);
  return out;
}

/** A Java `char[]` password as bytes, two per char, big-endian (what JKS digests). */
export function utf16be(text: string): Buffer {
  const out = Buffer.alloc(text.length * 2);
  for (let i = 0; i < text.length; i++) out.writeUInt16BE(text.charCodeAt(i), i * 2);
  return out;
}

function isPkcs8(der: Buffer): boolean {
  try {
    createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    return true;
  } catch {
    return false;
  }
}
