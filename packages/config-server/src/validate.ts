/**
 * Validation of the `{application}`, `{profiles}` and `{label}` request values
 * (spring-wire.md §2.7, reliability.md §1.1). Every function returns the normalized value or
 * `null`; the HTTP handler maps `null` to 400 "Invalid Request".
 *
 * Each value is checked as given (the router has decoded it once), decoded once more, and in
 * both forms after `\` → `/`, `//` → `/` and trimming leading slashes and control characters.
 */

const PROFILE = /^[A-Za-z0-9](?:[A-Za-z0-9_.+@-]*[A-Za-z0-9])?$/;
// `%` left after the router's single decode means double encoding (CVE-2019-3799, CVE-2020-5405).
// `#`/`?` truncate paths (CVE-2020-5410); `\` and `:` make Windows paths and URLs.
const FORBIDDEN = /[#?%\\:\u0000-\u001f\u007f]/;
const SLASH_ALIAS = '(_)';

function decodeOnce(value: string): string | null {
  try {
    return decodeURIComponent(value);
  } catch {
    return null;
  }
}

function normalizeForCheck(value: string): string {
  return value
    .replaceAll('\\', '/')
    .replace(/\/{2,}/g, '/')
    .replace(/^[/\u0000-\u001f\u007f\s]+/, '');
}

/** The §2.7 checks shared by name, label and each profile, on all decoded forms. */
function hasTraversal(value: string): boolean {
  const decoded = decodeOnce(value);
  if (decoded === null) return true;
  for (const form of [value, decoded, normalizeForCheck(value), normalizeForCheck(decoded)]) {
    if (form.includes('..') || form.includes('#') || form.startsWith(SLASH_ALIAS)) return true;
  }
  return false;
}

/**
 * Checks a name or label that already has `(_)` replaced by `/`: relative, no empty, `.` or
 * `..` segments, no forbidden characters. The repository calls this again before touching files.
 */
export function isSafeRelativePath(value: string): boolean {
  if (value.length === 0 || value.length > 256 || FORBIDDEN.test(value)) return false;
  if (value.startsWith('/') || value.includes(SLASH_ALIAS)) return false;
  return value.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

function validatePathLike(value: string): string | null {
  if (typeof value !== 'string' || value.length === 0 || hasTraversal(value)) return null;
  if (FORBIDDEN.test(value)) return null;
  const normalized = value.replaceAll(SLASH_ALIAS, '/');
  return isSafeRelativePath(normalized) ? normalized : null;
}

/**
 * Validates `{application}` (one name or a comma-separated list) and turns `(_)` into `/`.
 * Returns the normalized name, or `null` when it must be rejected.
 *
 * @example
 * validateName('org(_)app'); // 'org/app'
 * validateName('..%2Fetc');  // null
 */
export function validateName(value: string): string | null {
  const normalized = validatePathLike(value);
  if (normalized === null) return null;
  const apps = normalized.split(',');
  return apps.every((app) => app.trim() !== '' && isSafeRelativePath(app.trim()))
    ? normalized
    : null;
}

/**
 * Validates `{label}` and turns `(_)` into `/`. `undefined`, `null` and `''` mean "no label"
 * and give `null` as `label`. Returns `{ label }`, or `null` when it must be rejected.
 */
export function validateLabel(value: string | null | undefined): { label: string | null } | null {
  if (value === undefined || value === null || value === '') return { label: null };
  const normalized = validatePathLike(value);
  return normalized === null ? null : { label: normalized };
}

/**
 * Validates `{profiles}`: comma-separated, each non-empty, only letters, digits and `- _ . + @`,
 * starting and ending with a letter or digit (CVE-2026-22739). Returns the list, or `null`.
 */
export function validateProfiles(value: string): string[] | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > 512 || hasTraversal(value))
    return null;
  const profiles = value.split(',');
  return profiles.every((profile) => PROFILE.test(profile) && !profile.includes('..'))
    ? profiles
    : null;
}
