import {
  constants,
  createPrivateKey,
  createPublicKey,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import forge from 'node-forge';
import { ConfigErrors } from '../errors.js';
import { createAesBytesEncryptor, deriveAesKey, saltToBytes } from './internal/aes.js';
import { DEFAULT_SALT, type TextEncryptor } from './text-encryptor.js';

/** RSA padding of the random secret: `DEFAULT` = PKCS#1 v1.5 (`RSA`), `OAEP` = `RSA/ECB/OAEPPadding` (SHA-1, MGF1-SHA1). */
export type RsaAlgorithm = 'DEFAULT' | 'OAEP';

/** Options of {@link createRsaEncryptor}; Spring's `encrypt.rsa.*`. */
export interface RsaEncryptorOptions {
  /** An RSA private key in PEM, PKCS#1 (`RSA PRIVATE KEY`) or PKCS#8 (`PRIVATE KEY`). Give this or `keyPair`. */
  privateKeyPem?: string;
  /** A key pair from node:crypto; the public key is derived from the private key when absent. */
  keyPair?: { privateKey: KeyObject; publicKey?: KeyObject };
  /** `encrypt.rsa.algorithm`. @default 'DEFAULT' */
  algorithm?: RsaAlgorithm;
  /** `encrypt.rsa.salt`: hex, or text that is hex-encoded from UTF-8. @default 'deadbeef' */
  salt?: string;
  /** `encrypt.rsa.strong`: AES-GCM (`Encryptors.stronger`) instead of AES-CBC. @default false */
  strong?: boolean;
}

/** An RSA {@link TextEncryptor}; it always has a public key for `/key`. */
export interface RsaTextEncryptor extends TextEncryptor {
  /** `ssh-rsa <base64(len|"ssh-rsa"|len|e|len|n)> application`, as Spring's `getPublicKey()`. */
  publicKeySsh(): string;
}

const RANDOM_BYTES = 16;
const SECRET_CACHE_SIZE = 512;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Builds Spring's `RsaSecretEncryptor`: each value gets 16 random bytes whose lower-case hex is
 * the password of `Encryptors.standard(hex, salt)` (AES-256-CBC; `Encryptors.stronger`, AES-GCM,
 * with `strong`); the random bytes are RSA-encrypted with PKCS#1 v1.5 (`DEFAULT`) or OAEP
 * SHA-1; output = base64(2-byte big-endian length ‖ RSA secret ‖ AES output). Interchangeable
 * with Spring Cloud Config's RSA cipher text. PKCS#1 v1.5 decryption runs in node-forge, because
 * Node 20 refuses it in `privateDecrypt` (CVE-2023-46809).
 *
 * @throws StratusError `CFG_ERR_INVALID_KEY` when the key is missing, not RSA or unreadable, or
 *   the salt is empty or odd-length hex.
 * @example
 * const rsa = createRsaEncryptor({ privateKeyPem: readFileSync('key.pem', 'utf8'), algorithm: 'OAEP' });
 * const cipher = rsa.encrypt('s3cret'); // 'AQB…' — store as '{cipher}AQB…'
 * rsa.decrypt(cipher); // 's3cret'
 */
export function createRsaEncryptor(options: RsaEncryptorOptions): RsaTextEncryptor {
  const algorithm = options.algorithm ?? 'DEFAULT';
  if (algorithm !== 'DEFAULT' && algorithm !== 'OAEP')
    throw ConfigErrors.INVALID_KEY({ message: 'encrypt.rsa.algorithm must be DEFAULT or OAEP' });
  const saltBytes = saltToBytes(options.salt ?? DEFAULT_SALT, 'encrypt.rsa.salt');
  const gcm = options.strong === true;
  const privateKey = toPrivateKey(options);
  const publicKey = options.keyPair?.publicKey ?? createPublicKey(privateKey);
  // Only used for PKCS#1 v1.5 decryption; converted once.
  const forgeKey =
    algorithm === 'DEFAULT'
      ? forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString())
      : null;
  const sshKey = encodeSshPublicKey(publicKey);

  function aesFor(secret: Buffer) {
    return createAesBytesEncryptor(deriveAesKey(secret.toString('hex'), saltBytes), gcm);
  }

  // node-forge's RSA takes 50–150 ms for a 2048-bit key; the same `{cipher}` values come back on
  // every config request, so remember the (random, per-value) AES passwords of recent ones.
  const secrets = new Map<string, Buffer>();

  function rsaDecrypt(secret: Buffer): Buffer {
    if (forgeKey !== null) {
      const cacheKey = secret.toString('base64');
      const cached = secrets.get(cacheKey);
      if (cached) return cached;
      // node-forge returns a binary string; it throws on bad padding.
      const random = Buffer.from(
        forgeKey.decrypt(secret.toString('binary'), 'RSAES-PKCS1-V1_5'),
        'binary',
      );
      if (secrets.size >= SECRET_CACHE_SIZE) secrets.delete(secrets.keys().next().value!);
      secrets.set(cacheKey, random);
      return random;
    }
    return privateDecrypt(
      { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      secret,
    );
  }

  return Object.freeze({
    encrypt(plain: string): string {
      const random = randomBytes(RANDOM_BYTES);
      const secret = publicEncrypt(
        {
          key: publicKey,
          padding:
            algorithm === 'OAEP' ? constants.RSA_PKCS1_OAEP_PADDING : constants.RSA_PKCS1_PADDING,
          oaepHash: 'sha1',
        },
        random,
      );
      const length = Buffer.alloc(2);
      length.writeUInt16BE(secret.length);
      const body = aesFor(random).encrypt(Buffer.from(String(plain), 'utf8'));
      return Buffer.concat([length, secret, body]).toString('base64');
    },
    decrypt(cipherText: string): string {
      if (typeof cipherText !== 'string' || !BASE64.test(cipherText)) throw ConfigErrors.DECRYPT();
      const bytes = Buffer.from(cipherText, 'base64');
      if (bytes.length < 2) throw ConfigErrors.DECRYPT();
      const length = bytes.readUInt16BE(0);
      if (length === 0 || bytes.length < 2 + length) throw ConfigErrors.DECRYPT();
      let random: Buffer;
      try {
        random = rsaDecrypt(bytes.subarray(2, 2 + length));
      } catch {
        throw ConfigErrors.DECRYPT();
      }
      return aesFor(random)
        .decrypt(bytes.subarray(2 + length))
        .toString('utf8');
    },
    publicKeySsh(): string {
      return sshKey;
    },
  });
}

function toPrivateKey(options: RsaEncryptorOptions): KeyObject {
  let key: KeyObject;
  try {
    if (options.keyPair?.privateKey) key = options.keyPair.privateKey;
    else if (typeof options.privateKeyPem === 'string')
      key = createPrivateKey(options.privateKeyPem);
    else throw ConfigErrors.INVALID_KEY({ message: 'an RSA private key is required' });
  } catch (error) {
    if (ConfigErrors.INVALID_KEY.is(error)) throw error;
    throw ConfigErrors.INVALID_KEY({ message: 'the RSA private key cannot be read' });
  }
  if (key.type !== 'private' || key.asymmetricKeyType !== 'rsa')
    throw ConfigErrors.INVALID_KEY({ message: 'the key is not an RSA private key' });
  return key;
}

/** RFC 4253 §6.6 `ssh-rsa` public key, with Spring's trailing ` application` comment. */
export function encodeSshPublicKey(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  const field = (bytes: Buffer): Buffer => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    return Buffer.concat([length, bytes]);
  };
  // mpint: big-endian two's complement, so a set high bit needs a leading zero byte.
  const mpint = (base64url: string | undefined): Buffer => {
    const bytes = Buffer.from(base64url ?? '', 'base64url');
    return (bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
  };
  const blob = Buffer.concat([
    field(Buffer.from('ssh-rsa', 'ascii')),
    field(mpint(jwk.e)),
    field(mpint(jwk.n)),
  ]);
  return `ssh-rsa ${blob.toString('base64')} application`;
}
