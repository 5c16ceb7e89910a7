/**
 * Checks passwords against one stored hash format.
 *
 * `verify` returns `null`, without doing any work, when `encoded` is not well formed for the
 * format or asks for more work than the format's limits allow; otherwise it promises whether
 * `password` matches.
 */
export interface PasswordVerifier {
  verify(encoded: string, password: string): Promise<boolean> | null;
}
