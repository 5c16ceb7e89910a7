/**
 * Spring's `PatternMatchUtils.simpleMatch`: `*` matches any run of characters (including `/`),
 * everything else is literal.
 */
export function simpleMatch(pattern: string, value: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 's').test(value);
}

/**
 * Normalizes the patterns of one `repos.<name>` entry as Spring's `MultipleJGitEnvironmentRepository`
 * does: no pattern means the repository's name; a pattern without `/` matches every profile.
 */
export function normalizeRepoPatterns(name: string, patterns: readonly string[]): string[] {
  const list = patterns.map((p) => p.trim()).filter((p) => p !== '');
  return (list.length === 0 ? [name] : list).map((p) => (p.includes('/') ? p : `${p}/*`));
}

/**
 * Whether `application/profile` matches any pattern for any requested profile (checked last
 * profile first, like Spring's `PatternMatchingJGitEnvironmentRepository.matches`).
 */
export function matchesRepo(
  patterns: readonly string[],
  application: string,
  profiles: readonly string[],
): boolean {
  const list = profiles.length === 0 ? ['default'] : profiles;
  for (let i = list.length - 1; i >= 0; i--) {
    const candidate = `${application}/${list[i]!}`;
    if (patterns.some((pattern) => simpleMatch(pattern, candidate))) return true;
  }
  return false;
}
