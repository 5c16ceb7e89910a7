import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { md5Chain } from './md5-chain.js';

test('md5Chain equals MD5 applied by node:crypto for every password length, one block or more', () => {
  for (let length = 0; length <= 64; length++) {
    for (const iterations of [1, 2, 5]) {
      const first = randomBytes(4);
      const password = randomBytes(length);
      let expected = createHash('md5').update(first).update(password).digest();
      for (let i = 1; i < iterations; i++)
        expected = createHash('md5').update(expected).update(password).digest();
      assert.deepEqual(
        md5Chain(first, password, iterations),
        expected,
        `length ${length} × ${iterations}`,
      );
    }
  }
});
