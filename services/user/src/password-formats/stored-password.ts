/** A stored password string split as Spring's `DelegatingPasswordEncoder` splits it. */
export interface StoredPassword {
  /** The encoder id between `{` and the first `}` at the start; `null` when there is none. */
  id: string | null;
  /** What follows the first `}` (the whole string when there is no id). */
  encoded: string;
}

/**
 * Splits `{id}encoded` (`DelegatingPasswordEncoder.extractId` / `extractEncodedPassword`): the
 * string must start with `{`; the id ends at the first `}`.
 */
export function splitStoredPassword(stored: string): StoredPassword {
  const end = stored.startsWith('{') ? stored.indexOf('}') : -1;
  if (end < 0) return { id: null, encoded: stored };
  return { id: stored.slice(1, end), encoded: stored.slice(end + 1) };
}

// Ids are short names (`bcrypt`, `scrypt@SpringSecurity_v5_8`); anything else may be part of a
// hash that lost its prefix, so it is not logged as it is.
const LOGGABLE_ID = /^[A-Za-z0-9@_.-]{1,32}$/;

/** `id` when it looks like an encoder id, otherwise a placeholder: safe to log. */
export function loggableId(id: string): string {
  return LOGGABLE_ID.test(id) ? id : '(unreadable id)';
}
