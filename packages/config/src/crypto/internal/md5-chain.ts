import { createHash } from 'node:crypto';

/**
 * `d₁ = MD5(first ‖ password)`, then `dₙ₊₁ = MD5(dₙ ‖ password)` up to `iterations` — the chain
 * PBEWithMD5AndTripleDES runs 200,000 times per salt half in a JCEKS store (about 0.3 s per half
 * with node:crypto; paid once per key store load, so we keep the platform's MD5 rather than a
 * faster hand-written one).
 */
export function md5Chain(first: Buffer, password: Buffer, iterations: number): Buffer {
  let digest = createHash('md5').update(first).update(password).digest();
  for (let i = 1; i < iterations; i++)
    digest = createHash('md5').update(digest).update(password).digest();
  return digest;
}
