import type { TextEncryptor } from '@stratus/config';

type Outcome = { readonly plain: string } | { readonly error: unknown };

/**
 * `encryptor` with its decryptions remembered per (key, cipher text), failures included: an
 * environment read again after an edit decrypts only the values that changed. An RSA
 * decryption costs about a millisecond; a config file rarely holds more than a few dozen.
 * The oldest results go first beyond `maxEntries`. Encryption is never cached (fresh IVs).
 */
export function cachingDecryptor(encryptor: TextEncryptor, maxEntries = 1024): TextEncryptor {
  const outcomes = new Map<string, Outcome>();
  const located = new Map<string, TextEncryptor>();
  const remember = <V>(map: Map<string, V>, key: string, value: V): V => {
    map.set(key, value);
    if (map.size > maxEntries) map.delete(map.keys().next().value!);
    return value;
  };

  const wrap = (target: TextEncryptor, keyId: string): TextEncryptor => {
    const wrapped: TextEncryptor = {
      encrypt: (plain) => target.encrypt(plain),
      decrypt(cipherText) {
        const id = `${keyId}\u0000${cipherText}`;
        let outcome = outcomes.get(id);
        if (outcome === undefined) {
          try {
            outcome = { plain: target.decrypt(cipherText) };
          } catch (error) {
            outcome = { error };
          }
          remember(outcomes, id, outcome);
        }
        if ('error' in outcome) throw outcome.error;
        return outcome.plain;
      },
    };
    if (target.publicKeySsh !== undefined) {
      const publicKeySsh = target.publicKeySsh.bind(target);
      wrapped.publicKeySsh = () => publicKeySsh();
    }
    if (target.locate !== undefined) {
      const locate = target.locate.bind(target);
      // `{key:alias}` and `{secret:…}` pick the key: they are part of the key's identity.
      wrapped.locate = (prefixes) => {
        const id = JSON.stringify(prefixes);
        return located.get(id) ?? remember(located, id, wrap(locate(prefixes), id));
      };
    }
    return wrapped;
  };
  return wrap(encryptor, '');
}
