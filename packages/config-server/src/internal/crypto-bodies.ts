import type { FastifyRequest } from 'fastify';
import { parseCipherValue, type TextEncryptor } from '@stratus/config';
import { ConfigServerErrors } from '../errors.js';

/** What `/encrypt`, `/decrypt` and `/key` do with one encryptor (or none). */
export interface CryptoEndpoints {
  /** The encryptor; `CFG_ERR_NO_KEY` without one. */
  require(): TextEncryptor;
  /** The cipher text of a request body, with the prefixes Spring echoes. */
  encrypt(request: FastifyRequest): string;
  /** The plain text of a request body. */
  decrypt(request: FastifyRequest): string;
  /** The RSA public key in ssh form; `CFG_ERR_NOT_FOUND` for a symmetric key. */
  publicKeySsh(): string;
}

/**
 * Spring's `EncryptionController` over `encryptor`: `{key:alias}` / `{secret:…}` prefixes pick
 * a keystore key (`TextEncryptorLocator`), curl's form-encoded bodies are repaired.
 */
export function createCryptoEndpoints(encryptor: TextEncryptor | null): CryptoEndpoints {
  function require(): TextEncryptor {
    if (encryptor === null) throw ConfigServerErrors.NO_KEY({ details: { reason: 'NO_KEY' } });
    return encryptor;
  }

  function locate(prefixes: ReadonlyArray<readonly [string, string]>): TextEncryptor {
    const base = require();
    const selecting = prefixes.filter(([key]) => key !== 'name' && key !== 'profiles');
    return selecting.length > 0 && base.locate ? base.locate(selecting) : base;
  }

  return {
    require,
    encrypt(request) {
      require();
      const input = stripFormData(bodyText(request), request.headers['content-type'], false);
      const { prefixes, cipherText: plain } = parseCipherValue(input);
      // Spring echoes every prefix except name and profiles, which come from the request.
      const echoed = prefixes
        .filter(([key]) => key !== 'name' && key !== 'profiles')
        .map(([key, value]) => `{${key}:${value}}`)
        .join('');
      return echoed + locate(prefixes).encrypt(plain);
    },
    decrypt(request) {
      require();
      const input = stripFormData(bodyText(request), request.headers['content-type'], true);
      const { prefixes, cipherText } = parseCipherValue(input.trim());
      return locate(prefixes).decrypt(cipherText);
    },
    publicKeySsh() {
      const target = require();
      if (typeof target.publicKeySsh !== 'function') {
        throw ConfigServerErrors.NOT_FOUND({
          title: 'No public key available',
          details: { reason: 'NOT_FOUND' },
        });
      }
      return target.publicKeySsh();
    },
  };
}

function bodyText(request: FastifyRequest): string {
  const body = typeof request.body === 'string' ? request.body : '';
  if (body.length === 0)
    throw ConfigServerErrors.BAD_REQUEST({ message: 'Request body is required' });
  return body;
}

/**
 * Spring's `EncryptionController.stripFormData`: `curl -d text` sends a form body `text=`.
 * Unless the body is declared text/plain, a body ending in `=` is URL-decoded and the `=`
 * dropped; for cipher text, spaces go back to `+` and the `=` is kept when it is base64 padding.
 */
function stripFormData(data: string, contentType: string | undefined, isCipher: boolean): string {
  const type = String(contentType ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  if (!data.endsWith('=') || type === 'text/plain') return data;
  let decoded = data;
  try {
    decoded = decodeURIComponent(data.replaceAll('+', ' '));
  } catch {
    // Not form-encoded after all: keep the body as it is.
  }
  if (!isCipher) return decoded.slice(0, -1);
  decoded = decoded.replaceAll(' ', '+');
  const candidate = decoded.slice(0, -1);
  return /^[0-9a-fA-F]+$/.test(candidate) && candidate.length % 2 === 0 ? candidate : decoded;
}
